"""MGL306 callback-flavour-mismatch."""

from __future__ import annotations

from typing import Iterator, Optional, Union

import libcst as cst

from mongolint.diagnostics import Diagnostic
from mongolint.model.types import COROUTINE, SESSION, SYNC, DriverType
from mongolint.rules.base import Rule
from mongolint.rules.sync_async._async_code import driver_name
from mongolint.model.walker import walk_same_scope
from mongolint.rules.transactions._regions import resolve_callback, with_transaction_calls

Callback = Union[cst.FunctionDef, cst.Lambda]
_PARTIALS = frozenset({"functools.partial", "functools.partialmethod"})
# Literals and displays: a value that is certainly not awaitable.
_PLAIN_VALUES = (cst.Integer, cst.Float, cst.SimpleString, cst.ConcatenatedString, cst.FormattedString,
                 cst.List, cst.Dict, cst.Tuple, cst.Set, cst.ListComp, cst.DictComp, cst.SetComp,
                 cst.Comparison, cst.BooleanOperation)


class CallbackFlavourMismatch(Rule):
    code = "MGL306"
    name = "callback-flavour-mismatch"
    fix_applicability = None
    trigger_words = frozenset({"with_transaction"})

    def check(self) -> Iterator[Diagnostic]:
        for _, session, argument in with_transaction_calls(self.model):
            if not (isinstance(session, DriverType) and session.kind == SESSION and session.flavour):
                continue  # the session's flavour is not known
            callback = self._callback(argument)
            if callback is None:
                continue
            if session.flavour == SYNC and self._is_async(callback):
                yield self.report(argument, "an `async def` callback passed to the synchronous `with_transaction()` "
                                            "is never awaited: its body never runs and the empty transaction "
                                            "commits; pass a plain `def`, or use `AsyncMongoClient` and "
                                            "`await s.with_transaction(callback)`")
            elif session.flavour != SYNC and self._returns_no_awaitable(callback):
                yield self.report(argument, f"a plain `def` callback passed to the {driver_name(session)} "
                                            "`with_transaction()`: its result is awaited, which raises `TypeError` "
                                            "and aborts the transaction; make the callback `async def`")

    def _callback(self, argument: cst.BaseExpression) -> Optional[Callback]:
        if isinstance(argument, cst.Call) and self.model.qualified_name(argument.func) in _PARTIALS \
                and argument.args and argument.args[0].keyword is None and not argument.args[0].star:
            argument = argument.args[0].value
        callback = resolve_callback(self.model, argument)
        if isinstance(callback, cst.FunctionDef) and callback.decorators:
            return None  # a decorator may change what calling it returns
        return callback

    def _is_async(self, callback: Callback) -> bool:
        if isinstance(callback, cst.FunctionDef):
            return callback.asynchronous is not None
        return self._is_coroutine_call(callback.body)

    def _is_coroutine_call(self, expr: cst.BaseExpression) -> bool:
        """A call of a same-module `async def` (or an async driver coroutine)."""
        if not isinstance(expr, cst.Call):
            return False
        if isinstance(expr.func, cst.Name):
            bindings = self.model.bindings_of(expr.func)
            return (len(bindings) == 1 and isinstance(bindings[0].node, cst.FunctionDef)
                    and bindings[0].node.asynchronous is not None and not bindings[0].node.decorators)
        found = self.model.driver_type(expr)
        return found is not None and found.kind == COROUTINE

    def _returns_no_awaitable(self, callback: Callback, depth: int = 0) -> bool:
        """A plain function whose every return value is certainly not awaitable."""
        if isinstance(callback, cst.Lambda):
            return self._not_awaitable(callback.body, depth)
        if callback.asynchronous is not None:
            return False
        nodes = list(walk_same_scope(callback.body))
        if any(isinstance(n, (cst.Yield, cst.Await)) for n in nodes):
            return False  # a generator, or not valid code
        returns = [n for n in nodes if isinstance(n, cst.Return)]
        return all(r.value is None or self._not_awaitable(r.value, depth) for r in returns)

    def _not_awaitable(self, expr: cst.BaseExpression, depth: int) -> bool:
        if isinstance(expr, _PLAIN_VALUES) or (isinstance(expr, cst.Name) and expr.value in ("None", "True", "False")):
            return True
        if not isinstance(expr, cst.Call) or depth > 3:
            return False
        found = self.model.driver_type(expr)
        if isinstance(expr.func, cst.Attribute):
            receiver = self.model.driver_type(expr.func.value)
            if receiver is not None and receiver.flavour == SYNC:
                return True  # the synchronous driver returns plain values
            return found is not None and found.kind != COROUTINE
        if isinstance(expr.func, cst.Name):
            if expr.func.value in ("print", "len", "str", "int", "bool", "list", "dict") \
                    and not self.model.bindings_of(expr.func):
                return True
            bindings = self.model.bindings_of(expr.func)
            if len(bindings) == 1 and isinstance(bindings[0].node, cst.FunctionDef) \
                    and not bindings[0].node.decorators:
                return self._returns_no_awaitable(bindings[0].node, depth + 1)
        return False
