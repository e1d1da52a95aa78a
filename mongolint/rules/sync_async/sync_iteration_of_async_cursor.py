"""MGL305 sync-iteration-of-async-cursor."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst

from mongolint.diagnostics import Applicability, Diagnostic, Fix
from mongolint.model.types import ASYNC, CHANGE_STREAM, CURSOR, CURSOR_KINDS, DriverType
from mongolint.rules.edits import expressions as _edits
from mongolint.rules.base import Rule
from mongolint.rules.sync_async._async_code import builtin_called, directly_in_async_def, driver_name

# Builtins that iterate their first argument to build their result.
_MATERIALISING = frozenset({"list", "tuple", "set", "frozenset", "sorted", "dict"})
_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)


class SyncIterationOfAsyncCursor(Rule):
    code = "MGL305"
    name = "sync-iteration-of-async-cursor"
    quiet_where_raise_expected = True
    fix_applicability = Applicability.SAFE
    trigger_words = frozenset({"AsyncMongoClient", "motor", "AsyncIOMotorClient", "MotorClient", "asynchronous"})

    def check(self) -> Iterator[Diagnostic]:
        for loop in self.model.index.loops:
            if isinstance(loop, cst.For) and loop.asynchronous is None:
                cursor = self._async_cursor(loop.iter)
                if cursor is not None:
                    yield self.report(loop.iter, self._message("`for`", cursor), self._for_fix(loop))
            elif isinstance(loop, _COMPREHENSIONS):
                clause: Optional[cst.CompFor] = loop.for_in
                while clause is not None:
                    cursor = self._async_cursor(clause.iter) if clause.asynchronous is None else None
                    if cursor is not None:
                        yield self.report(clause.iter, self._message("a comprehension", cursor),
                                          self._comprehension_fix(loop, clause))
                    clause = clause.inner_for_in
        for call in self.model.index.calls:
            builtin = builtin_called(self.model, call)
            if builtin not in _MATERIALISING or len(call.args) != 1 or call.args[0].keyword or call.args[0].star:
                continue
            cursor = self._async_cursor(call.args[0].value)
            if cursor is not None:
                yield self.report(call, self._message(f"`{builtin}()`", cursor),
                                  self._to_list_fix(call) if builtin == "list" else None)

    def _async_cursor(self, expr: cst.BaseExpression) -> Optional[DriverType]:
        found = self.model.driver_type(expr)
        if found is not None and found.is_async and found.kind in CURSOR_KINDS:
            return found
        return None

    @staticmethod
    def _message(how: str, cursor: DriverType) -> str:
        if cursor.flavour == ASYNC and cursor.kind == CURSOR:
            effect = "yields zero documents without any error (no query is sent)"
        else:
            effect = "raises `TypeError` (the cursor is not iterable)"
        kind = "change stream" if cursor.kind == CHANGE_STREAM else "cursor"
        remedy = "`async for`" if cursor.kind == CHANGE_STREAM else "`async for` or `await cursor.to_list(None)`"
        return f"iterating a {driver_name(cursor)} {kind} with {how} {effect}; use {remedy}"

    # -- fixes (inside `async def` only, where `async for` and `await` are valid) ----
    def _for_fix(self, loop: cst.For) -> Optional[Fix]:
        if not directly_in_async_def(self.model, loop):
            return None
        return Fix("iterate with `async for`", Applicability.SAFE,
                   {loop: loop.with_changes(asynchronous=cst.Asynchronous())})

    def _comprehension_fix(self, comprehension: cst.CSTNode, clause: cst.CompFor) -> Optional[Fix]:
        if isinstance(comprehension, cst.GeneratorExp):
            return None  # an async generator expression cannot be consumed like the original
        if not directly_in_async_def(self.model, comprehension, allow_generator=False):
            return None
        return Fix("iterate with `async for`", Applicability.SAFE,
                   {clause: clause.with_changes(asynchronous=cst.Asynchronous())})

    def _to_list_fix(self, call: cst.Call) -> Optional[Fix]:
        cursor = self._async_cursor(call.args[0].value)
        if cursor is None or cursor.kind == CHANGE_STREAM:
            return None  # change streams have no to_list()
        if not directly_in_async_def(self.model, call, allow_generator=False):
            return None
        receiver = call.args[0].value
        if _edits.needs_parens_as_receiver(receiver):
            receiver = receiver.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
        to_list = cst.Call(func=cst.Attribute(value=receiver, attr=cst.Name("to_list")),
                           args=[cst.Arg(value=cst.Name("None"))])
        to_list = to_list.with_changes(lpar=call.lpar, rpar=call.rpar)
        return Fix("`await cursor.to_list(None)`", Applicability.SAFE,
                   {call: _awaited_in_place(self.model, call, to_list)})


def _awaited_in_place(model, original: cst.Call, replacement: cst.Call) -> cst.BaseExpression:
    """`await replacement`, parenthesised as `original`'s position needs."""
    parent = model.parent(original)
    tight = (isinstance(parent, (cst.Attribute, cst.Subscript)) and parent.value is original) or \
        (isinstance(parent, cst.Call) and parent.func is original)
    if replacement.lpar:
        return cst.Await(expression=replacement.with_changes(lpar=[], rpar=[]),
                         lpar=replacement.lpar, rpar=replacement.rpar)
    if tight:
        return cst.Await(expression=replacement, lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return cst.Await(expression=replacement)
