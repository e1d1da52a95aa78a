"""Where `await` and `async for` may be written: questions MGL302 and MGL305 share."""

from __future__ import annotations

import libcst as cst

from mongolint.model import SemanticModel
from mongolint.model.types import MOTOR, DriverType

# Builtins that use their argument at once (iterate it, print it, test it) and keep nothing.
CONSUMING_BUILTINS = frozenset({
    "list", "tuple", "set", "frozenset", "sorted", "dict", "len", "print", "str", "repr", "bool",
    "iter", "next", "enumerate", "zip", "any", "all", "sum", "min", "max", "map", "filter", "reversed",
})
ITERATING_BUILTINS = frozenset({"list", "tuple", "set", "frozenset", "sorted", "dict", "sum", "min", "max",
                                "any", "all", "enumerate", "zip", "map", "filter", "iter", "next"})


def directly_in_async_def(model: SemanticModel, node: cst.CSTNode, *, allow_generator: bool = True) -> bool:
    """Is `node` in the body of an `async def` itself (not a lambda or a nested def)?
    With `allow_generator=False`, not inside a generator expression either (where
    `await` or `async for` would turn it into an async generator)."""
    child = node
    for ancestor in model.ancestors(node):
        if isinstance(ancestor, (cst.Lambda, cst.ClassDef)):
            return False
        if isinstance(ancestor, cst.GeneratorExp) and not allow_generator:
            return False
        if isinstance(ancestor, cst.FunctionDef):
            # Decorators, defaults and annotations run in the enclosing scope.
            return ancestor.asynchronous is not None and child is ancestor.body
        child = ancestor
    return False


def builtin_called(model: SemanticModel, call: cst.Call):
    """The name of a builtin `call` calls (not shadowed in the module), or None."""
    if not isinstance(call.func, cst.Name):
        return None
    if model.bindings_of(call.func):
        return None
    return call.func.value


def driver_name(found: DriverType) -> str:
    return "Motor" if found.flavour == MOTOR else "PyMongo Async"
