"""MGL102 client-not-closed."""

from __future__ import annotations

from typing import Iterator

from mongolint.diagnostics import Applicability, Diagnostic
from mongolint.model.client_opening import never_opened
from mongolint.model.lifetime import Release, Verdict, lifetime_of_value
from mongolint.rules._helpers import client_label, constructs_client, result_type
from mongolint.rules.base import Rule
from mongolint.rules.lifetimes._manage import manage_binding
from mongolint.model.types import MOTOR

CLIENT_RELEASE = Release(methods=frozenset({"close"}))

_MESSAGES = {
    Verdict.NEVER: "{name} created here is never closed; use `{with_} ... as client:` or close it in `finally`",
    Verdict.SOME_PATHS: "{name} created here is not closed on every path; use `{with_} ... as client:`",
    Verdict.ERROR_PATHS: "{name} created here is not closed when an exception is raised; "
                         "call `close()` in `finally` or use `{with_}`",
}


class ClientNotClosed(Rule):
    code = "MGL102"
    name = "client-not-closed"
    fix_applicability = Applicability.SAFE
    trigger_words = frozenset({"MongoClient", "AsyncMongoClient", "AsyncIOMotorClient", "MotorClient"})

    def check(self) -> Iterator[Diagnostic]:
        for call in self.model.index.calls:
            if self.model.enclosing_function(call) is None:
                continue  # a module-level client is the shared-client pattern
            if not constructs_client(self.model, call) or never_opened(self.model, call):
                continue
            verdict = lifetime_of_value(self.model, call, CLIENT_RELEASE)
            if verdict is Verdict.MANAGED:
                continue
            client = result_type(self.model, call)
            with_ = "async with" if client is not None and client.is_async else "with"
            message = _MESSAGES[verdict].format(name=client_label(self.model, call), with_=with_)
            is_async = client is not None and client.is_async
            # Motor clients are not context managers.
            context_manager = client is None or client.flavour != MOTOR
            fix = manage_binding(self.model, call, CLIENT_RELEASE.methods, is_async=is_async,
                                 context_manager=context_manager, what="client")
            yield self.report(call, message, fix)
