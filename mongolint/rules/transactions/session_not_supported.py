"""MGL205 session-not-supported."""

from __future__ import annotations

from typing import Iterator

from mongolint.diagnostics import Applicability, Diagnostic, Fix
from mongolint.model.types import COROUTINE
from mongolint.rules.edits import expressions as _edits
from mongolint.rules._helpers import method_name, receiver_type
from mongolint.rules.base import Rule


class SessionNotSupported(Rule):
    """`session=` passed to a driver method that does not take it.

    `estimated_document_count(**kwargs)` raises `ConfigurationError` when `session`
    is among its keywords; every other method without a `session` parameter (and
    without `**kwargs`) raises `TypeError` (checked against PyMongo 4.20 and
    Motor 3.7).
    """

    code = "MGL205"
    name = "session-not-supported"
    quiet_where_raise_expected = True
    fix_applicability = Applicability.UNSAFE
    trigger_words = frozenset({"session"})

    def check(self) -> Iterator[Diagnostic]:
        for call in self.model.index.calls:
            session = next((arg for arg in call.args
                            if arg.keyword is not None and arg.keyword.value == "session"), None)
            if session is None:
                continue
            receiver = receiver_type(self.model, call)
            method = method_name(call)
            if receiver is None or receiver.kind == COROUTINE or method is None:
                continue
            entry = self.model.method(receiver, method)
            if entry is None or entry[0]:
                continue
            if method == "estimated_document_count":
                message = ("`estimated_document_count()` does not support sessions: `session=` makes it raise "
                           "`ConfigurationError`; remove it, or count through the session with "
                           "`count_documents({}, session=...)`")
            else:
                message = f"`{method}()` takes no `session` argument: the call raises `TypeError`; remove `session=`"
            new = _edits.without_keyword(call, "session")
            fix = Fix("remove `session=`", Applicability.UNSAFE, {call: new}) if new is not None else None
            yield self.report(call, message, fix)
