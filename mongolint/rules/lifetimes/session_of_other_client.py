"""MGL107 session-of-other-client."""

from __future__ import annotations

from typing import Iterator

import libcst as cst

from mongolint.diagnostics import Diagnostic
from mongolint.model.types import SESSION
from mongolint.rules._helpers import code, method_name, short_code
from mongolint.rules.base import Rule


class SessionOfOtherClient(Rule):
    code = "MGL107"
    name = "session-of-other-client"
    quiet_where_raise_expected = True
    trigger_words = frozenset({"session"})

    def check(self) -> Iterator[Diagnostic]:
        for call in self.model.index.calls:
            if method_name(call) is None:
                continue
            session = next((arg.value for arg in call.args
                            if arg.keyword is not None and arg.keyword.value == "session"), None)
            found = self.model.driver_type(session) if session is not None else None
            if found is None or found.kind != SESSION:
                continue
            receiver = call.func.value  # type: ignore[union-attr]
            if self.model.driver_type(receiver) is None:
                continue
            mine, theirs = self.model.client_of(receiver), self.model.client_of(session)
            # Only two constructions are known to be two clients; a parameter may be either.
            if isinstance(mine, cst.Call) and isinstance(theirs, cst.Call) and mine is not theirs:
                yield self.report(session, f"session `{code(session)}` was started by `{short_code(theirs)}` but "
                                           f"`{method_name(call)}()` runs on `{short_code(mine)}`: this raises "
                                           f"`InvalidOperation: Can only use session with the MongoClient "
                                           f"that started it`")
