"""Where a driver object comes from: the client construction it derives from."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from mongolint.model import driver
from mongolint.model import scopes as S

_MAX_STEPS = 16


def client_construction(model, expr: cst.CSTNode, steps: int = 0) -> Optional[cst.Call]:
    """The `MongoClient(...)` call whose client `expr` is or derives from
    (through names, attributes, subscripts, method calls, `await`, and the
    arguments every same-module caller passes), if there is exactly one."""
    if steps > _MAX_STEPS:
        return None
    step = steps + 1
    if isinstance(expr, cst.Await):
        return client_construction(model, expr.expression, step)
    if isinstance(expr, cst.Call):
        if model.qualified_name(expr.func) in driver.CLIENT_CLASSES:
            return expr
        if isinstance(expr.func, cst.Attribute):
            return client_construction(model, expr.func.value, step)
        return None
    if isinstance(expr, (cst.Attribute, cst.Subscript)):
        return client_construction(model, expr.value, step)
    if isinstance(expr, cst.Name):
        return _construction_of_name(model, expr, step)
    return None


def _construction_of_name(model, name: cst.Name, steps: int) -> Optional[cst.Call]:
    bindings = model.bindings_of(name)
    if len(bindings) != 1:
        return None
    binding = bindings[0]
    if binding.kind in (S.ASSIGN, S.WITH) and binding.value is not None:
        return client_construction(model, binding.value, steps)
    if binding.kind == S.PARAM:
        return _construction_from_callers(model, binding, steps)
    return None


def _construction_from_callers(model, binding, steps: int) -> Optional[cst.Call]:
    param = binding.node
    function = model.parent(model.parent(param))
    if not isinstance(function, cst.FunctionDef):
        return None
    positional = list(function.params.posonly_params) + list(function.params.params)
    index = next((i for i, p in enumerate(positional) if p is param), None)
    found = set()
    constructions = []
    for call in model.calls_of_function(function):
        argument = _argument(call, index, param.name.value)
        origin = client_construction(model, argument, steps) if argument is not None else None
        if origin is None:
            return None
        if id(origin) not in found:
            found.add(id(origin))
            constructions.append(origin)
    return constructions[0] if len(constructions) == 1 else None


def _argument(call: cst.Call, index, name: str) -> Optional[cst.BaseExpression]:
    position = 0
    for arg in call.args:
        if arg.star:
            return None
        if arg.keyword is not None:
            if arg.keyword.value == name:
                return arg.value
        elif position == index:
            return arg.value
        else:
            position += 1
    return None
