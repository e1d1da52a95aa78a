"""Checking and fixing a notebook: its code cells as one module, through the
same engine and fix passes as a Python file; positions then told by cell."""

from __future__ import annotations

import difflib
import re
from dataclasses import replace
from typing import Dict, List, Optional, Sequence, Tuple

from mongolint import engine, fixes, limits, notebooks, prefilter, writing
from mongolint.findings import FileReport
from mongolint.notebooks import CellIndex, Notebook, NotebookError
from mongolint.output.names import display_path
from mongolint.replacements import text_edits
from mongolint.source import SourceText

_LINE_WARNING = re.compile(r"^line (\d+): ")
IPYTHON_LINE_CHANGED = "not fixed: the change would touch an IPython line (a magic or a shell command)"


def screen(data: bytes, pattern) -> Tuple[Optional[str], Optional[str]]:
    """(why the notebook cannot be read, or None; its cells' code when it names
    no driver, else None). The pre-filter reads the cells' code: in the raw file
    a JSON escape (`\\nimport pymongo`) would hide a word from it."""
    try:
        notebook = notebooks.read(data)
    except NotebookError as error:
        return str(error), None
    if not notebook.checked:
        return None, ""
    return None, None if prefilter.may_have_findings(notebook.code, pattern) else notebook.code


def check_bytes(path: str, data: bytes, settings, *, module_name: str = "",
                pattern=prefilter.DEFAULT_PATTERN, project=None) -> FileReport:
    try:
        notebook = notebooks.read(data)
    except NotebookError as error:
        return FileReport(path, error=str(error))
    if not notebook.checked:
        return FileReport(path)
    # With each fix's edits: a fix that would span cells is then not offered (no `[*]`).
    report = engine.check_text(path, notebook.code, replace(settings, fix_edits=True), module_name=module_name,
                               pattern=pattern, project=project)
    return in_cells(report, notebooks.index_of(notebook), keep_edits=settings.fix_edits)


def in_cells(report: FileReport, index: CellIndex, keep_edits: bool = True) -> FileReport:
    """The report with positions by cell."""
    report.findings = [index.finding(finding, keep_edits) for finding in report.findings]
    report.warnings = [_warning_in_cells(warning, index) for warning in report.warnings]
    return report


def _warning_in_cells(warning: str, index: CellIndex) -> str:
    match = _LINE_WARNING.match(warning)
    if not match:
        return warning
    cell, line, _ = index.position(int(match.group(1)), 1)
    return f"cell {cell}, line {line}: " + warning[match.end():]


class CellGuard:
    """Admits only the fixes that stay inside one cell, and follows the cells'
    lines as the fix passes change them."""

    def __init__(self, index: CellIndex) -> None:
        self.index = index
        self.refused: List[str] = []
        self._edits: Dict[int, Sequence] = {}

    def admit(self, analysis, diagnostics) -> list:
        admitted = []
        for diagnostic in diagnostics:
            edits = text_edits(analysis.module, analysis.text, diagnostic.fix)
            if all(self.index.within_one_cell(edit) for edit in edits):
                self._edits[id(diagnostic)] = edits
                admitted.append(diagnostic)
            else:
                cell, line, _ = self.index.position(edits[0].start[0], 1)
                message = (f"fix not applied: {diagnostic.code} ({diagnostic.fix.description}): it would span "
                           f"cells (from cell {cell}, line {line})")
                if message not in self.refused:
                    self.refused.append(message)
        return admitted

    def applied(self, diagnostics) -> None:
        edits = [edit for diagnostic in diagnostics for edit in self._edits.get(id(diagnostic), ())]
        self.index = self.index.shifted(edits)
        self._edits.clear()


def fix_file(path: str, settings, *, unsafe: bool, diff_only: bool, module_name: str = "",
             project=None) -> FileReport:
    """Fix a notebook's cells in place (or compute the diff), keeping every
    other byte of the notebook: outputs, metadata, ids, execution counts."""
    try:
        snapshot = writing.read_snapshot(path, settings.max_file_size)
    except OSError as error:
        return FileReport(path, error=f"cannot read: {error.strerror or error}")
    except limits.TooLarge as error:
        return FileReport(path, error=str(error))
    report, fixed = fix_data(path, snapshot.data, settings, unsafe=unsafe, diff_only=diff_only,
                             module_name=module_name, project=project)
    if fixed is None:
        return report
    problem = writing.write_fixed(path, snapshot, SourceText(snapshot.data.decode("utf-8"), "utf-8"), fixed,
                                  settings)
    if problem is not None:
        return _unfixed(path, snapshot.data, settings, module_name, problem, project)
    return report


def fix_data(path: str, data: bytes, settings, *, unsafe: bool, diff_only: bool,
             module_name: str = "", project=None) -> Tuple[FileReport, Optional[str]]:
    """(the report, the fixed notebook's JSON or None when nothing changed).
    With `diff_only`, nothing is fixed: the report, of the notebook as it is,
    carries the diff."""
    try:
        notebook = notebooks.read(data)
    except NotebookError as error:
        return FileReport(path, error=str(error)), None
    if not notebook.checked:
        return FileReport(path), None
    code, original = notebook.code, notebooks.index_of(notebook)
    guard = CellGuard(original)
    # With each fix's edits, so that a remaining fix that would span cells is not offered (no `[*]`).
    with_edits = replace(settings, fix_edits=True)
    outcome = fixes.fix_text(path, code, with_edits, unsafe=unsafe, module_name=module_name, project=project,
                             report_before=diff_only, guard=guard)
    final = guard.index if outcome.text != code else original  # a refused pass returns the first text
    report = outcome.before if diff_only else outcome.after
    if report is None:
        report = engine.check_text(path, code if diff_only else outcome.text, with_edits, module_name=module_name,
                                   project=project)
    report = in_cells(report, original if diff_only else final, keep_edits=settings.fix_edits)
    report.internal_errors.extend(outcome.internal_errors)
    report.notes.extend(outcome.notes + guard.refused)
    report.fixed = outcome.applied
    if outcome.text == code:
        return report, None
    sources = notebooks.cells_of(notebook, outcome.text, final)
    if sources is None:
        return _unfixed(path, data, settings, module_name, IPYTHON_LINE_CHANGED, project), None
    if diff_only:
        report.diff = cell_diff(path, notebook, sources)
        return report, None
    return report, notebooks.dumps(notebook, sources)


def add_noqa(path: str, findings, settings) -> Tuple[int, List[str], Optional[str]]:
    """`--add-noqa` in a notebook's cells: (directives added, the places
    refused as `cell N:line`, a one-line problem or None)."""
    from mongolint.add_noqa import with_directives

    try:
        snapshot = writing.read_snapshot(path, settings.max_file_size)
        notebook = notebooks.read(snapshot.data)
    except (OSError, NotebookError, limits.TooLarge) as error:
        return 0, [], f"cannot read: {error}"
    index = notebooks.index_of(notebook)
    codes_by_line: Dict[int, set] = {}
    for finding in findings:
        if finding.code != "MGL001" and finding.cell is not None:
            codes_by_line.setdefault(index.line_in_code(finding.cell, finding.line), set()).add(finding.code)
    text, added, refused = with_directives(notebook.code, codes_by_line)
    places = ["cell {}:{}".format(*index.position(line, 1)[:2]) for line in refused]
    if not added:
        return 0, places, None
    sources = notebooks.cells_of(notebook, text, index)
    if sources is None:
        return 0, places, IPYTHON_LINE_CHANGED
    problem = writing.write_fixed(path, snapshot, SourceText(notebook.raw, "utf-8"),
                                  notebooks.dumps(notebook, sources), settings)
    return (0 if problem else added), places, problem


def _unfixed(path: str, data: bytes, settings, module_name: str, problem: str, project=None) -> FileReport:
    """The notebook's findings as they are, and why they were not fixed."""
    report = check_bytes(path, data, settings, module_name=module_name, project=project)
    report.fixed = []
    report.error = problem
    return report


def cell_diff(path: str, notebook: Notebook, sources: Dict[int, str]) -> str:
    """As ruff shows it: one unified diff a changed cell, named `path:cell N`."""
    before = notebook.cell_sources()
    parts = []
    for number, text in sources.items():
        if text == before[number]:
            continue
        name = f"{display_path(path)}:cell {number}"
        parts.extend(difflib.unified_diff(_diff_lines(before[number]), _diff_lines(text),
                                          fromfile=name, tofile=name))
    return "".join(parts)


def _diff_lines(text: str) -> List[str]:
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    return lines
