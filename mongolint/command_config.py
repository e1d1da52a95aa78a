"""From the command line to each file's settings: `--config` (a file or `KEY=VALUE`
overrides), the dedicated flags laid over every configuration, `--show-settings`
and `--show-files`."""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from mongolint import config, config_files
from mongolint.config import ConfigError, Settings
from mongolint.output import FORMATS_WITH_EDITS
from mongolint.output.names import display_path


def resolver(args, then: Callable[[Settings], Settings] = lambda settings: settings) -> config_files.Resolver:
    """Every file's settings: its configuration, the `--config KEY=VALUE`
    overrides, then the dedicated flags (which win, as in ruff), then `then`."""
    if args.stdin_filename is not None:
        if not args.paths:
            args.paths = ["-"]  # as ruff: --stdin-filename reads the code from stdin
        elif args.paths != ["-"]:
            raise ConfigError("--stdin-filename names the code read from stdin: give `-` or no path")
    _check_flag_selectors(args)
    explicit, overrides = config_files.split_config_args(args.config or [])
    return config_files.Resolver(explicit, overrides, adjust=lambda settings: then(with_flags(args, settings)))


def _check_flag_selectors(args) -> None:
    for key in ("select", "extend_select", "ignore"):
        if getattr(args, key):
            config.check_selectors(getattr(args, key), "--" + key.replace("_", "-"), "command line")
    _grouped(args.per_file_ignores or [], args.extend_per_file_ignores)


def with_flags(args, settings: Settings) -> Settings:
    """One configuration's settings with the command line's flags."""
    overrides = {}
    if args.select:
        overrides["select"] = tuple(args.select)
    if args.extend_select:
        overrides["extend_select"] = settings.extend_select + tuple(args.extend_select)
    if args.ignore:
        overrides["ignore"] = settings.ignore + tuple(args.ignore)
    if args.per_file_ignores is not None or args.extend_per_file_ignores:
        base = () if args.per_file_ignores is not None else settings.per_file_ignores
        overrides["per_file_ignores"] = base + _grouped(args.per_file_ignores or [], args.extend_per_file_ignores)
    if args.exclude is not None:
        overrides["exclude"] = tuple(args.exclude)
    if args.extend_exclude:
        overrides["extend_exclude"] = settings.extend_exclude + tuple(args.extend_exclude)
    if args.respect_gitignore is not None:
        overrides["respect_gitignore"] = args.respect_gitignore
    if args.ignore_noqa:
        overrides["ignore_noqa"] = True
    if args.format in FORMATS_WITH_EDITS:
        overrides["fix_edits"] = True
    if args.fix_through_symlinks:
        overrides["fix_through_symlinks"] = True
    return replace(settings, **overrides)


def _grouped(*lists) -> Tuple[Tuple[str, Tuple[str, ...]], ...]:
    """[(pattern, code)] -> ((pattern, (codes...)), ...), in first-seen order."""
    grouped: Dict[str, List[str]] = {}
    for pattern, code in (pair for pairs in lists for pair in pairs):
        grouped.setdefault(pattern, []).append(code)
    for pattern, codes in grouped.items():
        config.check_selectors(codes, f"--per-file-ignores {pattern}", "command line")
    return tuple((pattern, tuple(codes)) for pattern, codes in grouped.items())


def by_settings(files: Sequence[str], settings_for) -> List[Tuple[Settings, List[str]]]:
    """The files grouped by their settings, in the order each group first appears."""
    groups: Dict[Settings, List[str]] = {}
    for path in files:
        groups.setdefault(settings_for(path), []).append(path)
    return list(groups.items())


def list_parsed(files: Sequence[str], resolver) -> int:
    """The files the pre-filter lets through, each with its own settings."""
    from mongolint import runner

    settled = set()
    for settings, group in by_settings(files, resolver.for_file):
        settled.update(runner.screen_all(group, settings))
    for path in files:
        if path not in settled:
            print(display_path(path))
    return 0


def show_files(files: Sequence[str]) -> int:
    for path in sorted(display_path(path) for path in files):
        print(path)
    return 0


def show_settings(path: Optional[str], settings: Settings) -> int:
    """As ruff's --show-settings: the file, the configuration it comes from, then
    every setting (and the rules they turn on for that file)."""
    if path is None:
        raise ConfigError("--show-settings: no Python file found under the given paths")
    print(f'Resolved settings for: "{display_path(path)}"')
    if settings.config_file is not None:
        print(f'Settings path: "{os.path.abspath(settings.config_file)}"')
    print()
    for key, value in settings_items(settings, path):
        print(f"{key} = {_toml(value)}")
    return 0


def settings_items(settings: Settings, path: str):
    yield "project-root", settings.project_root or os.getcwd()
    yield "select", list(settings.select)
    yield "extend-select", list(settings.extend_select)
    yield "ignore", list(settings.ignore)
    yield "per-file-ignores", {pattern: list(codes) for pattern, codes in settings.per_file_ignores}
    yield "exclude", list(settings.exclude)
    yield "extend-exclude", list(settings.extend_exclude)
    yield "respect-gitignore", settings.respect_gitignore
    yield "unsafe-fixes", settings.unsafe_fixes
    yield "strict-tests", settings.strict_tests
    yield "client-factories", sorted(settings.client_factories)
    yield "file-timeout", settings.file_timeout
    yield "max-file-size", settings.max_file_size
    yield "memory-limit", settings.memory_limit
    yield "ignore-noqa", settings.ignore_noqa
    rules = [rule.code for rule in settings.rules(path)]
    if settings.reports_syntax_errors(path):
        rules = ["MGL000"] + rules
    yield "rules", sorted(set(rules))


def _toml(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_toml(key)} = {_toml(item)}" for key, item in value.items()) + " }" \
            if value else "{}"
    return repr(value)


def first_file(files: Sequence[str]) -> Optional[str]:
    return min(files, key=display_path) if files else None


def write_problems(problems) -> None:
    for path, problem in problems:
        print(f"mongolint: {display_path(path)}: {problem}", file=sys.stderr)
