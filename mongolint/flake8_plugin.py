"""The flake8 plugin: `flake8 --select MGL` runs mongolint's rules.

flake8 loads `MongolintChecker` through the `flake8.extension` entry point `MGL`.
For each file it hands over the decoded lines (so stdin, `--stdin-display-name`
and PEP 263 encodings work as flake8 reads them); the plugin joins them, lets the
pre-filter skip files that cannot have a finding, and otherwise runs the engine
once (one LibCST parse). It reports every finding of the rules mongolint's own
configuration selects, with flake8's 0-based columns and the message
`MGL101 <message>`; flake8 then applies its own `--select`, `--extend-ignore`,
`per-file-ignores` and `# noqa` (mongolint's `# noqa` reading is switched off so
that flake8's rules, including `--disable-noqa`, are the only ones).

Importing this module is cheap: LibCST, the rules and the configuration loader
are imported only when a file passes the pre-filter.

Options: `--mongolint-client-factories` (also `mongolint-client-factories =` in
flake8's configuration) adds to `client-factories` of the configuration nearest
the file, found as the `mongolint` command finds it (`.mongolint.toml`,
`mongolint.toml` or a pyproject.toml with `[tool.mongolint]`, and the files it
`extend`s; from the working directory for stdin).
"""

from __future__ import annotations

import functools
import os
from typing import Any, Dict, FrozenSet, Iterator, List, Optional, Sequence, Tuple

from mongolint import __version__, prefilter

Result = Tuple[int, int, str, type]


class MongolintChecker:
    name = "mongolint"
    version = __version__

    # Set by parse_options from flake8's command line and configuration.
    client_factories: FrozenSet[str] = frozenset()
    requested: Tuple[str, ...] = ()  # MGL selectors flake8 was asked for (--select, --extend-select)

    def __init__(self, tree: Any, filename: str, lines: Sequence[str]) -> None:
        # `tree` is unused (mongolint parses with LibCST) but makes this a tree
        # plugin, which flake8 runs once per file.
        self.filename = filename
        self.lines = lines

    @classmethod
    def add_options(cls, parser) -> None:
        parser.add_option(
            "--mongolint-client-factories", default="", parse_from_config=True,
            comma_separated_list=True,
            help="mongolint: dotted names of functions in your code that return a MongoDB client "
                 "(added to client-factories from [tool.mongolint]). (Default: none)")

    @classmethod
    def parse_options(cls, options) -> None:
        cls.client_factories = frozenset(getattr(options, "mongolint_client_factories", None) or ())
        selectors: List[str] = []
        for name in ("select", "extend_select"):
            selectors.extend(getattr(options, name, None) or ())
        cls.requested = tuple(s.strip().upper() for s in selectors
                              if s.strip().upper().startswith("MGL") and len(s.strip()) > 3)
        _SETTINGS.clear()

    def run(self) -> Iterator[Result]:
        text = "".join(self.lines)
        pyproject = find_pyproject(self._start_directory())
        factories = self.client_factories | _raw_client_factories(pyproject)
        if not prefilter.may_have_findings(text, _pattern(factories)) \
                and not self._imports_driver_objects(text, pyproject):
            return
        for line, column, message in check(self.filename, text, pyproject, self.client_factories,
                                           self.requested):
            yield line, column, message, type(self)

    def _imports_driver_objects(self, text: str, pyproject: Optional[str]) -> bool:
        """A file that names no driver but imports a module of the project that exports driver objects."""
        if _raw_table(pyproject).get("project-index") is False:
            return False
        from mongolint import project_files

        root = os.path.dirname(pyproject) if pyproject else None
        return project_files.for_root(root).view_for(self._project_path()).imports_driver_objects(text)

    def _project_path(self) -> str:
        return _project_path(self.filename)

    def _start_directory(self) -> str:
        directory = os.path.dirname(os.path.abspath(self.filename))
        return directory if os.path.isfile(self.filename) and os.path.isdir(directory) else os.getcwd()


def check(filename: str, text: str, pyproject: Optional[str], factories: FrozenSet[str],
          requested: Sequence[str] = ()) -> List[Tuple[int, int, str]]:
    """(line, 0-based column, "MGL101 message") for each finding in `text`."""
    from mongolint import config, discovery, engine, forked, limits
    from mongolint.findings import FileReport

    try:
        settings = settings_for(pyproject, factories, requested)
    except config.ConfigError as error:
        # flake8 reports an ExecutionError as a critical error, without a traceback.
        from flake8.exceptions import ExecutionError

        raise ExecutionError(f"mongolint: configuration error: {error}") from None
    module_name = discovery.module_name(filename, settings.project_root) if os.path.isfile(filename) else ""
    pattern = _pattern(frozenset(settings.client_factories))
    from mongolint import project_files

    project = project_files.view_for(_project_path(filename), settings)
    too_large = limits.check_text_size(text, settings.max_file_size)
    if too_large is not None:
        report = FileReport(filename, error=too_large)
    else:  # in a child process, under mongolint's time and memory limits
        report = forked.run_in_child(filename, functools.partial(
            engine.check_text, filename, text, settings, module_name=module_name, pattern=pattern,
            project=project), settings)
    results = [(f.line, f.column - 1, f"{f.code} {f.message}") for f in report.findings]
    problems = ([report.error] if report.error else []) + list(report.internal_errors)
    results.extend((1, 0, f"MGL000 mongolint could not check this file: {problem}") for problem in problems)
    return results


def _project_path(filename: str) -> str:
    """Where the file is, for its imports (stdin: the working directory)."""
    return filename if os.path.isfile(filename) else os.path.join(os.getcwd(), "stdin.py")


# --- configuration --------------------------------------------------------------

_SETTINGS: Dict[Tuple[Optional[str], FrozenSet[str], Tuple[str, ...]], Any] = {}
_TABLES: Dict[Optional[str], Dict[str, Any]] = {}


@functools.lru_cache(maxsize=None)
def _pattern(factories: FrozenSet[str]):
    return prefilter.build_pattern(factories)


@functools.lru_cache(maxsize=1024)
def find_pyproject(start: str) -> Optional[str]:
    """The nearest configuration file, remembered per directory (flake8 asks per file)."""
    from mongolint import config_files

    return config_files.nearest_config(start)


def _raw_table(pyproject: Optional[str]) -> Dict[str, Any]:
    """The configuration as written (through `extend`), for the pre-filter, which
    must not import the rules; errors are left to `settings_for`."""
    if pyproject not in _TABLES:
        from mongolint import config_files

        try:
            table: Any = config_files.raw_table(pyproject) if pyproject is not None else {}
        except Exception:  # any problem is reported by settings_for, which validates
            table = {}
        _TABLES[pyproject] = table if isinstance(table, dict) else {}
    return _TABLES[pyproject]


def _raw_client_factories(pyproject: Optional[str]) -> FrozenSet[str]:
    value = _raw_table(pyproject).get("client-factories", ())
    return frozenset(item for item in value if isinstance(item, str)) if isinstance(value, list) else frozenset()


def settings_for(pyproject: Optional[str], factories: FrozenSet[str], requested: Sequence[str] = ()):
    """mongolint's Settings for files under `pyproject`, with flake8's options added.

    A configuration error raises `ConfigError`: flake8 stops and prints it."""
    key = (pyproject, frozenset(factories), tuple(requested))
    if key not in _SETTINGS:
        from dataclasses import replace
        from pathlib import Path

        from mongolint import config
        from mongolint.rules import is_valid_selector

        settings = config.load_file(Path(pyproject)) if pyproject else config.Settings()
        extra = tuple(s for s in requested if is_valid_selector(s))
        # flake8 applies `# noqa` itself (and `--disable-noqa`): the engine must not.
        _SETTINGS[key] = replace(settings, client_factories=settings.client_factories | frozenset(factories),
                                 extend_select=settings.extend_select + extra, ignore_noqa=True)
    return _SETTINGS[key]
