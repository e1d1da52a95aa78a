"""MGL404 write-one-in-loop."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst

from mongolint.diagnostics import Diagnostic
from mongolint.model.types import CHANGE_STREAM, COLLECTION
from mongolint.rules._helpers import method_name, receiver_type, result_type
from mongolint.rules.base import Rule
from mongolint.rules.performance._loops import (SINGLE_WRITES, batch_alternative, io_calls, names_bound_by, names_in,
                                                session_or_transaction_start)


class WriteOneInLoop(Rule):
    """`insert_one`/`update_one`/`replace_one`/`delete_one` as the only driver
    I/O of a `for` loop's body, on the same collection every time, its result
    unused: one round trip per item where one batch would do. Opinionated, off
    by default."""

    code = "MGL404"
    name = "write-one-in-loop"
    enabled_by_default = False
    trigger_words = frozenset(SINGLE_WRITES)

    def check(self) -> Iterator[Diagnostic]:
        for loop in self.model.index.loops:
            if not isinstance(loop, cst.For) or self._iterates_a_stream(loop):
                continue
            calls = io_calls(self.model, loop.body)
            if len(calls) != 1:
                continue
            write = calls[0]
            method = method_name(write)
            if method not in SINGLE_WRITES or not self._batchable(loop, write):
                continue
            yield self.report(write, f"`{method}()` is the only database call of this loop: one round trip per "
                                     f"item; collect the operations and send them at once with "
                                     f"{batch_alternative(method)}")

    def _iterates_a_stream(self, loop: cst.For) -> bool:
        """A change stream never ends: its events are handled one at a time."""
        found = result_type(self.model, loop.iter)
        return (found is not None and found.kind == CHANGE_STREAM) or method_name_of(loop.iter) == "watch"

    def _batchable(self, loop: cst.For, write: cst.Call) -> bool:
        receiver = receiver_type(self.model, write)
        if receiver is None or receiver.kind != COLLECTION:
            return False
        if names_in(write.func) & names_bound_by(loop):
            return False  # a different collection each time
        if not self._result_unused(write):
            return False
        return not self._inside_session_block(loop, write)

    def _result_unused(self, write: cst.Call) -> bool:
        node = self.model.strip_await(write)
        return isinstance(self.model.parent(node), cst.Expr)

    def _inside_session_block(self, loop: cst.For, write: cst.Call) -> bool:
        """A session or transaction per item around the write is MGL403's."""
        for ancestor in self.model.ancestors(write):
            if ancestor is loop:
                return False
            if isinstance(ancestor, cst.With) and any(
                    session_or_transaction_start(self.model, item.item) for item in ancestor.items):
                return True
        return False


def method_name_of(expr: cst.BaseExpression) -> Optional[str]:
    return method_name(expr) if isinstance(expr, cst.Call) else None
