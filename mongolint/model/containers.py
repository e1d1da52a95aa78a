"""A resource put in a local list, dict or set that never leaves the function.

`sessions = [client.start_session()]`, `by_name[key] = session`,
`pending.append(session)`: the container is a plain local that is only filled,
measured or tested (`len(sessions)`, `key in by_name`), or whose items are only
passed as `session=`, so the resource goes nowhere. Any other use of the container (iterating it, reading an item,
passing it on, returning it) may release or hand on what it holds, and counts
as an escape.
"""

from __future__ import annotations

from typing import Callable, List, Optional

import libcst as cst

from mongolint.model import scopes as S
from mongolint.model.scopes import Binding

_FILLING_METHODS = frozenset({"append", "add", "insert", "extend", "update", "setdefault"})
_MEASURES = frozenset({"len", "bool", "print"})
_EMPTY_CONSTRUCTORS = frozenset({"list", "dict", "set"})
_LITERALS = (cst.List, cst.Dict, cst.Set, cst.Tuple)


def stays_in_local_container(model, value: cst.CSTNode,
                             uses_of: Callable[[Binding, object], List[cst.Name]]) -> Optional[bool]:
    """None when `value` does not flow into a local container; otherwise True
    when the container never leaves the function, False when it may."""
    bindings = _container_bindings(model, value)
    if bindings is None:
        return None
    scope = model.scope_of(bindings[0].node)
    return all(_only_filled(model, use) for b in bindings for use in uses_of(b, scope))


def _container_bindings(model, value: cst.CSTNode) -> Optional[List[Binding]]:
    parent = model.parent(value)
    name: Optional[cst.Name] = None
    if isinstance(parent, (cst.Element, cst.DictElement)) and parent.value is value:
        literal = model.parent(parent)
        holder = model.parent(literal)
        if isinstance(holder, cst.Assign) and holder.value is literal and len(holder.targets) == 1:
            target = holder.targets[0].target
            name = target if isinstance(target, cst.Name) else None
    elif isinstance(parent, cst.Assign) and parent.value is value and len(parent.targets) == 1:
        target = parent.targets[0].target
        if isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name):
            name = target.value
    elif isinstance(parent, cst.Arg) and parent.keyword is None:
        call = model.parent(parent)
        func = call.func if isinstance(call, cst.Call) else None
        if isinstance(func, cst.Attribute) and func.attr.value in _FILLING_METHODS \
                and isinstance(func.value, cst.Name):
            name = func.value
    if name is None:
        return None
    scope = model.scope_of(name)
    if scope.kind != "function" or name.value in scope.globals or name.value in scope.nonlocals:
        return None
    bindings = scope.bindings.get(name.value, [])
    if not bindings or not all(_is_new_container(b) for b in bindings):
        return None
    return bindings


def _is_new_container(binding: Binding) -> bool:
    value = binding.value
    if binding.kind != S.ASSIGN or value is None:
        return False
    if isinstance(value, _LITERALS):
        return True
    return (isinstance(value, cst.Call) and isinstance(value.func, cst.Name)
            and value.func.value in _EMPTY_CONSTRUCTORS and not value.args)


def _only_filled(model, use: cst.Name) -> bool:
    parent = model.parent(use)
    if isinstance(parent, cst.Attribute) and parent.value is use:
        return parent.attr.value in _FILLING_METHODS and isinstance(model.parent(parent), cst.Call)
    if isinstance(parent, cst.Subscript) and parent.value is use:
        holder = model.parent(parent)
        lent = isinstance(holder, cst.Arg) and holder.keyword is not None and holder.keyword.value == "session"
        return lent or isinstance(holder, (cst.AssignTarget, cst.Del))
    if isinstance(parent, cst.Arg) and parent.keyword is None:
        call = model.parent(parent)
        return isinstance(call.func, cst.Name) and call.func.value in _MEASURES
    if isinstance(parent, cst.ComparisonTarget):
        return True  # `key in by_name`
    return False
