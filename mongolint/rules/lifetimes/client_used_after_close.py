"""MGL110 client-used-after-close."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst

from mongolint.diagnostics import Diagnostic
from mongolint.model import SemanticModel
from mongolint.model.after import code_after, is_inside, running_scope
from mongolint.model.types import CLIENT, CURSOR_KINDS, MOTOR
from mongolint.model.walker import walk_same_scope
from mongolint.rules._helpers import short_code
from mongolint.rules.base import Rule
from mongolint.rules.lifetimes._ended import Ending, endings, rebound_inside

_CLOSE = frozenset({"close", "aclose"})
_CARRIERS = frozenset({"client", "database", "collection"}) | CURSOR_KINDS
# Builtins that iterate a cursor they are given.
_ITERATING = frozenset({"list", "tuple", "set", "sorted", "next", "dict", "sum", "any", "all"})


class ClientUsedAfterClose(Rule):
    code = "MGL110"
    name = "client-used-after-close"
    quiet_where_raise_expected = True
    trigger_words = frozenset({"close"})

    def check(self) -> Iterator[Diagnostic]:
        reported = set()
        for ending in endings(self.model, CLIENT, _CLOSE, with_ends=True):
            if ending.by_with and ending.found.flavour == MOTOR:
                continue  # not a context manager: `with` fails before anything is closed
            if rebound_inside(self.model, ending):
                continue  # the name holds another client when the block ends
            root = self.model.client_of(ending.value)
            where = "its `with` block ended" if ending.by_with else f"`{ending.name}.close()`"
            for load in self._loads_of_client(ending, root):
                operation = _operation_on(self.model, load)
                if operation is None or id(operation) in reported:
                    continue
                reported.add(id(operation))
                error = "AsyncMongoClient" if ending.found.is_async else "MongoClient"
                yield self.report(operation, f"`{short_code(operation)}` uses the client after {where}: this raises "
                                             f"`InvalidOperation: Cannot use {error} after close`")

    def _loads_of_client(self, ending: Ending, root) -> Iterator[cst.Name]:
        """Names after the close that hold the closed client or an object derived from it."""
        bindings = [b.node for b in ending.scope.bindings.get(ending.name, ())]
        name_live = True
        for statement in code_after(self.model, ending.statement):
            if name_live and any(b is statement or is_inside(self.model, b, statement) for b in bindings):
                name_live = False  # bound again: a new client from here on
            for node in walk_same_scope(statement):
                if not isinstance(node, cst.Name) or running_scope(self.model, node) is not ending.scope:
                    continue
                if node.value == ending.name and name_live:
                    yield node
                elif root is not None and self._derived_from(node, root):
                    yield node

    def _derived_from(self, name: cst.Name, root: cst.CSTNode) -> bool:
        found = self.model.driver_type(name)
        return found is not None and found.kind in _CARRIERS and self.model.client_of(name) is root


def _operation_on(model: SemanticModel, load: cst.Name) -> Optional[cst.CSTNode]:
    """The call that talks to the server through `load` (an operation, or the
    iteration of a cursor), following `.db.coll.find(...)` chains; None for
    plain derivations (`client.db`), `close()` and lazy `find()`s left alone."""
    node: cst.CSTNode = load
    while True:
        parent = model.parent(node)
        if isinstance(parent, cst.Attribute) and parent.value is node:
            call = model.parent(parent)
            if isinstance(call, cst.Call) and call.func is parent:
                receiver = model.driver_type(node)
                method = parent.attr.value
                if receiver is None or method in _CLOSE:
                    return None
                if model.does_io(receiver, method):
                    return call
                node = call
            else:
                node = parent
        elif isinstance(parent, cst.Subscript) and parent.value is node:
            node = parent
        elif isinstance(parent, cst.Await) and parent.expression is node:
            node = parent
        else:
            break
        if model.driver_type(node) is None:
            return None
    found = model.driver_type(node)
    if found is None or found.kind not in CURSOR_KINDS:
        return None
    parent = model.parent(node)
    if isinstance(parent, cst.For) and parent.iter is node:
        return node
    if isinstance(parent, cst.Arg):
        call = model.parent(parent)
        if isinstance(call, cst.Call) and isinstance(call.func, cst.Name) and call.func.value in _ITERATING:
            return call
    return None
