"""Output formats. Each takes the reports of a run and writes to a stream."""

from __future__ import annotations

import importlib
from typing import Callable, Dict, Sequence, TextIO

from mongolint.findings import FileReport

Formatter = Callable[[Sequence[FileReport], TextIO, "OutputOptions"], None]


class OutputOptions:
    def __init__(self, *, show_source: bool = False, color: bool = False,
                 sources: Dict[str, str] = None) -> None:
        self.show_source = show_source
        self.color = color
        self.sources = sources or {}


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
    "text": ("text", "write_text"),
    "concise": ("text", "write_concise"),
    "json": ("json_format", "write_json"),
    "sarif": ("sarif", "write_sarif"),
    "github": ("github", "write_github"),
}
FORMATS: Dict[str, Formatter] = _Formats()

# Formats whose output must stay parseable: `--statistics` goes to stderr with them.
STRUCTURED_FORMATS = frozenset({"json", "sarif"})
