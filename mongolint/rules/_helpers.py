"""Questions several rules ask of the model, phrased once."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from mongolint.model import SemanticModel, driver, project
from mongolint.model.dependent_bindings import handed_off_besides_return
from mongolint.model.project import BINDING_DECORATORS as _BINDING_DECORATORS
from mongolint.model.syntax import decorator_name
from mongolint.model.types import COROUTINE, DriverType


def code(node: cst.CSTNode) -> str:
    """The source text of a node, as written."""
    return cst.Module(body=[]).code_for_node(node)


def short_code(node: cst.CSTNode, limit: int = 60) -> str:
    """The source of a node, cut to `limit` characters for a message."""
    text = code(node)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def method_name(call: cst.Call) -> Optional[str]:
    return call.func.attr.value if isinstance(call.func, cst.Attribute) else None


def receiver_type(model: SemanticModel, call: cst.Call) -> Optional[DriverType]:
    if not isinstance(call.func, cst.Attribute):
        return None
    return model.driver_type(call.func.value)


def receiver_origin(model: SemanticModel, call: cst.Call) -> str:
    """` (`users`, a PyMongo collection from `app/database.py`)` when the
    receiver was resolved through another module of the project; else empty."""
    if not isinstance(call.func, cst.Attribute):
        return ""
    return model.described(call.func.value, code(call.func.value))


def result_type(model: SemanticModel, expr: cst.CSTNode) -> Optional[DriverType]:
    """The driver object an expression yields, looking through a coroutine."""
    found = model.driver_type(expr)
    if found is not None and found.kind == COROUTINE:
        return found.returns
    return found


def constructs_client(model: SemanticModel, call: cst.Call) -> bool:
    """A call that builds a new client: its constructor, or a function or method
    (`self.connection()`, `cls.get_client()`, one of another module) that returns
    a freshly constructed one."""
    if model.qualified_name(call.func) in driver.CLIENT_CLASSES:
        return not model.driver_patched(call)
    if isinstance(call.func, cst.Name):
        bindings = model.bindings_of(call.func)
        if len(bindings) == 1 and isinstance(bindings[0].node, cst.FunctionDef):
            return returns_new_client(model, bindings[0].node)
    if isinstance(call.func, cst.Attribute):
        method = model.method_of_own_class(call.func)
        if method is not None:
            return returns_new_client(model, method)
    return project.is_fresh_client(model.project_entity_called(call))


def returns_new_client(model: SemanticModel, function: cst.FunctionDef) -> bool:
    if any(decorator_name(d) not in _BINDING_DECORATORS for d in function.decorators):
        return False  # a cache or a fixture decides the client's life
    values = [r.value for r in model.returns_of(function) if r.value is not None]
    return bool(values) and all(_is_new_client(model, v) for v in values)


def _is_new_client(model: SemanticModel, value: cst.BaseExpression) -> bool:
    if isinstance(value, cst.Call):
        return model.qualified_name(value.func) in driver.CLIENT_CLASSES
    if isinstance(value, cst.Name):
        bindings = model.bindings_of(value)
        return bool(bindings) and all(
            b.value is not None and isinstance(b.value, cst.Call)
            and model.qualified_name(b.value.func) in driver.CLIENT_CLASSES
            and model.scope_of(b.node).kind == "function"
            and not handed_off_besides_return(model, b, model.scope_of(b.node)) for b in bindings)
    return False


def client_label(model: SemanticModel, call: cst.Call) -> str:
    """`MongoClient`, or `the client from get_client()` for a factory (and the
    module it is defined in, when that is another one)."""
    qualified = model.qualified_name(call.func) or ""
    if qualified in driver.CLIENT_CLASSES:
        return f"`{qualified.rsplit('.', 1)[-1]}`"
    made = model.project_entity_called(call)
    where = f" (defined in `{made.origin}`)" if made is not None and made.origin else ""
    return f"the client from `{code(call.func)}()`{where}"


def flavour_is_settled(model: SemanticModel, found: DriverType, where: cst.CSTNode, receiver: cst.CSTNode) -> bool:
    """Can a fix write `with` or `async with` for an object of type `found`? Not
    when its flavour is unknown, nor when it was guessed from the module's imports
    (its client is not known) in `async def`, where test suites drive PyMongo
    Async objects from modules that import only `pymongo`."""
    if found.flavour is None:
        return False
    return model.client_of(receiver) is not None or not model.in_async_function(where)
