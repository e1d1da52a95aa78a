"""MGL403 transaction-per-write-in-loop."""

from __future__ import annotations

from typing import Iterator

import libcst as cst

from mongolint.diagnostics import Diagnostic
from mongolint.model.types import SESSION
from mongolint.rules._helpers import method_name
from mongolint.rules.base import Rule
from mongolint.rules.performance._loops import (SINGLE_WRITES, io_calls, is_single_document_write,
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
                yield self.report(statement.items[0].item, _message(started[0].kind, method_name(writes[0])))
                break  # the outermost `with` of the iteration is the one reported


def _message(kind: str, method: str) -> str:
    what = "a session" if kind == SESSION else "a transaction"
    batch, operation = SINGLE_WRITES.get(method, ("bulk_write", "UpdateOne"))
    return (f"every iteration starts {what} around a single `{method}()`: a one-document write is already "
            "atomic, and a session and a transaction per item add round trips (and a commit) to each; run "
            f"one transaction around the whole loop, or collect the writes and send them at once with "
            f"`{batch}` (`bulk_write` with `{operation}`)")
