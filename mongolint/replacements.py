"""A fix's node replacements applied to a module, and the same change as text
edits (for the output formats that carry edits a tool can apply)."""

from __future__ import annotations

import difflib
from typing import Dict, Iterable, Optional, Set, Tuple

import libcst as cst

from mongolint.findings import Edit


class _Replace(cst.CSTTransformer):
    """Replaces the targets, descending only into the nodes on the way to one."""

    def __init__(self, replacements: Dict[int, object], on_the_way: Optional[Set[int]]) -> None:
        super().__init__()
        self.replacements = replacements
        self.on_the_way = on_the_way  # None: every node

    def on_visit(self, node) -> bool:
        return self.on_the_way is None or id(node) in self.on_the_way

    def on_leave(self, original_node, updated_node):
        return self.replacements.get(id(original_node), updated_node)


def apply_fixes(module: cst.Module, text: str, fixes: Iterable, on_the_way: Optional[Set[int]] = None) -> str:
    """The code of `module` (parsed from `text`) with every replacement of `fixes`
    made. `on_the_way`: the ids of the targets and their ancestors (None: visit
    every node)."""
    replacements = {id(node): new for fix in fixes for node, new in fix.replacements.items()}
    fixed = module.visit(_Replace(replacements, on_the_way)).code
    if "\f" in text:
        fixed = _with_form_feeds_of(text, module.code, fixed)
    return fixed


def text_edits(module: cst.Module, text: str, fix) -> Tuple[Edit, ...]:
    """The fix as one edit of `text`: the span between the unchanged start and
    the unchanged end, and what replaces it."""
    fixed = apply_fixes(module, text, [fix])
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


def _with_form_feeds_of(original: str, unchanged: str, fixed: str) -> str:
    """LibCST drops the form feeds (page breaks) before a statement on its
    line, even where no fix touched the code: put them back on the lines that
    came through unchanged."""
    # Not splitlines(): it splits at form feeds too.
    original_lines = original.split("\n")
    unchanged_lines = unchanged.split("\n")
    if len(original_lines) != len(unchanged_lines):
        return fixed
    lost = {}
    for index, (line, kept) in enumerate(zip(original_lines, unchanged_lines)):
        if line != kept:
            if not line.endswith(kept) or line[:len(line) - len(kept)].strip(" \t\f"):
                return fixed
            lost[index] = line[:len(line) - len(kept)]
    if not lost:
        return fixed
    fixed_lines = fixed.split("\n")
    matcher = difflib.SequenceMatcher(None, unchanged_lines, fixed_lines, autojunk=False)
    for block in matcher.get_matching_blocks():
        for offset in range(block.size):
            prefix = lost.get(block.a + offset)
            if prefix is not None:
                fixed_lines[block.b + offset] = prefix + fixed_lines[block.b + offset]
    return "\n".join(fixed_lines)


def _position(text: str, offset: int) -> Tuple[int, int]:
    """1-based (line, column) of a character offset, columns in characters."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1
