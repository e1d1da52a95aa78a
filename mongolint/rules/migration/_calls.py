"""Calls whose spelling differs between Motor and PyMongo Async: which methods
are coroutines (from the generated tables), what has no equivalent, and the
client's construction."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from mongolint.model import SemanticModel, api
from mongolint.model.types import (ASYNC, CLIENT, COLLECTION, COROUTINE, CURSOR_KINDS, DATABASE, MOTOR,
                                   DriverType, Foreign)
from mongolint.rules._helpers import code
from mongolint.rules.edits import expressions as _edits
from mongolint.rules.migration import motor_names as N
from mongolint.rules.migration._plan import Plan
from mongolint.rules.migration._survey import Survey, dotted
from mongolint.rules.migration._unmodelled import NO_LONGER_COROUTINES, NOW_COROUTINES, motor_class
from mongolint.rules.sync_async._async_code import directly_in_async_def

_DERIVED = {CLIENT: DATABASE, DATABASE: COLLECTION, COLLECTION: COLLECTION}


def _coroutine_changes():
    """Method names whose call is a coroutine in one driver and not the other."""
    changed = set()
    for (flavour, kind), methods in api.METHODS.items():
        if flavour != MOTOR:
            continue
        for name, (_, motor_coroutine, _) in methods.items():
            other = api.METHODS.get((ASYNC, kind), {}).get(name)
            if other is not None and other[1] != motor_coroutine:
                changed.add(name)
    return frozenset(changed)


CHANGED_COROUTINES = _coroutine_changes()
# Of those, the names no other library shares: reported on receivers of unknown type.
_DISTINCTIVE_CHANGES = CHANGED_COROUTINES - {"close", "rewind", "add_option"}


class MotorTypes:
    """The model's types, plus `app.state.client = AsyncIOMotorClient(...)`
    assignments to attributes of objects other than `self`, read by their dotted path."""

    def __init__(self, model: SemanticModel, survey: Survey) -> None:
        self.model, self.survey = model, survey
        self._resolving: set = set()

    def of(self, expr: cst.BaseExpression):
        found = self.model.type_of(expr)
        if found is not None or id(expr) in self._resolving:
            return found
        self._resolving.add(id(expr))
        try:
            return self._dotted(expr) or self._instance_attribute(expr) or self._derived(expr)
        finally:
            self._resolving.discard(id(expr))

    def _dotted(self, expr) -> Optional[DriverType]:
        values = self.survey.attribute_assignments.get(dotted(expr) or "")
        if not values:
            return None
        types = {self.of(value) for value in values}
        found = types.pop() if len(types) == 1 else None
        return found if isinstance(found, DriverType) else None

    def _instance_attribute(self, expr) -> Optional[DriverType]:
        """`store.client` for `store = Store()`, from what `Store` assigns to `self.client`."""
        if not isinstance(expr, cst.Attribute):
            return None
        owner = self.model.type_of(expr.value)
        if not isinstance(owner, Foreign) or not owner.origin.startswith("class "):
            return None
        name = owner.origin[len("class "):]
        classes = [c for c in self.model.index.classes if c.name.value == name]
        if len(classes) != 1:
            return None
        attribute = expr.attr.value
        found = set()
        for _, value, annotation in self.model.self_attribute_assignments(classes[0], attribute):
            if value is not None and not (isinstance(value, cst.Name) and value.value == "None"):
                found.add(self.model.type_of(value))
            elif annotation is not None:
                found.add(self.model.type_of_annotation(annotation))
        for statement in classes[0].body.body:
            line = statement.body[0] if isinstance(statement, cst.SimpleStatementLine) else None
            if isinstance(line, cst.AnnAssign) and isinstance(line.target, cst.Name) and \
                    line.target.value == attribute:
                found.add(self.model.type_of_annotation(line.annotation.annotation))
        found.discard(None)
        kind = found.pop() if len(found) == 1 else None
        return kind if isinstance(kind, DriverType) else None

    def _derived(self, expr) -> Optional[DriverType]:
        if not isinstance(expr, (cst.Attribute, cst.Subscript)):
            return None
        base = self.of(expr.value)
        if not isinstance(base, DriverType) or base.kind not in _DERIVED:
            return None
        if isinstance(expr, cst.Attribute):
            name = expr.attr.value
            if name.startswith("_") or name in api.METHODS.get((MOTOR, base.kind), {}) or \
                    name in api.ATTRIBUTES.get((MOTOR, base.kind), {}):
                return None
        return base.derive(_DERIVED[base.kind])


def plan_calls(model: SemanticModel, types: MotorTypes, plan: Plan) -> None:
    for call in model.index.calls:
        if model.qualified_name(call.func) in N.MIGRATED_NAMES:
            _construction(model, plan, call)
        if not isinstance(call.func, cst.Attribute):
            continue
        method = call.func.attr.value
        receiver = types.of(call.func.value)
        if isinstance(receiver, DriverType) and receiver.flavour == MOTOR and receiver.kind != COROUTINE:
            _method(model, plan, call, receiver, method)
        elif receiver is None:
            _unmodelled_receiver(model, plan, call, method) or _unknown_receiver(plan, call, method)
        if method == "to_list" and _length_is_zero(call) and not isinstance(receiver, Foreign):
            plan.block(call, N.TO_LIST_ZERO)


def plan_subclasses(model: SemanticModel, plan: Plan) -> None:
    """A class built on a Motor class overrides Motor's API (and often its
    internals, `delegate` and `wrap`): not something to rename blindly."""
    for class_def in model.index.classes:
        for base in class_def.bases:
            if N.is_motor(model.qualified_name(base.value)):
                plan.block(base, f"`{class_def.name.value}` subclasses Motor's `{code(base.value)}`: its overrides "
                                 "follow Motor's API; migrate the class by hand")


def plan_attributes(model: SemanticModel, types: MotorTypes, survey: Survey, plan: Plan) -> None:
    for attribute in survey.motor_only_attributes:
        if model.parent(attribute) is None:
            continue  # inside a string annotation's parse, not the module
        receiver = types.of(attribute.value)
        motor = isinstance(receiver, DriverType) and receiver.flavour == MOTOR
        if motor or (receiver is None and attribute.attr.value in N.DISTINCTIVE_MOTOR_ONLY):
            plan.block(attribute, N.MOTOR_ONLY_ATTRIBUTES[attribute.attr.value])


def _method(model: SemanticModel, plan: Plan, call: cst.Call, receiver: DriverType, method: str) -> None:
    motor = api.METHODS.get((MOTOR, receiver.kind), {}).get(method)
    pymongo_async = api.METHODS.get((ASYNC, receiver.kind), {}).get(method)
    if pymongo_async is None and (motor is not None or method in N.MOTOR_ONLY_METHODS):
        advice = N.MOTOR_ONLY_METHODS.get(method, f"`{method}()` has no PyMongo Async equivalent")
        plan.block(call, advice)
        return
    if motor is None:
        return
    if motor[1] and pymongo_async[1]:
        _eager_future(model, plan, call, method)
    elif motor[1] == pymongo_async[1]:
        return
    elif motor[1]:
        _no_longer_awaited(model, plan, call, method)
    else:
        _now_awaited(model, plan, call, receiver, method)


_SCHEDULERS = frozenset({"gather", "create_task", "ensure_future", "wait_for", "shield", "run", "run_until_complete"})
_FUTURE_METHODS = frozenset({"add_done_callback", "remove_done_callback", "result", "exception", "done", "cancel",
                             "cancelled", "set_result", "set_exception"})


def _eager_future(model: SemanticModel, plan: Plan, call: cst.Call, method: str) -> None:
    """A Motor operation returns a Future that is already running; PyMongo Async
    returns a coroutine that runs only when awaited or scheduled."""
    parent = model.parent(call)
    if isinstance(parent, (cst.Await, cst.Return)):
        return
    if isinstance(parent, cst.Expr):
        plan.block(call, f"Motor runs this `{method}()` in the background without `await`; PyMongo Async would "
                         "never run it: add `await` (MGL302's fix), then migrate")
    elif isinstance(parent, cst.Attribute) and parent.attr.value in _FUTURE_METHODS:
        plan.block(call, f"`{parent.attr.value}()` is a method of Motor's Future; PyMongo Async returns a coroutine, "
                         "which has none: await it, or wrap it in `asyncio.ensure_future(...)`, then migrate")
    elif isinstance(parent, cst.Arg):
        outer = model.parent(parent)
        if isinstance(outer, cst.Call) and isinstance(outer.func, (cst.Name, cst.Attribute)) and \
                (outer.func.value if isinstance(outer.func, cst.Name) else outer.func.attr.value) == "wait":
            plan.block(call, "`asyncio.wait()` takes tasks, not coroutines: wrap the operation in "
                             "`asyncio.ensure_future(...)`, then migrate")
    elif _future_method_of_name(model, call):
        plan.block(call, f"the `{method}()` Future is used through Future methods (`add_done_callback()`, "
                         "`result()`, ...); PyMongo Async returns a coroutine, which has none: await it, or wrap "
                         "it in `asyncio.ensure_future(...)`, then migrate")
    elif _awaits_between_binding_and_use(model, call):
        plan.block(call, f"Motor starts this `{method}()` at once, PyMongo Async when it is awaited, and other "
                         "operations are awaited in between here: await it where it is made, then migrate")


def _future_method_of_name(model: SemanticModel, call: cst.Call) -> bool:
    """`future = coll.insert_one(doc)` ... `future.add_done_callback(...)`."""
    target = _assigned_name(model, call)
    if target is None:
        return False
    for use in model.index.names.get(target.value, ()):
        parent = model.parent(use)
        if use is not target and isinstance(parent, cst.Attribute) and parent.value is use and \
                parent.attr.value in _FUTURE_METHODS and model.enclosing_function(use) is \
                model.enclosing_function(call):
            return True
    return False


def _assigned_name(model: SemanticModel, call: cst.Call) -> Optional[cst.Name]:
    statement = model.parent(call)
    if not isinstance(statement, (cst.Assign, cst.AnnAssign)):
        return None
    targets = [t.target for t in statement.targets] if isinstance(statement, cst.Assign) else [statement.target]
    return targets[0] if len(targets) == 1 and isinstance(targets[0], cst.Name) else None


def _no_longer_awaited(model: SemanticModel, plan: Plan, call: cst.Call, method: str) -> None:
    """`await client.start_session()` -> `client.start_session()`."""
    parent = model.parent(call)
    if isinstance(parent, cst.Await):
        plan.edit(parent, _unwrap_await)
    elif not isinstance(parent, cst.WithItem):
        plan.block(call, f"`{method}()` is a coroutine in Motor but not in PyMongo Async, and this one is awaited "
                         "elsewhere: migrate it by hand")


def _unwrap_await(node: cst.Await) -> cst.BaseExpression:
    inner = node.expression
    if node.lpar and not inner.lpar:
        return inner.with_changes(lpar=node.lpar, rpar=node.rpar)
    return inner


def _now_awaited(model: SemanticModel, plan: Plan, call: cst.Call, receiver: DriverType, method: str) -> None:
    """`coll.aggregate(p)` -> `await coll.aggregate(p)`, where `await` may be written."""
    if isinstance(model.parent(call), cst.Await):
        return
    if not directly_in_async_def(model, call, allow_generator=False):
        where = "a plain `def`" if model.enclosing_function(call) is not None else "module code"
        if method == "close" and receiver.kind == CLIENT:
            plan.block(call, f"`close()` is a coroutine in PyMongo Async; this one is in {where} (a shutdown hook?): "
                             "call `await client.close()` from async code, or keep a Motor-free sync client here")
        else:
            plan.block(call, f"`{method}()` is a coroutine in PyMongo Async and must be awaited, which {where} "
                             "cannot do: make the function `async def` and await it")
        return
    if _runs_earlier(model, call, receiver, method):
        plan.block(call, f"Motor sends `{method}` when the cursor is first used, PyMongo Async when the call is "
                         "awaited, and other operations are awaited in between here: move the call next to its "
                         "first use, then migrate")
        return
    wrap = _edits.awaited(model, call)
    plan.edit(call, lambda node, wrap=wrap: wrap.with_changes(
        expression=node.with_changes(lpar=[], rpar=[]) if node.lpar else node))


def _runs_earlier(model: SemanticModel, call: cst.Call, receiver: DriverType, method: str) -> bool:
    """`cursor = coll.aggregate(p)`, then `await` of something else, then `cursor` used:
    Motor's cursor is latent, so awaiting the call would reorder the commands."""
    returns = api.METHODS.get((MOTOR, receiver.kind), {}).get(method, (None, None, None))[2]
    return returns in CURSOR_KINDS and _awaits_between_binding_and_use(model, call)


def _awaits_between_binding_and_use(model: SemanticModel, call: cst.Call) -> bool:
    """`name = <call>`, then an `await` of something else, then `name` used."""
    target = _assigned_name(model, call)
    if target is None:
        return False
    statement = model.parent(call)
    function = model.enclosing_function(statement)
    later = [n for n in model.index.names.get(target.value, ())
             if n is not target and model.enclosing_function(n) is function and model.precedes(statement, n)]
    if not later:
        return False
    first_use = later[0]
    for use in later[1:]:
        if model.precedes(use, first_use):
            first_use = use
    return any(model.enclosing_function(a) is function and model.precedes(statement, a)
               and model.precedes(a, first_use) for a in model.index.awaits)


def _unmodelled_receiver(model: SemanticModel, plan: Plan, call: cst.Call, method: str) -> bool:
    """A GridFS file's `seek()`/`close()`, client-side encryption's `get_keys()`."""
    owner = motor_class(model, call.func.value)
    if owner is None:
        return False
    if method in NOW_COROUTINES.get(owner, ()):
        _now_awaited(model, plan, call, DriverType(owner, MOTOR), method)
    elif method in NO_LONGER_COROUTINES.get(owner, ()):
        _no_longer_awaited(model, plan, call, method)
    return True


def _unknown_receiver(plan: Plan, call: cst.Call, method: str) -> None:
    if method in N.DISTINCTIVE_MOTOR_ONLY:
        plan.block(call, N.MOTOR_ONLY_METHODS[method])
    elif method == "close" and "client" in code(call.func.value).lower() and not call.args:
        plan.block(call, f"cannot tell whether `{code(call.func.value)}` is a Motor client, whose `close()` becomes "
                         "a coroutine in PyMongo Async (left un-awaited, the client is never closed): annotate it "
                         "with its Motor class (or migrate this call by hand)")
    elif method in _DISTINCTIVE_CHANGES:
        plan.block(call, f"cannot tell whether `{code(call.func.value)}` is a Motor object, and `{method}()` is "
                         "spelled differently in PyMongo Async: annotate it with its Motor class (or migrate this "
                         "call by hand)")


def _length_is_zero(call: cst.Call) -> bool:
    for position, arg in enumerate(call.args):
        keyword = arg.keyword.value if arg.keyword is not None else None
        if (keyword == "length" or (keyword is None and position == 0)) and \
                isinstance(arg.value, cst.Integer) and arg.value.evaluated_value == 0:
            return True
    return False


def _construction(model: SemanticModel, plan: Plan, call: cst.Call) -> None:
    io_loop = next((a for a in call.args if a.keyword is not None and a.keyword.value == "io_loop"), None)
    if io_loop is not None:
        if isinstance(io_loop.value, (cst.Name, cst.Attribute)):
            plan.edit(call, lambda node: _edits.without_keyword(node, "io_loop") or node)
        else:
            plan.block(io_loop, f"`io_loop={code(io_loop.value)}` is evaluated for its side effects; PyMongo Async "
                                "takes no loop: remove the argument by hand, keeping what the expression must do")
    if _shared_across_loops(model, call):
        plan.block(call, "this client is built at import time and the module runs more than one event loop: "
                         "a PyMongo Async client belongs to one loop; build one client per loop")


def _shared_across_loops(model: SemanticModel, call: cst.Call) -> bool:
    if model.enclosing_function(call) is not None:
        return False
    loops = 0
    for other in model.index.calls:
        name = model.qualified_name(other.func) or ""
        if name in ("asyncio.new_event_loop", "threading.Thread"):
            return True
        if name == "asyncio.run" or (isinstance(other.func, cst.Attribute)
                                     and other.func.attr.value == "run_until_complete"):
            loops += 1
    return loops > 1
