"""A migration plan: edits to a module's nodes, and what stops it.

Edits are keyed by the original node and applied in one transformation, inner
nodes first, so an edit of a call and a rename inside its arguments compose.
A plan with a blocker is never applied: a file is migrated whole or not at all.
"""

from __future__ import annotations

from typing import Callable, Dict, List, Tuple

import libcst as cst

Edit = Callable[[cst.CSTNode], object]


class Plan:
    def __init__(self) -> None:
        self.edits: Dict[int, List[Edit]] = {}
        self.blockers: List[Tuple[cst.CSTNode, str]] = []
        self._blocked: set = set()

    def edit(self, node: cst.CSTNode, change: Edit) -> None:
        self.edits.setdefault(id(node), []).append(change)

    def block(self, node: cst.CSTNode, message: str) -> None:
        if id(node) not in self._blocked:
            self._blocked.add(id(node))
            self.blockers.append((node, message))

    def apply(self, module: cst.Module) -> cst.Module:
        return module.visit(_Apply(self.edits))


class _Apply(cst.CSTTransformer):
    def __init__(self, edits: Dict[int, List[Edit]]) -> None:
        super().__init__()
        self.edits = edits

    def on_leave(self, original_node, updated_node):
        result = updated_node
        for change in self.edits.get(id(original_node), ()):
            result = change(result)
        return result
