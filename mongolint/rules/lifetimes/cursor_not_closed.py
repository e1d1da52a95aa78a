"""MGL105 cursor-not-closed."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst

from mongolint.diagnostics import Applicability, Diagnostic
from mongolint.model.lifetime import Release, Verdict, lifetime_of_value, reads_to_the_end
from mongolint.model.types import CHANGE_STREAM, CURSOR
from mongolint.rules._helpers import method_name, result_type
from mongolint.rules.base import Rule
from mongolint.rules.lifetimes._manage import manage_binding

CURSOR_RELEASE = Release(methods=frozenset({"close"}), exhausted_by_reading=True)
STREAM_RELEASE = Release(methods=frozenset({"close"}))

_WHAT = {CURSOR: "cursor from `find(..., no_cursor_timeout=True)`", CHANGE_STREAM: "change stream from `watch()`"}
_MESSAGES = {
    Verdict.NEVER: "{what} is never closed; use `{with_} ... as {name}:`",
    Verdict.SOME_PATHS: "{what} is not closed on every path; use `{with_} ... as {name}:`",
    Verdict.ERROR_PATHS: "{what} is not closed when an exception is raised; "
                         "call `close()` in `finally` or use `{with_}`",
}


class CursorNotClosed(Rule):
    code = "MGL105"
    name = "cursor-not-closed"
    fix_applicability = Applicability.SAFE
    trigger_words = frozenset({"no_cursor_timeout", "watch"})

    def check(self) -> Iterator[Diagnostic]:
        for call in self.model.index.calls:
            kind = self._kind_opened(call)
            if kind is None or self.model.enclosing_function(call) is None:
                continue  # a module's cursor lives as long as the program, like its shared client
            release = CURSOR_RELEASE if kind == CURSOR else STREAM_RELEASE
            cursor = self._outermost(call, kind)
            if kind == CURSOR and reads_to_the_end(self.model, self.model.strip_await(cursor)):
                continue
            verdict = lifetime_of_value(self.model, cursor, release)
            if verdict is Verdict.MANAGED:
                continue
            found = result_type(self.model, call)
            with_ = "async with" if found.is_async else "with"
            name = "cursor" if kind == CURSOR else "stream"
            fix = manage_binding(self.model, cursor, release.methods, is_async=found.is_async,
                                 context_manager=True, what=name)
            yield self.report(call, _MESSAGES[verdict].format(what=_WHAT[kind], with_=with_, name=name), fix)

    def _outermost(self, call: cst.Call, kind: str) -> cst.CSTNode:
        """`coll.find(...).sort(...).limit(...)`: the chain's last call, the same cursor."""
        node: cst.CSTNode = call
        while True:
            attribute = self.model.parent(node)
            outer = self.model.parent(attribute)
            if not (isinstance(attribute, cst.Attribute) and attribute.value is node
                    and isinstance(outer, cst.Call) and outer.func is attribute):
                return node
            found = self.model.driver_type(outer)
            if found is None or found.kind != kind or attribute.attr.value == "clone":
                return node
            node = outer

    def _kind_opened(self, call: cst.Call) -> Optional[str]:
        """CURSOR for a `find()` that pins its server cursor, CHANGE_STREAM for `watch()`."""
        method = method_name(call)
        if method not in ("find", "find_raw_batches", "watch"):
            return None
        found = result_type(self.model, call)
        if found is None or found.kind not in (CURSOR, CHANGE_STREAM):
            return None
        if found.kind == CHANGE_STREAM:
            return CHANGE_STREAM
        pinned = any(arg.keyword is not None and arg.keyword.value == "no_cursor_timeout"
                     and isinstance(arg.value, cst.Name) and arg.value.value == "True" for arg in call.args)
        return CURSOR if pinned else None
