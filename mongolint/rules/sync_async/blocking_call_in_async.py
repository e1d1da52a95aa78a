"""MGL303 blocking-call-in-async."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst

from mongolint.diagnostics import Diagnostic
from mongolint.model.types import CURSOR_KINDS, SYNC
from mongolint.rules._helpers import code, method_name, receiver_origin, receiver_type
from mongolint.rules.base import Rule
from mongolint.rules.sync_async._async_code import ITERATING_BUILTINS, builtin_called, directly_in_async_def

_ADVICE = ("use `AsyncMongoClient` and `await` it, or run the call in a thread with "
           "`await asyncio.to_thread(...)`")


class BlockingCallInAsync(Rule):
    code = "MGL303"
    name = "blocking-call-in-async"
    fix_applicability = None
    trigger_words = frozenset({"async"})

    def check(self) -> Iterator[Diagnostic]:
        for call in self.model.index.calls:
            method = self._blocking_method(call)
            if method is None or not directly_in_async_def(self.model, call):
                continue
            if isinstance(self.model.parent(call), cst.Await):
                continue  # MGL301 reports the awaited sync call, with the same remedy
            yield self.report(call, f"`{method}()` of the synchronous driver{receiver_origin(self.model, call)} "
                                    f"blocks the event loop inside `async def` until the server answers; {_ADVICE}")
        yield from self._iterations()

    def _blocking_method(self, call: cst.Call) -> Optional[str]:
        receiver = receiver_type(self.model, call)
        method = method_name(call)
        if receiver is None or receiver.flavour != SYNC or method is None:
            return None
        return method if self.model.does_io(receiver, method) else None

    def _iterations(self) -> Iterator[Diagnostic]:
        """`for d in cursor`, `[d for d in cursor]`, `list(cursor)` fetch batches from the server."""
        for loop in self.model.index.loops:
            if isinstance(loop, cst.For) and loop.asynchronous is None:
                diagnostic = self._iteration(loop.iter)
                if diagnostic is not None:
                    yield diagnostic
            elif isinstance(loop, (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)):
                clause: Optional[cst.CompFor] = loop.for_in
                while clause is not None:
                    if clause.asynchronous is None:
                        diagnostic = self._iteration(clause.iter)
                        if diagnostic is not None:
                            yield diagnostic
                    clause = clause.inner_for_in
        for call in self.model.index.calls:
            if builtin_called(self.model, call) in ITERATING_BUILTINS and call.args \
                    and call.args[0].keyword is None and not call.args[0].star:
                diagnostic = self._iteration(call.args[0].value, consumer=call)
                if diagnostic is not None:
                    yield diagnostic

    def _iteration(self, iterable: cst.BaseExpression, consumer: Optional[cst.Call] = None) -> Optional[Diagnostic]:
        found = self.model.driver_type(iterable)
        if found is None or found.flavour != SYNC or found.kind not in CURSOR_KINDS:
            return None
        if isinstance(iterable, cst.Call) and self._blocking_method(iterable) is not None:
            return None  # the call that made the cursor is reported already
        node = consumer if consumer is not None else iterable
        if not directly_in_async_def(self.model, node):
            return None
        what = f"`{builtin_called(self.model, consumer)}()` over a cursor" if consumer is not None \
            else "iterating a cursor"
        origin = self.model.described(iterable, code(iterable))
        return self.report(node, f"{what} of the synchronous driver{origin} fetches batches from the server and "
                                 f"blocks the event loop inside `async def`; {_ADVICE}")
