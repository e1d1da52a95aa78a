"""Output formats. Each takes the reports of a run and writes to a stream."""

from __future__ import annotations

import importlib
from typing import Callable, Dict, Sequence, TextIO

from mongolint.findings import FileReport

Formatter = Callable[[Sequence[FileReport], TextIO, "OutputOptions"], None]


class OutputOptions:
    def __init__(self, *, show_source: bool = True, color: bool = False,
                 sources: Dict[str, str] = None, unsafe_fixes: Callable[[str], bool] = lambda path: False) -> None:
        self.show_source = show_source
        self.color = color
        self.sources = sources or {}
        # `[*]` marks the fixes that `--fix` with these flags applies; whether it
        # applies unsafe ones is each file's own setting (the nearest configuration).
        self.unsafe_fixes = unsafe_fixes


class _Formats(dict):
    """name -> formatter, each module imported when its format is asked for
    (a warm run from the cache is mostly start-up: it imports one)."""

    def __missing__(self, name: str) -> Formatter:
        module, function = _FORMAT_FUNCTIONS[name]
        formatter = getattr(importlib.import_module(f"mongolint.output.{module}"), function)
        self[name] = formatter
        return formatter

    def __iter__(self):
        return iter(_FORMAT_FUNCTIONS)

    def __contains__(self, name) -> bool:
        return name in _FORMAT_FUNCTIONS


_FORMAT_FUNCTIONS = {
    "full": ("text", "write_full"),
    "text": ("text", "write_full"),  # the first name of `full`
    "concise": ("text", "write_concise"),
    "grouped": ("text", "write_grouped"),
    "pylint": ("text", "write_pylint"),
    "json": ("json_format", "write_json"),
    "json-lines": ("json_format", "write_json_lines"),
    "sarif": ("sarif", "write_sarif"),
    "github": ("github", "write_github"),
    "junit": ("ci_formats", "write_junit"),
    "gitlab": ("ci_formats", "write_gitlab"),
    "rdjson": ("ci_formats", "write_rdjson"),
}
FORMATS: Dict[str, Formatter] = _Formats()

# Formats a person reads: they end with the summary (`Found 3 errors.`) and
# show the source of each finding.
HUMAN_FORMATS = frozenset({"full", "text", "concise", "grouped"})
# Formats whose output must stay parseable: `--statistics` goes to stderr with them.
STRUCTURED_FORMATS = frozenset({"json", "json-lines", "sarif", "junit", "gitlab", "rdjson"})
# Formats that carry a fix's edits (computing them costs a code generation a fix).
FORMATS_WITH_EDITS = frozenset({"json", "json-lines", "rdjson"})
