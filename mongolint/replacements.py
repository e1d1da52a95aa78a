"""A fix's node replacements applied to a module, and the same change as text
edits (for the output formats that carry edits a tool can apply)."""

from __future__ import annotations

from typing import Dict, Iterable, Tuple

import libcst as cst

from mongolint.findings import Edit


class _Replace(cst.CSTTransformer):
    def __init__(self, replacements: Dict[int, object]) -> None:
        super().__init__()
        self.replacements = replacements

    def on_leave(self, original_node, updated_node):
        return self.replacements.get(id(original_node), updated_node)


def apply_fixes(module: cst.Module, fixes: Iterable) -> str:
    """The module's code with every replacement of `fixes` made."""
    replacements = {id(node): new for fix in fixes for node, new in fix.replacements.items()}
    return module.visit(_Replace(replacements)).code


def text_edits(module: cst.Module, text: str, fix) -> Tuple[Edit, ...]:
    """The fix as one edit of `text`: the span between the unchanged start and
    the unchanged end, and what replaces it."""
    fixed = apply_fixes(module, [fix])
    if fixed == text:
        return ()
    start = 0
    limit = min(len(text), len(fixed))
    while start < limit and text[start] == fixed[start]:
        start += 1
    end_old, end_new = len(text), len(fixed)
    while end_old > start and end_new > start and text[end_old - 1] == fixed[end_new - 1]:
        end_old, end_new = end_old - 1, end_new - 1
    return (Edit(_position(text, start), _position(text, end_old), fixed[start:end_new]),)


def _position(text: str, offset: int) -> Tuple[int, int]:
    """1-based (line, column) of a character offset, columns in characters."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1
