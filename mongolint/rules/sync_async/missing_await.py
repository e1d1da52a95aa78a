"""MGL302 missing-await."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst

from mongolint.diagnostics import Applicability, Diagnostic, Fix
from mongolint.model.lifetime import uses_of_binding
from mongolint.model.types import ASYNC, COROUTINE, CURSOR_KINDS, DriverType
from mongolint.rules.edits import expressions as _edits
from mongolint.rules._helpers import method_name, receiver_origin, receiver_type
from mongolint.rules.base import Rule
from mongolint.rules.sync_async._async_code import (CONSUMING_BUILTINS, builtin_called, directly_in_async_def,
                                                    driver_name)

# Where a coroutine object is used as if it were the result.
_STATEMENT, _VALUE, _ASYNC_WITH, _ITERATED, _UNUSED = "statement", "value", "async with", "iterated", "unused"
# Methods of the awaitable itself (a Motor Future, a coroutine): using them is
# handling the awaitable, not mistaking it for the result.
_AWAITABLE_METHODS = frozenset({"add_done_callback", "remove_done_callback", "result", "exception", "done",
                                "cancel", "cancelled", "send", "throw", "close", "__await__"})


class MissingAwait(Rule):
    code = "MGL302"
    name = "missing-await"
    fix_applicability = Applicability.SAFE
    trigger_words = frozenset({"async"})

    def check(self) -> Iterator[Diagnostic]:
        for call in self.model.index.calls:
            found = self.model.driver_type(call)
            if found is None or found.kind != COROUTINE or not found.is_async:
                continue
            receiver = receiver_type(self.model, call)
            if receiver is None or not receiver.is_async or receiver.kind == COROUTINE:
                continue  # a coroutine of the module's own, not a driver method
            if not directly_in_async_def(self.model, call):
                continue
            use = self._misuse(call)
            if use is not None:
                message = self._message(call, receiver, found, use).replace(
                    f"`{method_name(call)}()`", f"`{method_name(call)}()`{receiver_origin(self.model, call)}", 1)
                yield self.report(call, message, self._fix(call, found, use))

    # -- where the coroutine goes -----------------------------------------------
    def _misuse(self, call: cst.Call) -> Optional[str]:
        parent = self.model.parent(call)
        if isinstance(parent, cst.Await):
            return None
        if isinstance(parent, cst.Expr):
            return _STATEMENT
        if isinstance(parent, cst.WithItem):
            statement = self.model.parent(parent)
            return _ASYNC_WITH if isinstance(statement, cst.With) and statement.asynchronous else None
        if isinstance(parent, (cst.For, cst.CompFor)) and parent.iter is call:
            return _ITERATED
        if isinstance(parent, (cst.Assign, cst.AnnAssign)) and parent.value is call:
            return self._assigned(call, parent)
        return _VALUE if self._used_as_result(call) else None

    def _used_as_result(self, node: cst.CSTNode) -> bool:
        """Does the expression's value get used on the spot as if it were the result?"""
        parent = self.model.parent(node)
        if isinstance(parent, cst.Attribute) and parent.value is node:
            return parent.attr.value not in _AWAITABLE_METHODS
        if isinstance(parent, cst.Subscript) and parent.value is node:
            return True
        if isinstance(parent, (cst.Comparison, cst.ComparisonTarget, cst.BooleanOperation, cst.UnaryOperation,
                               cst.FormattedStringExpression)):
            return True
        if isinstance(parent, (cst.If, cst.While, cst.IfExp)) and parent.test is node:
            return True
        if isinstance(parent, (cst.For, cst.CompFor)) and parent.iter is node:
            return True
        if isinstance(parent, cst.Arg) and parent.keyword is None and not parent.star:
            call = self.model.parent(parent)
            return isinstance(call, cst.Call) and builtin_called(self.model, call) in CONSUMING_BUILTINS
        return False

    def _assigned(self, call: cst.Call, statement: cst.CSTNode) -> Optional[str]:
        """`result = coll.insert_one(doc)`: wrong unless the coroutine is awaited or
        handed on later."""
        target = statement.targets[0].target if isinstance(statement, cst.Assign) and \
            len(statement.targets) == 1 else getattr(statement, "target", None)
        if not isinstance(target, cst.Name):
            return None
        scope = self.model.scope_of(statement)
        bindings = scope.bindings.get(target.value, [])
        if len(bindings) != 1 or target.value in scope.globals or scope.kind != "function":
            return None
        uses = uses_of_binding(self.model, bindings[0], scope)
        for use in uses:
            if self.model.scope_of(use) is not scope or not self._used_as_result(use) \
                    and not isinstance(self.model.parent(use), cst.Expr):
                return None  # awaited, returned, passed on, stored: handled elsewhere
        return _UNUSED if not uses else _VALUE

    # -- message and fix --------------------------------------------------------
    def _message(self, call: cst.Call, receiver: DriverType, found: DriverType, use: str) -> str:
        method = method_name(call)
        returns = found.returns
        is_cursor = returns is not None and returns.kind in CURSOR_KINDS
        if use == _ASYNC_WITH:
            return (f"`{method}()` is a coroutine in {driver_name(receiver)}: `async with` on it raises `TypeError`; "
                    f"write `async with await ...{method}(...)`")
        if use == _ITERATED:
            loop = "async for" if is_cursor else "for"
            return (f"`{method}()` is a coroutine in {driver_name(receiver)}: iterating it raises `TypeError`; "
                    f"write `{loop} ... in await ...{method}(...)`")
        if receiver.flavour == ASYNC:
            effect = "nothing is sent and the coroutine is never run"
        else:
            effect = "it runs in the background and its result and errors are lost"
        if use == _VALUE:
            effect = "the code uses the coroutine object as if it were the result"
        return f"`{method}()` of {driver_name(receiver)} is not awaited: {effect}; add `await`"

    def _fix(self, call: cst.Call, found: DriverType, use: str) -> Optional[Fix]:
        new = _edits.awaited(self.model, call)
        returns = found.returns
        parent = self.model.parent(call)
        if use == _ITERATED and returns is not None and returns.kind in CURSOR_KINDS:
            if isinstance(parent, cst.For) and not parent.asynchronous:
                return Fix("iterate with `async for` over the awaited cursor", Applicability.SAFE,
                           {parent: parent.with_changes(iter=new, asynchronous=cst.Asynchronous())})
            if isinstance(parent, cst.CompFor) and not parent.asynchronous:
                if not directly_in_async_def(self.model, call, allow_generator=False):
                    return None
                return Fix("iterate with `async for` over the awaited cursor", Applicability.SAFE,
                           {parent: parent.with_changes(iter=new, asynchronous=cst.Asynchronous())})
        if not directly_in_async_def(self.model, call, allow_generator=False):
            return None
        return Fix("add `await`", Applicability.SAFE, {call: new})
