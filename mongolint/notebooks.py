"""Jupyter notebooks (`.ipynb`), read as ruff reads them.

The code cells, in order, are one module: a client made in cell 1 and used in
cell 3 is known. Markdown and raw cells are skipped, and so are cells run by a
cell magic that is not Python (`%%bash`, `%%sql`...). IPython lines that are not
Python (`%time ...`, `!pip ...`, `x = !ls`, `obj?`) are neutralised: they become
a `pass` (or `...` after `=`) followed by the magic as a comment, so the module
parses and keeps its line and column numbers for everything else.

Findings are located by cell (1-based, counting every cell, as ruff and
editors do) and line and column within the cell. The JSON is read with the
standard library in the shape nbformat 4 defines; nothing of nbformat is needed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from typing import Any, Dict, List, Optional, Sequence, Tuple

from mongolint import ipython
from mongolint.findings import Edit, Finding

SUFFIX = ".ipynb"
# Cell magics whose body is Python (ruff's list): the body is checked.
PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "debug", "prun", "pypy", "python", "python3"})
_INDENT = re.compile(r"\A\{[ \t]*\r?\n([ \t]+)\"")


class NotebookError(Exception):
    """The file is not a notebook this reader understands."""


def is_notebook(path: str) -> bool:
    return path.lower().endswith(SUFFIX)


@dataclass
class Cell:
    number: int  # 1-based position among all the notebook's cells
    text: str  # the cell's code, ending with a newline
    had_final_newline: bool
    masked: List[Tuple[str, str]] = field(default_factory=list)  # (neutralised line, original line)


@dataclass
class Notebook:
    document: Dict[str, Any]
    raw: str
    cells: List[Cell]  # the code cells that are checked
    checked: bool = True  # False for a notebook whose kernel is not Python

    @property
    def code(self) -> str:
        return "".join(cell.text for cell in self.cells)

    def starts(self) -> List[int]:
        """The first line of each cell in `code`, then one past the last line."""
        starts, line = [], 1
        for cell in self.cells:
            starts.append(line)
            line += cell.text.count("\n")
        return starts + [line]

    def cell_sources(self) -> Dict[int, str]:
        """Cell number -> its original text (what the user sees), for excerpts."""
        return {cell.number: _source_text(self.document["cells"][cell.number - 1]) for cell in self.cells}


def read(data: bytes) -> Notebook:
    try:
        raw = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise NotebookError(f"invalid notebook: not UTF-8 ({error.reason} at byte {error.start})") from None
    try:
        document = json.loads(raw)
    except (ValueError, RecursionError) as error:
        raise NotebookError(f"invalid notebook: not JSON ({error})") from None
    _check_shape(document)
    cells = [_code_cell(number, cell) for number, cell in enumerate(document["cells"], start=1)
             if cell.get("cell_type") == "code"]
    return Notebook(document, raw, [cell for cell in cells if cell is not None], _is_python(document))


def _check_shape(document: Any) -> None:
    if not isinstance(document, dict) or not isinstance(document.get("cells"), list):
        if isinstance(document, dict) and "worksheets" in document:
            raise NotebookError("invalid notebook: nbformat 3 is not supported (convert it with `jupyter nbconvert "
                                "--to notebook`)")
        raise NotebookError("invalid notebook: no `cells` list")
    for number, cell in enumerate(document["cells"], start=1):
        if not isinstance(cell, dict) or not isinstance(cell.get("cell_type"), str):
            raise NotebookError(f"invalid notebook: cell {number} has no `cell_type`")
        source = cell.get("source", "")
        if not (isinstance(source, str) or isinstance(source, list) and all(isinstance(s, str) for s in source)):
            raise NotebookError(f"invalid notebook: cell {number}: `source` must be a string or a list of strings")


def _is_python(document: Dict[str, Any]) -> bool:
    """An R or Julia notebook is not ours to check."""
    metadata = document.get("metadata")
    if not isinstance(metadata, dict):
        return True
    for key, name in (("language_info", "name"), ("kernelspec", "language")):
        value = metadata.get(key)
        if isinstance(value, dict) and isinstance(value.get(name), str):
            return value[name].lower() == "python"
    return True


def _source_text(cell: Dict[str, Any]) -> str:
    source = cell.get("source", "")
    return source if isinstance(source, str) else "".join(source)


def _code_cell(number: int, cell: Dict[str, Any]) -> Optional[Cell]:
    text = _source_text(cell)
    first = text.lstrip().split("\n", 1)[0]
    if first.startswith("%%"):
        magic = first[2:].split(None, 1)[0] if first[2:].strip() else ""
        if magic not in PYTHON_CELL_MAGICS:
            return None  # a shell, SQL or HTML cell: not Python
    had_final_newline = text.endswith("\n") or not text
    if not had_final_newline:
        text += "\n"
    masked_text, masked = ipython.neutralise(text)
    return Cell(number, masked_text, had_final_newline, masked)


# -- positions ---------------------------------------------------------------

class CellIndex:
    """Lines of the concatenated code -> (cell number, line in the cell)."""

    def __init__(self, numbers: Sequence[int], starts: Sequence[int]) -> None:
        self.numbers, self.starts = list(numbers), list(starts)

    def cell_of(self, line: int) -> int:
        """The index (in `numbers`) of the cell holding `line`."""
        low, high = 0, len(self.numbers) - 1
        while low < high:
            middle = (low + high + 1) // 2
            if self.starts[middle] <= line:
                low = middle
            else:
                high = middle - 1
        return low

    def position(self, line: int, column: int) -> Tuple[int, int, int]:
        """(cell number, line in cell, column)."""
        if not self.numbers:
            return 1, line, column
        index = self.cell_of(line)
        return self.numbers[index], line - self.starts[index] + 1, column

    def line_in_code(self, cell: int, line: int) -> int:
        """The line of the concatenated code that is `line` of cell number `cell`."""
        return self.starts[self.numbers.index(cell)] + line - 1

    def finding(self, finding: Finding, keep_edits: bool = True) -> Finding:
        """The finding by cell. A fix whose edits would span cells is dropped:
        `--fix` does not apply it."""
        cell, line, column = self.position(finding.line, finding.column)
        end_cell, end_line, end_column = self.position(finding.end_line, finding.end_column)
        if end_cell != cell:  # a span into the next cell ends where its own cell ends
            end_index = self.cell_of(finding.line) + 1
            end_line, end_column = self.starts[end_index] - self.starts[end_index - 1] + 1, 1
        fix = finding.fix
        if fix is not None and fix.edits:
            edits = self.edits(fix.edits)
            fix = None if not edits else replace(fix, edits=edits if keep_edits else ())
        return replace(finding, line=line, column=column, end_line=end_line, end_column=end_column,
                       cell=cell, fix=fix)

    def edits(self, edits: Sequence[Edit]) -> Tuple[Edit, ...]:
        """Edits in cell coordinates; none when one would cross cells."""
        moved = []
        for edit in edits:
            if not self.within_one_cell(edit):
                return ()
            cell, line, column = self.position(*edit.start)
            index = self.cell_of(edit.start[0])
            moved.append(Edit((line, column), (edit.end[0] - self.starts[index] + 1, edit.end[1]), edit.content))
        return tuple(moved)

    def within_one_cell(self, edit: Edit) -> bool:
        """The edit changes one cell's lines only: it may end at the start of
        the next cell when it replaces whole lines with whole lines."""
        if not self.numbers:
            return True
        index = self.cell_of(edit.start[0])
        next_start = self.starts[index + 1]
        if edit.end[0] < next_start:
            return True
        return (edit.end == (next_start, 1)
                and (edit.content.endswith("\n") or (edit.content == "" and edit.start[1] == 1)))

    def shifted(self, edits: Sequence[Edit]) -> "CellIndex":
        """The index after `edits` (each within one cell, none overlapping)."""
        deltas = [0] * len(self.numbers)
        for edit in edits:
            deltas[self.cell_of(edit.start[0])] += edit.content.count("\n") - (edit.end[0] - edit.start[0])
        starts, shift = [self.starts[0]], 0
        for index, delta in enumerate(deltas):
            shift += delta
            starts.append(self.starts[index + 1] + shift)
        return CellIndex(self.numbers, starts)


def index_of(notebook: Notebook) -> CellIndex:
    return CellIndex([cell.number for cell in notebook.cells], notebook.starts())


# -- writing back ------------------------------------------------------------

def cells_of(notebook: Notebook, code: str, index: CellIndex) -> Optional[Dict[int, str]]:
    """Cell number -> the cell's new source, from the fixed concatenated code,
    with the IPython lines put back and the cell's final newline as it was;
    None when a fix changed an IPython line (it could not be put back)."""
    lines = code.splitlines(keepends=True)
    result = {}
    for position, cell in enumerate(notebook.cells):
        text = "".join(lines[index.starts[position] - 1:index.starts[position + 1] - 1])
        text = ipython.restored(text, cell.masked)
        if text is None:
            return None
        if not cell.had_final_newline and text.endswith("\n"):
            text = text[:-1]
        result[cell.number] = text
    return result


def dumps(notebook: Notebook, sources: Dict[int, str]) -> str:
    """The notebook's JSON with the changed cells' sources, written as the file
    was: same indentation, key order, escaping and final newline, and each
    source in the form it had (one string, or a list of lines)."""
    document = notebook.document
    for number, text in sources.items():
        cell = document["cells"][number - 1]
        if _source_text(cell) == text:
            continue
        cell["source"] = text if isinstance(cell.get("source"), str) else text.splitlines(keepends=True)
    raw = notebook.raw
    match = _INDENT.match(raw)
    indent = match.group(1) if match else None
    ensure_ascii = raw.isascii() and re.search(r"\\u(?!00[0-7])[0-9a-fA-F]{4}", raw) is not None
    text = json.dumps(document, indent=indent, ensure_ascii=ensure_ascii,
                      separators=(",", ": ") if indent is not None else (", ", ": "))
    return text + "\n" if raw.endswith("\n") else text


def cell_sources_of(path: str) -> Dict[int, str]:
    """Cell number -> source, of the notebook at `path` ({} if it cannot be read)."""
    try:
        with open(path, "rb") as handle:
            return read(handle.read()).cell_sources()
    except (OSError, NotebookError):
        return {}


def cell_sources_of_text(text: str) -> Dict[int, str]:
    try:
        return read(text.encode("utf-8", "surrogatepass")).cell_sources()
    except (NotebookError, UnicodeError):
        return {}
