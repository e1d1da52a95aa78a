"""`text` (with source and caret on a terminal) and `concise` formats."""

from __future__ import annotations

from typing import Sequence, TextIO

from mongolint.output.names import display_path

_BOLD, _RED, _CYAN, _RESET = "\033[1m", "\033[31m", "\033[36m", "\033[0m"


def write_concise(reports: Sequence, stream: TextIO, options) -> None:
    for report in reports:
        for finding in report.findings:
            location = f"{display_path(finding.path)}:{finding.line}:{finding.column}:"
            stream.write(f"{location} {finding.code} {finding.message}\n")


def write_text(reports: Sequence, stream: TextIO, options) -> None:
    for report in reports:
        lines = None
        for finding in report.findings:
            location = f"{display_path(finding.path)}:{finding.line}:{finding.column}:"
            code = finding.code
            if options.color:
                location, code = f"{_BOLD}{location}{_RESET}", f"{_RED}{_BOLD}{code}{_RESET}"
            fixable = " [*]" if finding.fix is not None and finding.fix.applicability != "display-only" else ""
            stream.write(f"{location} {code}{fixable} {finding.message}\n")
            if options.show_source:
                if lines is None:
                    lines = options.sources.get(report.path, "").splitlines()
                _write_excerpt(stream, lines, finding, options.color)


def _write_excerpt(stream: TextIO, lines, finding, color: bool) -> None:
    if not 0 < finding.line <= len(lines):
        return
    source = lines[finding.line - 1].expandtabs(1)
    width = (finding.end_column - finding.column) if finding.end_line == finding.line else len(source) - finding.column + 1
    caret = " " * (finding.column - 1) + "^" * max(1, width)
    if color:
        caret = f"{_RED}{caret}{_RESET}"
    stream.write(f"  {finding.line:>4} | {source}\n       | {caret}\n")
