"""Is an object whose type was guessed from a method name used asynchronously?

`s = client.start_session()` with `client` unknown is taken to be of the one
driver flavour the module imports. A test suite that imports only `pymongo`
(for its errors) may still drive PyMongo Async objects: `await s.end_session()`,
`await s.start_transaction()`, `async with s:` say the guess is wrong.
"""

from __future__ import annotations

import libcst as cst

from mongolint.model.lifetime import uses_of_binding


def used_asynchronously(model, call: cst.Call) -> bool:
    """The result of `call` is awaited, or the name it is bound to is the
    receiver of an awaited call or entered by `async with` / `async for`."""
    if isinstance(model.parent(call), cst.Await):
        return True
    assign = model.parent(call)
    if not (isinstance(assign, cst.Assign) and len(assign.targets) == 1
            and isinstance(assign.targets[0].target, cst.Name)):
        return isinstance(assign, cst.Attribute) and assign.value is call and _awaited_method(model, assign)
    name = assign.targets[0].target.value
    scope = model.scope_of(assign)
    binding = next((b for b in scope.bindings.get(name, ()) if b.node is assign), None)
    if binding is None:
        return False
    return any(_async_use(model, use) for use in uses_of_binding(model, binding, scope))


def _async_use(model, use: cst.Name) -> bool:
    parent = model.parent(use)
    if isinstance(parent, cst.Attribute) and parent.value is use:
        return _awaited_method(model, parent)
    if isinstance(parent, cst.WithItem):
        return model.parent(parent).asynchronous is not None
    if isinstance(parent, cst.For) and parent.iter is use:
        return parent.asynchronous is not None
    return False


def _awaited_method(model, attribute: cst.Attribute) -> bool:
    """`await x.m()`, or `async with x.m()` / `async with await x.m()`."""
    call = model.parent(attribute)
    if not (isinstance(call, cst.Call) and call.func is attribute):
        return False
    holder = model.parent(call)
    if isinstance(holder, cst.Await):
        return True
    return isinstance(holder, cst.WithItem) and model.parent(holder).asynchronous is not None
