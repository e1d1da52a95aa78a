"""Does a client ever open? `MongoClient(..., connect=False)` starts no monitor
thread and opens no socket until its first operation (PyMongo 4.20: `_opened`
is set by the first server selection; `__del__` warns only for an opened client).
A client built that way and only inspected (`client.options`, `repr(client)`)
holds nothing to close and builds no pool."""

from __future__ import annotations

import libcst as cst

from mongolint.model.lifetime import uses_of_binding
from mongolint.model.paths import BUILTINS_THAT_KEEP_NOTHING

# Attributes that read the client's configuration without selecting a server
# (`address`, `primary`, `nodes` and the like do select one, and so open it).
_CONFIGURATION_ATTRIBUTES = frozenset({
    "options", "codec_options", "read_preference", "write_concern", "read_concern",
    "topology_description", "HOST", "PORT",
})


def never_opened(model, creation: cst.Call) -> bool:
    """`creation` builds a client with `connect=False` that no code can open."""
    if not any(arg.keyword is not None and arg.keyword.value == "connect"
               and isinstance(arg.value, cst.Name) and arg.value.value == "False" for arg in creation.args):
        return False
    holder = model.strip_await(creation)
    parent = model.parent(holder)
    if isinstance(parent, cst.Expr):
        return True
    if isinstance(parent, cst.Attribute) and parent.value is holder:
        return _inert_use(model, holder)
    if not (isinstance(parent, cst.Assign) and len(parent.targets) == 1
            and isinstance(parent.targets[0].target, cst.Name)):
        return False
    scope = model.scope_of(parent)
    name = parent.targets[0].target.value
    binding = next((b for b in scope.bindings.get(name, ()) if b.node is parent), None)
    if binding is None or name in scope.globals:
        return False
    return all(_inert_use(model, use) for use in uses_of_binding(model, binding, scope))


def _inert_use(model, use: cst.CSTNode) -> bool:
    parent = model.parent(use)
    if isinstance(parent, cst.Arg) and parent.keyword is None:
        call = model.parent(parent)
        return isinstance(call.func, cst.Name) and call.func.value in BUILTINS_THAT_KEEP_NOTHING
    if not (isinstance(parent, cst.Attribute) and parent.value is use):
        return False
    if parent.attr.value == "close":
        return isinstance(model.parent(parent), cst.Call)
    return parent.attr.value in _CONFIGURATION_ATTRIBUTES  # configuration objects do no I/O
