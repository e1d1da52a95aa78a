"""The `mongolint` command: arguments, exit codes, and the order of the work."""

from __future__ import annotations

import functools
import os
import sys
from collections import Counter
from typing import Callable, Dict, List, Optional, Sequence, TextIO

from mongolint import command_config, commands, discovery, fix_modes, progress
from mongolint.config import ConfigError, Settings
from mongolint.findings import FileReport
from mongolint.output import FORMATS, HUMAN_FORMATS, STRUCTURED_FORMATS, OutputOptions
from mongolint.cli_parser import build_parser
from mongolint.output.names import display_path

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def main(argv: Optional[Sequence[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["check"]:
        argv = argv[1:]
    if commands.is_subcommand(argv):
        return commands.run(argv, top_level=build_parser)
    parser = build_parser()
    args = parser.parse_args(argv)
    fix_modes.check_flags(parser, args)
    _never_fail_to_encode()
    try:
        if args.output_file is not None:
            _check_output_file(args.output_file)
        return _check(args, command_config.resolver(args))
    except ConfigError as error:
        print(f"mongolint: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        # `mongolint | head`: the reader left; say nothing more, as a filter should.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FINDINGS
    except KeyboardInterrupt:  # Ctrl-C: the workers are already stopped
        print("mongolint: interrupted", file=sys.stderr)
        return 130


def _check_output_file(path: str) -> None:
    """Before the run, not after it: a report that cannot be written is a usage error."""
    if os.path.isdir(path):
        raise ConfigError(f"--output-file {path}: is a directory")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise ConfigError(f"--output-file {path}: no such directory: {os.path.dirname(path) or '.'}")
    if not os.access(folder, os.W_OK) or (os.path.exists(path) and not os.access(path, os.W_OK)):
        raise ConfigError(f"--output-file {path}: permission denied")


def _never_fail_to_encode() -> None:
    """A stdout that is not UTF-8 (`LANG=C` without coercion, PYTHONIOENCODING)
    gets escapes for what it cannot encode, instead of an exception."""
    for stream in (sys.stdout, sys.stderr):
        if getattr(stream, "errors", "backslashreplace") == "strict" and hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(errors="backslashreplace")
            except (ValueError, OSError):
                pass


def _check(args, resolver) -> int:
    if args.paths == ["-"]:
        stdin_settings = resolver.for_path(args.stdin_filename or ".")
        if args.show_settings:
            return command_config.show_settings(args.stdin_filename or "-", stdin_settings)
        reports = [_check_stdin(args, stdin_settings)]
        sources = {reports[0].path: _excerpt_source(reports[0].path, _STDIN_TEXT[0])}
        unsafe_for = _unsafe_for(args, lambda path: stdin_settings)
    else:
        # --fix never writes a file the configuration excludes, however it is named.
        files, problems = discovery.discover(args.paths or ["."], settings=resolver,
                                             force_exclude=args.force_exclude or args.fix)
        if args.list_parsed or args.show_files or args.show_settings:
            command_config.write_problems(problems)
            if args.show_files:
                return command_config.show_files(files)
            if args.show_settings:
                first = command_config.first_file(files)
                return command_config.show_settings(first, resolver.for_path(first or "."))
            return command_config.list_parsed(files, resolver)
        # A path that could not be checked is reported like a file that could not be read.
        reports = [FileReport(path, error=problem) for path, problem in problems]
        if args.add_noqa:
            return _add_noqa(args, resolver, files, reports)
        with progress.shown(len(files), quiet=args.quiet or args.silent):
            reports += _check_files(args, resolver, files)
        sources = {}
        unsafe_for = _unsafe_for(args, resolver.for_file)
    return _report(args, reports, sources, unsafe_for)


_STDIN_TEXT = [""]


def _check_stdin(args, settings: Settings) -> FileReport:
    from mongolint import limits

    path = args.stdin_filename or "-"
    try:
        data = limits.read_stream(sys.stdin.buffer, settings.max_file_size)
    except limits.TooLarge as error:
        return FileReport(path, error=str(error))
    _STDIN_TEXT[0] = data.decode("utf-8", errors="replace")
    from mongolint import project_files, runner

    project_files.start_run(settings.project_root, None)
    # The imports of code read from stdin resolve from where it says it is.
    if args.fix or args.diff:
        return _fix_stdin(args, settings, path, data)
    return runner.check_data(path, data, settings)


def _fix_stdin(args, settings: Settings, path: str, data: bytes) -> FileReport:
    """As ruff: `--fix -` writes the fixed source to stdout (the findings that
    remain go to stderr), `--diff -` the diff."""
    from mongolint import engine, fixes, notebooks, project_files
    from mongolint.source import DecodeError, decode

    if notebooks.is_notebook(path):
        return _fix_stdin_notebook(args, settings, path, data)
    try:
        source = decode(data)
    except DecodeError as error:
        if args.fix:  # a filter never swallows its input
            sys.stdout.buffer.write(data)
        return FileReport(path, error=str(error))
    project = project_files.view_for(path, settings)
    outcome = fixes.fix_text(path, source.text, settings, unsafe=_unsafe(args, settings), project=project)
    report = (outcome.before if args.diff else outcome.after) or engine.check_text(
        path, source.text if args.diff else outcome.text, settings, project=project)
    report.internal_errors.extend(outcome.internal_errors)
    report.notes.extend(outcome.notes)
    report.fixed = outcome.applied
    if args.diff:
        if outcome.text != source.text:
            report.diff = fixes.unified_diff(path, source.text, outcome.text)
    else:
        sys.stdout.buffer.write(source.encode(outcome.text))
        sys.stdout.flush()
        _STDIN_TEXT[0] = outcome.text
    return report


def _fix_stdin_notebook(args, settings: Settings, path: str, data: bytes) -> FileReport:
    from mongolint import project_files
    from mongolint.notebook_checks import fix_data

    report, fixed = fix_data(path, data, settings, unsafe=_unsafe(args, settings), diff_only=args.diff,
                             project=project_files.view_for(path, settings))
    if args.fix:
        sys.stdout.buffer.write(data if fixed is None else fixed.encode("utf-8"))
        sys.stdout.flush()
        _STDIN_TEXT[0] = fixed or _STDIN_TEXT[0]
    return report


def _add_noqa(args, resolver, files: Sequence[str], problems: List[FileReport]) -> int:
    from mongolint.add_noqa import add_to_file

    total = 0
    for report in problems + _run(args, resolver, files):
        _write_problems(report)
        if not report.findings:
            continue
        added, refused, problem = add_to_file(report.path, report.findings, resolver.for_file(report.path))
        total += added
        if problem:
            print(f"mongolint: {display_path(report.path)}: {problem}", file=sys.stderr)
        for line in refused:
            print(f"mongolint: {display_path(report.path)}:{line}: no `# noqa` added: the line ends inside a string "
                  "or continues with `\\`", file=sys.stderr)
    print(f"Added {total} noqa directive{'s' * (total != 1)}.", file=sys.stderr)
    return EXIT_ERROR if any(r.unreadable for r in problems) else EXIT_CLEAN


def _check_files(args, resolver, files: Sequence[str]) -> List[FileReport]:
    """Check (or fix) the files; unchanged files come from the cache when checking.
    Each configuration's files have their own cache and project index, in its project root."""
    if args.fix or args.diff or args.no_cache:
        return _run(args, resolver, files)
    from mongolint import project_files
    from mongolint.cache import ResultCache, cache_directory

    reports: Dict[str, FileReport] = {}
    for settings, group in command_config.by_settings(files, resolver.for_file):
        cache = ResultCache(cache_directory([settings.project_root or "."], args.cache_dir, settings.cache_dir),
                            settings)
        project = project_files.start_run(settings.project_root, cache.directory)
        hits, misses = cache.split(group, project.dependencies_unchanged)
        progress.advance(len(hits))
        checked = dict(zip(misses, _run_group(args, settings, misses))) if misses else {}
        for report in checked.values():
            project.add_summaries(report.summaries)
            cache.store(report)
        cache.save()
        project.save()
        reports.update(hits)
        reports.update(checked)
    return [reports[path] for path in files]


def _run(args, resolver, files: Sequence[str]) -> List[FileReport]:
    """Each file with its own settings: one run of the workers per configuration."""
    reports: Dict[str, FileReport] = {}
    from mongolint import project_files

    for settings, group in command_config.by_settings(files, resolver.for_file):
        project_files.start_run(settings.project_root, None)
        reports.update(zip(group, _run_group(args, settings, group)))
    return [reports[path] for path in files]


def _run_group(args, settings: Settings, files: Sequence[str]) -> List[FileReport]:
    from mongolint import runner  # imports LibCST: only when a file must be parsed

    return runner.check_paths(files, settings, args.jobs, check=_file_checker(args, settings), done=progress.advance)


def _file_checker(args, settings: Settings):
    from mongolint import runner

    if not (args.fix or args.diff):
        return runner.check_path
    return functools.partial(runner.fix_path, unsafe=_unsafe(args, settings), diff_only=args.diff)


def _write_diffs(reports: Sequence[FileReport]) -> None:
    for report in reports:
        if report.diff:
            sys.stdout.write(report.diff)


def _write_fix_summary(args, reports: Sequence[FileReport], unsafe_for: Callable[[str], bool]) -> None:
    """Last, after the per-file lines it sums up."""
    fixed = sum(len(report.fixed) for report in reports)
    remaining = sum(len(report.findings) for report in reports)
    if args.diff:
        files = sum(1 for report in reports if report.diff)
        print(f"Would fix {fixed} finding{'s' * (fixed != 1)} in {files} file{'s' * (files != 1)}.",
              file=sys.stderr)
        return
    if args.show_fixes:
        for report in reports:
            for code, description in report.fixed:
                print(f"{display_path(report.path)}: fixed {code}: {description}", file=sys.stderr)
            for finding in report.findings:
                if finding.fix is not None and finding.fix.applicability == "display-only":
                    print(f"{display_path(report.path)}:{finding.line}:{finding.column}: suggestion for {finding.code} "
                          f"(not applied): {finding.fix.description}", file=sys.stderr)
    if args.fix_only:
        summary = fix_modes.fix_only_summary(reports, unsafe_for)
        if summary:
            print(summary, file=sys.stderr)
        return
    print(f"Fixed {fixed} finding{'s' * (fixed != 1)}, {remaining} remaining.", file=sys.stderr)


def _report(args, reports: Sequence[FileReport], sources, unsafe_for: Callable[[str], bool]) -> int:
    """`unsafe_for(path)`: whether `--fix` applies that file's unsafe fixes
    (`--unsafe-fixes`, or the file's own configuration)."""
    stream: TextIO = open(args.output_file, "w", encoding="utf-8") if args.output_file else sys.stdout
    if args.fix and args.paths == ["-"] and stream is sys.stdout:
        stream = sys.stderr  # stdout carries the fixed source
    try:
        if not args.silent:
            _write_report(args, stream, reports, sources, unsafe_for)
    finally:
        if args.output_file:
            stream.close()
    if args.diff and not args.silent:
        _write_diffs(reports)
    failed = False
    for report in reports:
        if not args.silent:
            _write_problems(report)
        failed = failed or report.unreadable or bool(report.internal_errors)
    if (args.fix or args.diff) and not (args.silent or args.quiet):
        _write_fix_summary(args, reports, unsafe_for)  # last, after the per-file lines it sums up
    return EXIT_ERROR if failed else fix_modes.exit_status(args, reports)


def _write_report(args, stream: TextIO, reports: Sequence[FileReport], sources, unsafe_for) -> None:
    options = _output_options(args, stream, reports, sources, unsafe_for)
    if not (args.diff or args.fix_only):
        FORMATS[args.format](reports, stream, options)
        if args.format in HUMAN_FORMATS and not (args.quiet or args.fix):
            from mongolint.output.text import write_summary

            write_summary(reports, stream, options)
    if args.statistics:  # never into a patch or a structured report
        structured = args.format in STRUCTURED_FORMATS or args.diff
        _write_statistics(reports, sys.stderr if structured else stream)


def _write_problems(report: FileReport) -> None:
    path = display_path(report.path)
    if report.error:
        print(f"mongolint: {path}: {report.error}", file=sys.stderr)
    for problem in report.internal_errors:
        print(f"mongolint: {path}: {problem}", file=sys.stderr)
    for warning in report.warnings:
        print(f"mongolint: warning: {path}: {warning}", file=sys.stderr)
    for note in report.notes:
        print(f"mongolint: {path}: note: {note}", file=sys.stderr)


def _output_options(args, stream, reports, sources, unsafe_for) -> OutputOptions:
    if args.format in ("text", "full"):
        for report in reports:
            if report.findings and report.path not in sources:
                sources[report.path] = _read_text(report.path)
    return OutputOptions(color=_use_color(args, stream), sources=sources, unsafe_fixes=unsafe_for)


def _use_color(args, stream) -> bool:
    """--no-color and NO_COLOR win; FORCE_COLOR forces colour into a pipe; else
    a terminal that is not TERM=dumb."""
    if args.no_color or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return stream is sys.stdout and stream.isatty() and os.environ.get("TERM") != "dumb"


def _unsafe(args, settings: Settings) -> bool:
    return settings.unsafe_fixes if args.unsafe_fixes is None else args.unsafe_fixes


def _unsafe_for(args, settings_of: Callable[[str], Settings]) -> Callable[[str], bool]:
    """Whether `--fix` applies a file's unsafe fixes: the flag, else that file's configuration."""
    return lambda path: _unsafe(args, settings_of(path))


def _excerpt_source(path: str, text: str):
    from mongolint import notebooks

    return notebooks.cell_sources_of_text(text) if notebooks.is_notebook(path) else text


def _read_text(path: str):
    """The text excerpts are cut from; a notebook's is {cell number: source}."""
    from mongolint.source import DecodeError, decode

    from mongolint import notebooks

    if notebooks.is_notebook(path):
        return notebooks.cell_sources_of(path)
    try:
        with open(path, "rb") as handle:
            return decode(handle.read()).text
    except (OSError, DecodeError):
        return ""


def _write_statistics(reports: Sequence[FileReport], stream: TextIO) -> None:
    counts = Counter((f.code, f.name) for report in reports for f in report.findings)
    for (code, name), count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        stream.write(f"{count:>5}\t{code}\t{name}\n")
