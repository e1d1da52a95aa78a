"""MGL301 await-non-awaitable."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst

from mongolint.diagnostics import Applicability, Diagnostic, Fix
from mongolint.model.types import COROUTINE, CURSOR_KINDS, SYNC, DriverType
from mongolint.rules._helpers import method_name, receiver_type
from mongolint.rules.base import Rule
from mongolint.model import driver
from mongolint.model.lifetime import uses_of_binding

_SYNC_CONTEXT_KINDS = frozenset({"client", "session", "transaction"}) | CURSOR_KINDS


class AwaitNonAwaitable(Rule):
    code = "MGL301"
    name = "await-non-awaitable"
    quiet_where_raise_expected = True
    fix_applicability = Applicability.SAFE
    trigger_words = frozenset({"await", "async"})

    def check(self) -> Iterator[Diagnostic]:
        for node in self.model.index.awaits:
            message = self._awaited_call_message(node.expression)
            if message is not None:
                yield self.report(node, message, self._remove_await(node) or self._switch_to_async(node)
                                  or self._suggest_sync_call(node))
        for statement in self.model.index.withs:
            if statement.asynchronous is not None:
                yield from self._async_with(statement)
        for loop in self.model.index.loops:
            for node, iterated in _async_iterations(loop):
                found = self.model.driver_type(iterated)
                if found is not None and found.flavour == SYNC and found.kind in CURSOR_KINDS:
                    yield self.report(node, "`async for` over a cursor of the synchronous driver raises "
                                            "`TypeError`; use `for`, or `AsyncMongoClient`")

    def _awaited_call_message(self, expr: cst.BaseExpression) -> Optional[str]:
        if not isinstance(expr, cst.Call):
            return None
        if self.model.qualified_name(expr.func) in driver.CLIENT_CLASSES:
            return "a client constructor returns no awaitable; remove `await`"
        receiver = receiver_type(self.model, expr)
        method = method_name(expr)
        if receiver is None or method is None or receiver.kind == COROUTINE:
            return None
        entry = self.model.method(receiver, method)
        if entry is None:
            return None
        if receiver.flavour == SYNC:
            return (f"`{method}()` of the synchronous driver returns no awaitable: `await` raises "
                    "`TypeError` after the call already ran; use `AsyncMongoClient` or drop `await`")
        if receiver.flavour is not None and not entry[1]:
            return f"`{method}()` is not a coroutine in {_driver_name(receiver)}; remove `await`"
        return None

    def _remove_await(self, node: cst.Await) -> Optional[Fix]:
        """Safe for an async driver's plain method: the call already returns its result."""
        receiver = receiver_type(self.model, node.expression) if isinstance(node.expression, cst.Call) else None
        if receiver is None or receiver.flavour == SYNC:
            return None
        inner = node.expression
        if node.lpar and not inner.lpar:
            inner = inner.with_changes(lpar=node.lpar, rpar=node.rpar)
        return Fix("remove `await`", Applicability.SAFE, {node: inner})

    def _suggest_sync_call(self, node: cst.Await) -> Fix:
        """Shown, never applied: without `await` the synchronous call works but
        blocks the event loop (MGL303); the client belongs to code this fix cannot see."""
        inner = node.expression
        if node.lpar and not inner.lpar:
            inner = inner.with_changes(lpar=node.lpar, rpar=node.rpar)
        return Fix("remove `await` (the call then blocks the event loop; better, use `AsyncMongoClient`)",
                   Applicability.DISPLAY_ONLY, {node: inner})

    def _switch_to_async(self, node: cst.Await) -> Optional[Fix]:
        """Unsafe: the sync client this awaited call derives from becomes an
        `AsyncMongoClient`, when it is built in this module and used only in
        async code (its other calls may then need `await`)."""
        call = node.expression
        receiver = call.func.value if isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute) else call
        construction = self.model.client_of(receiver)
        if not isinstance(construction, cst.Call) or self.model.qualified_name(construction.func) != "pymongo.MongoClient":
            return None
        if not self._used_only_in_async_code(construction):
            return None
        func = construction.func
        if isinstance(func, cst.Attribute):
            return Fix("use `AsyncMongoClient`", Applicability.UNSAFE,
                       {func: func.with_changes(attr=cst.Name("AsyncMongoClient"))}, priority=-1)
        imported = self._import_of(func)
        if imported is None:
            return None
        return Fix("use `AsyncMongoClient`", Applicability.UNSAFE,
                   {func: func.with_changes(value="AsyncMongoClient"), **imported}, priority=-1)

    def _used_only_in_async_code(self, construction: cst.Call) -> bool:
        assign = self.model.parent(construction)
        if not (isinstance(assign, cst.Assign) and len(assign.targets) == 1
                and isinstance(assign.targets[0].target, cst.Name)):
            return False
        scope = self.model.scope_of(assign)
        bindings = scope.bindings.get(assign.targets[0].target.value, [])
        if len(bindings) != 1:
            return False
        if scope.kind != "module" and not self.model.in_async_function(assign):
            return False
        uses = uses_of_binding(self.model, bindings[0], scope)
        return bool(uses) and all(self.model.in_async_function(use) for use in uses)

    def _import_of(self, func: cst.Name):
        """`from pymongo import MongoClient` gains `AsyncMongoClient`."""
        bindings = self.model.bindings_of(func)
        if len(bindings) != 1 or func.value != "MongoClient":
            return None
        statement = bindings[0].node
        if not isinstance(statement, cst.ImportFrom) or isinstance(statement.names, cst.ImportStar):
            return None
        names = list(statement.names)
        if any(isinstance(a.name, cst.Name) and a.name.value == "AsyncMongoClient" for a in names):
            return {}
        names[-1] = names[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        names.append(cst.ImportAlias(name=cst.Name("AsyncMongoClient")))
        return {statement: statement.with_changes(names=names)}

    def _async_with(self, statement: cst.With) -> Iterator[Diagnostic]:
        for item in statement.items:
            entered = self.model.driver_type(item.item)
            if entered is not None and entered.flavour == SYNC and entered.kind in _SYNC_CONTEXT_KINDS:
                yield self.report(statement, f"`async with` on a {entered.kind} of the synchronous driver "
                                             "raises `TypeError`; use `with`, or `AsyncMongoClient`")
                return


def _async_iterations(loop: cst.CSTNode):
    """(node to report, iterated expression) of each `async for` of a loop
    statement or a comprehension."""
    if isinstance(loop, cst.For):
        if loop.asynchronous is not None:
            yield loop, loop.iter
        return
    comp_for = getattr(loop, "for_in", None)
    while comp_for is not None:
        if comp_for.asynchronous is not None:
            yield comp_for, comp_for.iter
        comp_for = comp_for.inner_for_in


def _driver_name(receiver: DriverType) -> str:
    return "Motor" if receiver.flavour == "motor" else "the PyMongo Async API"
