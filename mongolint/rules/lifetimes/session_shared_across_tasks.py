"""MGL109 session-shared-across-tasks."""

from __future__ import annotations

from typing import Dict, Iterator, List, Optional, Tuple

import libcst as cst

from mongolint.diagnostics import Diagnostic
from mongolint.model import SemanticModel
from mongolint.model.after import is_inside, nodes_after
from mongolint.model.types import SESSION
from mongolint.model.walker import children
from mongolint.rules._helpers import method_name
from mongolint.rules.base import Rule

_GATHER = frozenset({"asyncio.gather"})
_TASK_FUNCTIONS = frozenset({"asyncio.create_task", "asyncio.ensure_future"})
_EXECUTORS = frozenset({"concurrent.futures.ThreadPoolExecutor", "concurrent.futures.ProcessPoolExecutor",
                        "concurrent.futures.thread.ThreadPoolExecutor",
                        "concurrent.futures.process.ProcessPoolExecutor"})
_WAITS = frozenset({"result", "exception"})  # a future's methods that wait for it
_ADVICE = ("a session is not safe for concurrent use and the driver does not detect it; "
           "start one session per task")

SessionKey = Tuple[int, ...]


class SessionSharedAcrossTasks(Rule):
    code = "MGL109"
    name = "session-shared-across-tasks"
    trigger_words = frozenset({"gather", "create_task", "ensure_future", "Executor"})

    def check(self) -> Iterator[Diagnostic]:
        self._spawns: Dict[Tuple[int, SessionKey], List[cst.Call]] = {}
        for call in self.model.index.calls:
            kind = self._kind_of(call)
            if kind == "gather":
                yield from self._gather(call)
            elif kind == "map":
                yield from self._map(call)
            elif kind in ("task", "submit"):
                yield from self._spawn(call, kind)

    def _map(self, call: cst.Call) -> Iterator[Diagnostic]:
        function = call.args[0].value if call.args and call.args[0].keyword is None else None
        for session in (self._sessions_in(function, any_flavour=True) if function is not None else {}).values():
            yield self.report(call, f"session `{session.value}` is captured by the function `map()` runs on "
                                    f"several threads at once: {_ADVICE}")

    def _spawn(self, call: cst.Call, kind: str) -> Iterator[Diagnostic]:
        for key, session in self._sessions_in(call, any_flavour=kind == "submit").items():
            loop = self._repeating_loop(call, self.model.bindings_of(session))
            if loop is not None and not _waited_within(self.model, call, loop):
                yield self.report(call, f"session `{session.value}` is handed to a new {_noun(kind)} on every "
                                        f"iteration: the {_noun(kind)}s run at once; {_ADVICE}")
                continue
            earlier = self._spawns.setdefault((id(self.model.enclosing_function(call)), key), [])
            earlier.append(call)
            yield from self._again(earlier, session.value, kind)

    # -- what is spawned -----------------------------------------------------
    def _kind_of(self, call: cst.Call) -> Optional[str]:
        qualified = self.model.qualified_name(call.func)
        if qualified in _GATHER:
            return "gather"
        if qualified in _TASK_FUNCTIONS or method_name(call) == "create_task":
            return "task"
        if method_name(call) in ("submit", "map") and self._is_executor(call.func.value):  # type: ignore[union-attr]
            return method_name(call)
        return None

    def _is_executor(self, expr: cst.BaseExpression) -> bool:
        if not isinstance(expr, cst.Name):
            return False
        bindings = self.model.bindings_of(expr)
        return bool(bindings) and all(
            isinstance(b.value, cst.Call) and self.model.qualified_name(b.value.func) in _EXECUTORS
            for b in bindings)

    def _sessions_in(self, expr: cst.CSTNode, *, any_flavour: bool) -> Dict[SessionKey, cst.Name]:
        """The sessions named in `expr` (lambdas included), by the bindings of their name."""
        found: Dict[SessionKey, cst.Name] = {}
        stack = [expr]
        while stack:
            node = stack.pop()
            if isinstance(node, cst.Name):
                kind = self.model.driver_type(node)
                bindings = self.model.bindings_of(node)
                if kind is not None and kind.kind == SESSION and bindings and (any_flavour or kind.is_async):
                    found.setdefault(tuple(id(b) for b in bindings), node)
                continue
            stack.extend(children(node))
        return found

    # -- when they run at once -------------------------------------------------
    def _gather(self, call: cst.Call) -> Iterator[Diagnostic]:
        counts: Dict[SessionKey, int] = {}
        names: Dict[SessionKey, str] = {}
        for arg in call.args:
            if arg.keyword is not None:
                continue
            for key, session in self._sessions_in(arg.value, any_flavour=False).items():
                counts[key] = counts.get(key, 0) + (2 if arg.star else 1)
                names[key] = session.value
        for key, count in counts.items():
            if count >= 2:
                yield self.report(call, f"session `{names[key]}` is passed to several awaitables that "
                                        f"`asyncio.gather()` runs at once: {_ADVICE}")

    def _repeating_loop(self, call: cst.Call, bindings) -> Optional[cst.CSTNode]:
        """The loop or comprehension around `call` (in its function) that the session outlives."""
        child: cst.CSTNode = call
        for ancestor in self.model.ancestors(call):
            if isinstance(ancestor, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
                return None
            repeats = (isinstance(ancestor, (cst.For, cst.While)) and child is ancestor.body) or \
                isinstance(ancestor, (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp))
            if repeats and not any(is_inside(self.model, b.node, ancestor) for b in bindings):
                return ancestor
            child = ancestor
        return None

    def _again(self, earlier: List[cst.Call], name: str, kind: str) -> Iterator[Diagnostic]:
        """The newest spawn runs while an earlier one of the same session may still run."""
        latest = earlier[-1]
        for first in earlier[:-1]:
            statement = self.model.enclosing_statement(first)
            if not any(node is latest for node in nodes_after(self.model, statement)):
                continue
            if _waited_before(self.model, first, latest):
                continue
            yield self.report(latest, f"session `{name}` is handed to a second {_noun(kind)} while the first "
                                      f"may still run: {_ADVICE}")
            return


def _noun(kind: str) -> str:
    return "task" if kind == "task" else "thread-pool job"


def _waited_before(model: SemanticModel, spawn: cst.Call, later: cst.Call) -> bool:
    """Is the task or future waited for before `later` runs?"""
    return any(model.precedes(wait, later) for wait in _waits_for(model, spawn))


def _waited_within(model: SemanticModel, spawn: cst.Call, loop: cst.CSTNode) -> bool:
    """Is the task or future waited for in the iteration that created it?"""
    return any(wait is spawn or is_inside(model, wait, loop) and model.precedes(spawn, wait)
               for wait in _waits_for(model, spawn))


def _waits_for(model: SemanticModel, spawn: cst.Call) -> Iterator[cst.CSTNode]:
    """Where the spawned task or future is waited for: `await create_task(...)`,
    `submit(...).result()` (the spawn itself), or `await t` / `t.result()` on the
    name it is bound to."""
    if _is_waited(model, spawn):
        yield spawn
    holder = model.parent(spawn)
    if not (isinstance(holder, cst.Assign) and len(holder.targets) == 1
            and isinstance(holder.targets[0].target, cst.Name)):
        return
    for node in model.index.names.get(holder.targets[0].target.value, ()):
        if _is_waited(model, node):
            yield node


def _is_waited(model: SemanticModel, node: cst.CSTNode) -> bool:
    parent = model.parent(node)
    return isinstance(parent, cst.Await) or isinstance(parent, cst.Attribute) and parent.attr.value in _WAITS
