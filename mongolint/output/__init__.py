"""Output formats. Each takes the reports of a run and writes to a stream."""

from __future__ import annotations

from typing import Callable, Dict, Sequence, TextIO

from mongolint.findings import FileReport
from mongolint.output import github, json_format, sarif, text

Formatter = Callable[[Sequence[FileReport], TextIO, "OutputOptions"], None]


class OutputOptions:
    def __init__(self, *, show_source: bool = False, color: bool = False,
                 sources: Dict[str, str] = None) -> None:
        self.show_source = show_source
        self.color = color
        self.sources = sources or {}


FORMATS: Dict[str, Formatter] = {
    "text": text.write_text,
    "concise": text.write_concise,
    "json": json_format.write_json,
    "sarif": sarif.write_sarif,
    "github": github.write_github,
}

# Formats whose output must stay parseable: `--statistics` goes to stderr with them.
STRUCTURED_FORMATS = frozenset({"json", "sarif"})
