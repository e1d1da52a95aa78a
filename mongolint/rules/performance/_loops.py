"""What a loop iteration does with the driver: its I/O calls, and what it binds."""

from __future__ import annotations

from typing import Iterator, List, Optional, Set

import libcst as cst

from mongolint.model import SemanticModel
from mongolint.model.types import SESSION, TRANSACTION, DriverType
from mongolint.model.walker import children, walk_same_scope
from mongolint.rules._helpers import method_name, receiver_type, result_type

# Writes of one document: the operations a bulk write or insert_many batches.
SINGLE_WRITES = {
    "insert_one": ("insert_many", "InsertOne"),
    "update_one": ("bulk_write", "UpdateOne"),
    "replace_one": ("bulk_write", "ReplaceOne"),
    "delete_one": ("bulk_write", "DeleteOne"),
}


def batch_alternative(method: str) -> str:
    """How the writes of `method` are sent in one batch."""
    batch, operation = SINGLE_WRITES.get(method, ("bulk_write", "UpdateOne"))
    if batch == "insert_many":
        return "`insert_many` (or `bulk_write` with `InsertOne`)"
    return f"`bulk_write` with `{operation}`"


# Single-document writes that also read (their result is the document).
_SINGLE_DOCUMENT_OPERATIONS = frozenset(SINGLE_WRITES) | {
    "find_one_and_update", "find_one_and_replace", "find_one_and_delete"}
# Session calls that end or drive the transaction: not an operation of their own.
_SESSION_CONTROL = frozenset({"commit_transaction", "abort_transaction", "with_transaction", "end_session"})


def statement_loops(model: SemanticModel) -> Iterator[cst.CSTNode]:
    for loop in model.index.loops:
        if isinstance(loop, (cst.For, cst.While)):
            yield loop


def io_calls(model: SemanticModel, node: cst.CSTNode) -> List[cst.Call]:
    """Driver calls under `node` (same scope) that talk to the server."""
    found = []
    for inner in walk_same_scope(node):
        if not isinstance(inner, cst.Call):
            continue
        receiver = receiver_type(model, inner)
        method = method_name(inner)
        if receiver is None or method is None or receiver.kind == "coroutine":
            continue
        if receiver.kind == SESSION and method in _SESSION_CONTROL:
            continue
        if model.does_io(receiver, method):
            found.append(inner)
    return found


def is_single_document_write(model: SemanticModel, call: cst.Call) -> bool:
    return method_name(call) in _SINGLE_DOCUMENT_OPERATIONS


def session_or_transaction_start(model: SemanticModel, item: cst.BaseExpression) -> Optional[DriverType]:
    """The session or transaction a `with` item starts (`start_session()`, `start_transaction()`)."""
    while isinstance(item, cst.Await):
        item = item.expression
    if not isinstance(item, cst.Call) or method_name(item) not in ("start_session", "start_transaction"):
        return None
    if receiver_type(model, item) is None:
        return None  # a guess from the method name alone is not enough for advice
    found = result_type(model, item)
    return found if found is not None and found.kind in (SESSION, TRANSACTION) else None


def per_iteration_statements(loop: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Statements that run on every iteration: the body's, and those of `try` and
    `with` blocks in it (not of `if`, `except`, nested loops or defs)."""
    stack = list(reversed(loop.body.body)) if isinstance(loop.body, cst.IndentedBlock) else []
    while stack:
        statement = stack.pop()
        yield statement
        if isinstance(statement, (cst.Try, cst.TryStar, cst.With)) and isinstance(statement.body, cst.IndentedBlock):
            stack.extend(reversed(statement.body.body))


def names_bound_by(loop: cst.CSTNode) -> Set[str]:
    """Names the loop binds: its target and every name assigned in its body."""
    names: Set[str] = set()
    if isinstance(loop, cst.For):
        names |= names_in(loop.target)
    for node in walk_same_scope(loop.body):
        if isinstance(node, cst.AssignTarget):
            names |= names_in(node.target)
        elif isinstance(node, (cst.AnnAssign, cst.AugAssign)):
            names |= names_in(node.target)
        elif isinstance(node, cst.For):
            names |= names_in(node.target)
        elif isinstance(node, cst.AsName):
            names |= names_in(node.name)
        elif isinstance(node, cst.NamedExpr):
            names |= names_in(node.target)
    return names


def names_in(node: cst.CSTNode) -> Set[str]:
    """Every name under `node` (of an attribute, only its base: `coll` in `coll.insert_one`)."""
    found = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Name):
            found.add(current.value)
        stack.extend(children(current))
    return found
