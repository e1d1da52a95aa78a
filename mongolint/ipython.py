"""IPython lines made Python, and put back: `%time ...`, `!pip ...`,
`x = !ls`, `obj?` become a `pass` (or `...` after `=`) with the magic as a
comment, so a cell parses and every other line keeps its line and columns;
the continuation lines of a magic become comments."""

from __future__ import annotations

import re
from typing import List, Optional, Sequence, Tuple

_STATEMENT_MASK = "pass#"
_VALUE_MASK = "...#"
_ASSIGNED_MAGIC = re.compile(r"^(\s*[\w.\[\]'\", ]+?\s*=\s*)([%!].*)$")


def neutralise(text: str) -> Tuple[str, List[Tuple[str, str]]]:
    """`text` with each IPython line made Python; the (new, original) lines."""
    lines = text.splitlines(keepends=True)
    masked: List[Tuple[str, str]] = []
    scanner = _Scanner()
    continuing_magic = False
    for index, line in enumerate(lines):
        body = line.rstrip("\r\n")
        ending = line[len(body):]
        if continuing_magic:
            stripped = body.lstrip()
            new = body[:len(body) - len(stripped)] + "#" + stripped
            continuing_magic = body.endswith("\\")
        elif scanner.at_statement_start():
            new = _masked_line(body)
            continuing_magic = new is not None and body.endswith("\\")
        else:
            new = None
        if new is None:
            scanner.feed(body)
            continue
        masked.append((new, body))
        lines[index] = new + ending
    return "".join(lines), masked


def _masked_line(body: str) -> Optional[str]:
    stripped = body.lstrip()
    indent = body[:len(body) - len(stripped)]
    if stripped.startswith(("%", "!", "?")):
        return indent + _STATEMENT_MASK + stripped
    if stripped.endswith("?") and not stripped.startswith("#") and "#" not in stripped:
        return indent + _STATEMENT_MASK + stripped  # `obj?` asks for help
    match = _ASSIGNED_MAGIC.match(body)
    if match and "==" not in match.group(1):
        return match.group(1) + _VALUE_MASK + match.group(2)
    return None


class _Scanner:
    """Just enough of Python's tokenizer to know whether a line starts a
    statement: not inside brackets, a string that spans lines, or after `\\`."""

    def __init__(self) -> None:
        self.depth = 0
        self.quote: Optional[str] = None  # the open triple quote
        self.continued = False

    def at_statement_start(self) -> bool:
        return self.depth == 0 and self.quote is None and not self.continued

    def feed(self, line: str) -> None:
        index, length = 0, len(line)
        while index < length:
            if self.quote is not None:
                end = _closing(line, index, self.quote)
                if end < 0:
                    break
                index, self.quote = end, None
                continue
            char = line[index]
            if char == "#":
                break
            if char in "'\"":
                triple = line[index:index + 3]
                if triple in ("'''", '"""'):
                    self.quote, index = triple, index + 3
                    continue
                end = _closing(line, index + 1, char)
                index = end if end >= 0 else length
                continue
            if char in "([{":
                self.depth += 1
            elif char in ")]}":
                self.depth = max(0, self.depth - 1)
            index += 1
        self.continued = line.endswith("\\") and self.quote is None


def _closing(line: str, index: int, quote: str) -> int:
    """The index just past `quote` closing a string from `index`, or -1."""
    while index < len(line):
        if line[index] == "\\":
            index += 2
        elif line.startswith(quote, index):
            return index + len(quote)
        else:
            index += 1
    return -1


def restored(text: str, masked: Sequence[Tuple[str, str]]) -> Optional[str]:
    """Each neutralised line back as it was, at the indentation it has now
    (None when one is no longer there as it was)."""
    if not masked:
        return text
    lines = text.splitlines(keepends=True)
    pending = list(masked)
    for number, line in enumerate(lines):
        if not pending:
            break
        body = line.rstrip("\r\n")
        new, original = pending[0]
        if body.strip() == new.strip():
            indent = body[:len(body) - len(body.lstrip())]
            lines[number] = indent + original.lstrip() + line[len(body):]
            pending.pop(0)
    return None if pending else "".join(lines)
