"""The human formats: `full` (the default, `text`: each finding with its source
line and a caret), `concise` (one line a finding), `grouped` (by file) and
`pylint`; and the closing summary that ruff users know."""

from __future__ import annotations

from typing import List, Sequence, TextIO

from mongolint.output.names import display_path, in_cell

_BOLD, _RED, _CYAN, _RESET = "\033[1m", "\033[31m", "\033[36m", "\033[0m"


def write_concise(reports: Sequence, stream: TextIO, options) -> None:
    for report in reports:
        for finding in report.findings:
            stream.write(_heading(finding, options))


def write_full(reports: Sequence, stream: TextIO, options) -> None:
    for report in reports:
        lines = _lines(report, options)
        for finding in report.findings:
            stream.write(_heading(finding, options))
            _write_excerpt(stream, _cell_lines(lines, finding), finding, options.color)


def _heading(finding, options) -> str:
    """`path:line:col: CODE [*] message`, the line `concise` and `full` share."""
    return f"{_location(finding, options)} {_code(finding, options)}{_marker(finding, options)} {finding.message}\n"


def write_grouped(reports: Sequence, stream: TextIO, options) -> None:
    for report in reports:
        if not report.findings:
            continue
        stream.write(f"{_paint(display_path(report.path), _BOLD, options)}:\n")
        width = max(len(_position(f)) for f in report.findings)
        for finding in report.findings:
            position = _position(finding).ljust(width)
            stream.write(f"  {position} {_code(finding, options)}{_marker(finding, options)} {finding.message}\n")
        stream.write("\n")


def write_pylint(reports: Sequence, stream: TextIO, options) -> None:
    """`path:line: [CODE] message`, the line format pylint's parsers read."""
    for report in reports:
        for finding in report.findings:
            stream.write(f"{display_path(finding.path)}:{finding.line}: [{finding.code}] "
                         f"{in_cell(finding)}{finding.message}\n")


def write_summary(reports: Sequence, stream: TextIO, options) -> None:
    """`Found 3 errors.` and what `--fix` would do, or `All checks passed!`."""
    findings = [finding for report in reports for finding in report.findings]
    if not findings:
        if not any(report.error or report.internal_errors for report in reports):
            stream.write("All checks passed!\n")  # not when a file went unchecked
        return
    stream.write(f"Found {len(findings)} error{'s' * (len(findings) != 1)}.\n")
    applicable = sum(1 for finding in findings if _applies(finding, options))
    hidden = sum(1 for finding in findings
                 if _applicability(finding) == "unsafe" and not options.unsafe_fixes(finding.path))
    hint = (f" ({hidden} hidden fix{'es' * (hidden != 1)} can be enabled with the `--unsafe-fixes` option)"
            if hidden else "")
    if applicable:
        stream.write(f"[*] {applicable} fixable with the `--fix` option{hint}.\n")
    elif hidden:
        stream.write(f"No fixes available{hint}.\n")


def _applies(finding, options) -> bool:
    """Would `--fix` with the current flags apply this finding's fix? (A
    display-only fix is a suggestion: never.)"""
    applicability = _applicability(finding)
    return applicability == "safe" or applicability == "unsafe" and options.unsafe_fixes(finding.path)


def _applicability(finding) -> str:
    fix = finding.fix
    return "" if fix is None else getattr(fix.applicability, "value", fix.applicability)


def _marker(finding, options) -> str:
    return " [*]" if _applies(finding, options) else ""


def _location(finding, options) -> str:
    return _paint(f"{display_path(finding.path)}:{_position(finding)}:", _BOLD, options)


def _position(finding) -> str:
    """`2:5`, or in a notebook `cell 3:2:5` (as ruff writes it)."""
    where = f"{finding.line}:{finding.column}"
    return where if finding.cell is None else f"cell {finding.cell}:{where}"


def _code(finding, options) -> str:
    return _paint(finding.code, _RED + _BOLD, options)


def _paint(text: str, style: str, options) -> str:
    return f"{style}{text}{_RESET}" if options.color else text


def _lines(report, options):
    """The report's source lines; a notebook's, by cell number."""
    source = options.sources.get(report.path, "") if report.findings else ""
    if isinstance(source, dict):
        return {cell: text.splitlines() for cell, text in source.items()}
    return source.splitlines()


def _cell_lines(lines, finding) -> List[str]:
    if isinstance(lines, dict):
        return lines.get(finding.cell, [])
    return lines if finding.cell is None else []


def _write_excerpt(stream: TextIO, lines, finding, color: bool) -> None:
    if not 0 < finding.line <= len(lines):
        return
    source = lines[finding.line - 1].expandtabs(1)
    width = (finding.end_column - finding.column) if finding.end_line == finding.line else len(source) - finding.column + 1
    caret = " " * (finding.column - 1) + "^" * max(1, width)
    if color:
        caret = f"{_RED}{caret}{_RESET}"
    stream.write(f"  {finding.line:>4} | {source}\n       | {caret}\n")
