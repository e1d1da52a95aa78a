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
        self._results: Dict[int, object] = {}  # statement -> what it became, while applying

    def edit(self, node: cst.CSTNode, change: Edit) -> None:
        self.edits.setdefault(id(node), []).append(change)

    def block(self, node: cst.CSTNode, message: str) -> None:
        if id(node) not in self._blocked:
            self._blocked.add(id(node))
            self.blockers.append((node, message))

    def remove_line(self, line: cst.SimpleStatementLine, block: cst.CSTNode, comments: List[cst.EmptyLine]) -> None:
        """Remove a statement line; its comments go above the next statement of
        `block` (or to the block's end)."""
        self.edit(line, lambda node: cst.RemovalSentinel.REMOVE)
        if not comments:
            return
        following = list(block.body)[list(block.body).index(line) + 1:]

        def keep_comments(node):
            for statement in following:
                result = self._results.get(id(statement))
                if isinstance(result, cst.FlattenSentinel):
                    result = result.nodes[0] if result.nodes else None
                if isinstance(result, cst.CSTNode) and any(s is result for s in node.body):
                    moved = result.with_changes(leading_lines=comments + list(result.leading_lines))
                    return node.with_changes(body=[moved if s is result else s for s in node.body])
            return node.with_changes(footer=list(node.footer) + comments)

        self.edit(block, keep_comments)

    def apply(self, module: cst.Module) -> cst.Module:
        self._results = {}
        return module.visit(_Apply(self.edits, self._results))


class _Apply(cst.CSTTransformer):
    def __init__(self, edits: Dict[int, List[Edit]], results: Dict[int, object]) -> None:
        super().__init__()
        self.edits, self.results = edits, results

    def on_leave(self, original_node, updated_node):
        result = updated_node
        for change in self.edits.get(id(original_node), ()):
            result = change(result)
        if type(original_node) is cst.SimpleStatementLine or isinstance(original_node, cst.BaseCompoundStatement):
            self.results[id(original_node)] = result
        return result
