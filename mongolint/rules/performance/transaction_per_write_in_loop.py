"""MGL403 transaction-per-write-in-loop."""

from __future__ import annotations

from typing import Iterator

import libcst as cst

from mongolint.diagnostics import Diagnostic
from mongolint.model import SemanticModel
from mongolint.model.types import SESSION, TRANSACTION
from mongolint.model.walker import walk_same_scope
from mongolint.rules._helpers import method_name
from mongolint.rules.base import Rule
from mongolint.rules.performance._loops import (batch_alternative, io_calls, is_single_document_write,
                                                per_iteration_statements, session_or_transaction_start,
                                                statement_loops)


class TransactionPerWriteInLoop(Rule):
    """Every iteration of a loop starts a session or a transaction around one
    single-document write (the "improved" code of the seed article on too many
    connections). Opinionated, off by default."""

    code = "MGL403"
    name = "transaction-per-write-in-loop"
    enabled_by_default = False
    trigger_words = frozenset({"start_session", "start_transaction"})

    def check(self) -> Iterator[Diagnostic]:
        for loop in statement_loops(self.model):
            for statement in per_iteration_statements(loop):
                if not isinstance(statement, cst.With):
                    continue
                started = [session_or_transaction_start(self.model, item.item) for item in statement.items]
                started = [s for s in started if s is not None]
                if not started:
                    continue
                writes = io_calls(self.model, statement.body)
                if len(writes) != 1 or not is_single_document_write(self.model, writes[0]):
                    continue
                kinds = {s.kind for s in started} | _kinds_started_inside(self.model, statement.body)
                yield self.report(statement.items[0].item, _message(kinds, method_name(writes[0])))
                break  # the outermost `with` of the iteration is the one reported


def _kinds_started_inside(model: SemanticModel, body: cst.BaseSuite) -> set:
    kinds = set()
    for node in walk_same_scope(body):
        if isinstance(node, cst.With):
            for item in node.items:
                started = session_or_transaction_start(model, item.item)
                if started is not None:
                    kinds.add(started.kind)
    return kinds


def _message(kinds: set, method: str) -> str:
    if kinds >= {SESSION, TRANSACTION}:
        what, cost = "a session and a transaction", "they add a commit round trip to each item"
    elif SESSION in kinds:
        what, cost = "a session", "a session per item is bookkeeping that buys nothing"
    else:
        what, cost = "a transaction", "it adds a commit round trip to each item"
    return (f"every iteration starts {what} around a single `{method}()`: a one-document write is already "
            f"atomic, and {cost}; run one transaction around the whole loop, or collect the writes and send "
            f"them at once with {batch_alternative(method)}")
