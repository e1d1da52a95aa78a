"""MGL101 session-not-ended."""

from __future__ import annotations

from typing import Iterator

from mongolint.diagnostics import Applicability, Diagnostic
from mongolint.model.lifetime import Release, Verdict, lifetime_of_value
from mongolint.model.types import SESSION
from mongolint.rules._helpers import flavour_is_settled, method_name, result_type
from mongolint.rules.base import Rule
from mongolint.rules.lifetimes._manage import manage_binding

# `with s.bind():` (PyMongo 4.17+) ends the session on exit.
SESSION_RELEASE = Release(methods=frozenset({"end_session"}), leaking_keywords=frozenset({"session"}),
                          scoped_by=frozenset({"bind"}))

_MESSAGES = {
    Verdict.NEVER: "session from `start_session()` is never ended; use `{with_} ... start_session() as session:`",
    Verdict.SOME_PATHS: "session from `start_session()` is not ended on every path; use `{with_} ... start_session() as session:`",
    Verdict.ERROR_PATHS: "session from `start_session()` is not ended when an exception is raised; "
                         "call `end_session()` in `finally` or use `{with_}`",
}


class SessionNotEnded(Rule):
    code = "MGL101"
    name = "session-not-ended"
    fix_applicability = Applicability.SAFE
    trigger_words = frozenset({"start_session"})

    def check(self) -> Iterator[Diagnostic]:
        for call in self.model.index.calls:
            if method_name(call) != "start_session":
                continue
            session = result_type(self.model, call)
            if session is None or session.kind != SESSION:
                continue
            verdict = lifetime_of_value(self.model, call, SESSION_RELEASE)
            if verdict is not Verdict.MANAGED:
                with_ = "async with" if session.is_async else "with"
                fix = manage_binding(self.model, call, SESSION_RELEASE.methods, is_async=session.is_async,
                                     context_manager=True, what="session") \
                    if flavour_is_settled(self.model, session, call, call.func.value) else None
                yield self.report(call, _MESSAGES[verdict].format(with_=with_), fix)
