"""MGL405 client-per-request."""

from __future__ import annotations

from typing import Iterator

from mongolint.diagnostics import Diagnostic
from mongolint.rules._helpers import client_label, constructs_client
from mongolint.rules.base import Rule
from mongolint.rules.lifetimes.client_in_loop import is_lazily_initialised
from mongolint.rules.performance._handlers import request_handlers


class ClientPerRequest(Rule):
    """A client constructed inside a web request handler: a new connection pool,
    its handshakes and its monitoring for every request."""

    code = "MGL405"
    name = "client-per-request"
    trigger_words = frozenset({"MongoClient", "AsyncMongoClient", "AsyncIOMotorClient", "MotorClient"})

    def check(self) -> Iterator[Diagnostic]:
        handlers = {id(h): h for h in request_handlers(self.model)}
        if not handlers:
            return
        for call in self.model.index.calls:
            function = self.model.enclosing_function(call)
            if function is None or id(function) not in handlers or not constructs_client(self.model, call):
                continue
            if is_lazily_initialised(self.model, call, function) or self.model.done_on_purpose(call):
                continue
            yield self.report(call, f"{client_label(self.model, call)} is called in `{function.name.value}`, "
                                    "which runs for every request: every request builds a new connection pool "
                                    "(handshakes, authentication, monitor threads); create one client when the "
                                    "application starts and share it")
