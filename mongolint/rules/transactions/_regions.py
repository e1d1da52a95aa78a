"""Where a transaction is active, as MGL202 and MGL203 (and MGL306) see it.

Three shapes:

    with s.start_transaction():        # (and `async with await` / Motor `async with`)
        ...                            # the body

    s.start_transaction()
    ...                                # up to the commit or abort on `s`
    s.commit_transaction()

    s.with_transaction(callback)       # the callback's body; its first parameter
                                       # is the session
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, List, Optional, Sequence, Tuple, Union

import libcst as cst

from mongolint.model import SemanticModel
from mongolint.model.types import SESSION, TRANSACTION, DriverType
from mongolint.model.walker import blocks_of, walk_same_scope
from mongolint.rules._helpers import code, method_name, result_type

FINISH_METHODS = frozenset({"commit_transaction", "abort_transaction"})
Callback = Union[cst.FunctionDef, cst.Lambda]


@dataclass
class Region:
    kind: str  # "with", "span" or "callback"
    session: cst.BaseExpression  # the session expression where the transaction starts
    session_name: Optional[str]  # how code inside the region names the session
    flavour: Optional[str]
    client: Optional[cst.CSTNode]  # model.client_of the session
    nodes: Sequence[cst.CSTNode]  # the code that runs while the transaction is active


# -- `with s.start_transaction():` ------------------------------------------------

def transaction_item(model: SemanticModel, item: cst.WithItem) -> Optional[cst.Call]:
    """The `s.start_transaction()` call of a `with` item on a driver session."""
    inner = item.item.expression if isinstance(item.item, cst.Await) else item.item
    if not isinstance(inner, cst.Call) or method_name(inner) != "start_transaction":
        return None
    found = result_type(model, inner)
    return inner if found is not None and found.kind == TRANSACTION else None


def transaction_withs(model: SemanticModel) -> Iterator[tuple]:
    """(with statement, its `start_transaction()` call, the transaction type)."""
    for statement in model.index.withs:
        for item in statement.items:
            call = transaction_item(model, item)
            if call is not None:
                yield statement, call, result_type(model, call)
                break


# -- `s.start_transaction()` ... `s.commit_transaction()` -------------------------

def bare_starts(model: SemanticModel) -> Iterator[tuple]:
    """(the `s.start_transaction()` statement line, its call, the transaction type)."""
    for call in model.index.calls:
        if method_name(call) != "start_transaction":
            continue
        found = result_type(model, call)
        if found is None or found.kind != TRANSACTION:
            continue
        holder = model.strip_await(call)
        expr = model.parent(holder)
        line = model.parent(expr)
        if isinstance(expr, cst.Expr) and isinstance(line, cst.SimpleStatementLine):
            yield line, call, found


def span_after(model: SemanticModel, line: cst.SimpleStatementLine, start: cst.Call,
               session: str) -> List[cst.CSTNode]:
    """The code that runs after the `start_transaction()` call while the transaction
    is still active: the rest of its block, up to the statement that commits or
    aborts on `session` (into that statement, branch by branch, up to the call)."""
    block = model.parent(line)
    if not isinstance(block, (cst.IndentedBlock, cst.Module)):
        return []
    body = list(block.body)
    index = next(i for i, s in enumerate(body) if s is line)
    smalls = list(line.body)
    small = model.enclosing_statement(start)
    rest = smalls[smalls.index(small) + 1:] if small in smalls else []
    nodes, finished = _until_finish(rest, session)
    if finished:
        return nodes
    more, _ = _until_finish(body[index + 1:], session)
    return nodes + more


def until_finish(statements: Sequence[cst.CSTNode], session: str) -> List[cst.CSTNode]:
    """The code of `statements` that runs before a commit or abort on `session`."""
    return _until_finish(statements, session, False)[0]


def _until_finish(statements: Sequence[cst.CSTNode], session: str, helpers: bool = True):
    """(the code before the first finishing call on `session`, whether there is one)."""
    nodes: List[cst.CSTNode] = []
    for statement in statements:
        if _deletes(statement, session):  # `del session`: no later code can use its transaction
            return nodes, True
        if not _finishes(statement, session, helpers):
            nodes.append(statement)
            continue
        if isinstance(statement, cst.SimpleStatementLine):
            inner, _ = _until_finish(list(statement.body), session, helpers)
            nodes.extend(inner)
        elif isinstance(statement, cst.BaseCompoundStatement):
            nodes.extend(_headers_of(statement))
            for block in blocks_of(statement):
                inner, _ = _until_finish(list(block.body), session, helpers)
                nodes.extend(inner)
            if isinstance(statement, cst.If) and isinstance(statement.orelse, cst.If):
                inner, _ = _until_finish([statement.orelse], session, helpers)
                nodes.extend(inner)
        return nodes, True
    return nodes, False


def _deletes(statement: cst.CSTNode, session: str) -> bool:
    if not isinstance(statement, cst.SimpleStatementLine):
        return False
    return any(isinstance(small, cst.Del) and session in _deleted_names(small.target) for small in statement.body)


def _deleted_names(target: cst.BaseExpression) -> List[str]:
    if isinstance(target, cst.Tuple):
        return [code(element.value) for element in target.elements]
    return [code(target)]


def finishing_index(statements: Sequence[cst.CSTNode], start: int, session: str) -> Optional[int]:
    """Index of the first of `statements[start:]` that commits or aborts on
    `session` (or hands it to a helper that may): where a bare transaction ends."""
    return next((index for index in range(start, len(statements))
                 if _finishes(statements[index], session, True)), None)


def _finishes(node: cst.CSTNode, session: str, helpers: bool) -> bool:
    """Does `node` commit or abort on `session` (or, with `helpers`, hand the
    session to a function that may: `commit_with_retry(s)`)?"""
    for inner in walk_same_scope(node):
        if not isinstance(inner, cst.Call):
            continue
        if method_name(inner) in FINISH_METHODS and code(inner.func.value) == session:  # type: ignore[union-attr]
            return True
        if helpers and any(arg.keyword is None and code(arg.value) == session for arg in inner.args):
            return True
    return False


def _headers_of(statement: cst.CSTNode) -> List[cst.CSTNode]:
    if isinstance(statement, (cst.If, cst.While)):
        return [statement.test]
    if isinstance(statement, cst.For):
        return [statement.iter]
    if isinstance(statement, cst.With):
        return [item.item for item in statement.items]
    return []


# -- `s.with_transaction(callback)` -----------------------------------------------

def with_transaction_calls(model: SemanticModel) -> Iterator[tuple]:
    """(the `with_transaction` call, the session's type or None, the callback argument)."""
    for call in model.index.calls:
        if method_name(call) != "with_transaction":
            continue
        receiver = model.type_of(call.func.value)  # type: ignore[union-attr]
        if receiver is None and not model.uses_driver:
            continue
        if receiver is not None and not (isinstance(receiver, DriverType) and receiver.kind == SESSION):
            continue  # another library's, or the module's own, `with_transaction`
        argument = callback_argument(call)
        if argument is not None:
            yield call, receiver, argument


def callback_argument(call: cst.Call) -> Optional[cst.BaseExpression]:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "callback":
            return arg.value
    positional = [arg for arg in call.args if arg.keyword is None]
    if positional and not positional[0].star:
        return positional[0].value
    return None


def resolve_callback(model: SemanticModel, expr: cst.BaseExpression) -> Optional[Callback]:
    """The lambda or same-module function a callback expression names."""
    if isinstance(expr, cst.Lambda):
        return expr
    if isinstance(expr, cst.Name):
        bindings = model.bindings_of(expr)
        if len(bindings) == 1 and isinstance(bindings[0].node, cst.FunctionDef):
            return bindings[0].node
        return None
    if isinstance(expr, cst.Attribute):
        return model.method_of_own_class(expr)
    return None


_PARTIALS = frozenset({"functools.partial"})


def _positional_names(function: Callback) -> List[str]:
    return [p.name.value for p in list(function.params.posonly_params) + list(function.params.params)]


def callback_functions(model: SemanticModel, argument: cst.BaseExpression) -> List[Tuple[Callback, str]]:
    """The code the driver runs as the callback, each with the name its session
    parameter has there: the lambda or function passed (a bound method without
    `self`), the same-module function a lambda forwards the session to
    (`lambda s: place(s, order)`), and the function of `functools.partial(f, a)`
    (the session comes after the bound arguments)."""
    found: List[Tuple[Callback, str]] = []
    if isinstance(argument, cst.Call) and model.qualified_name(argument.func) in _PARTIALS:
        args = list(argument.args)
        if not args or args[0].keyword is not None or any(a.star for a in args):
            return found
        bound = len([a for a in args[1:] if a.keyword is None])
        target = resolve_callback(model, args[0].value)
        if isinstance(target, cst.FunctionDef):
            names = _positional_names(target)[1 if isinstance(args[0].value, cst.Attribute) else 0:]
            if len(names) > bound:
                found.append((target, names[bound]))
        return found
    callback = resolve_callback(model, argument)
    if callback is None:
        return found
    names = _positional_names(callback)
    if isinstance(argument, cst.Attribute) and isinstance(callback, cst.FunctionDef):
        names = names[1:]  # self
    if not names:
        return found
    found.append((callback, names[0]))
    if isinstance(callback, cst.Lambda) and isinstance(callback.body, cst.Call):
        forwarded = callback.body
        target = resolve_callback(model, forwarded.func) if isinstance(forwarded.func, (cst.Name, cst.Attribute)) \
            else None
        if isinstance(target, cst.FunctionDef):
            target_names = _positional_names(target)[1 if isinstance(forwarded.func, cst.Attribute) else 0:]
            for index, arg in enumerate(forwarded.args):
                if arg.keyword is not None or arg.star:
                    break
                if isinstance(arg.value, cst.Name) and arg.value.value == names[0] and index < len(target_names):
                    found.append((target, target_names[index]))
                    break
    return found


def callback_body(callback: Callback) -> List[cst.CSTNode]:
    if isinstance(callback, cst.Lambda):
        return [callback.body]
    return list(callback.body.body) if isinstance(callback.body, (cst.IndentedBlock, cst.SimpleStatementSuite)) else []


# -- all regions -------------------------------------------------------------------

def regions(model: SemanticModel) -> Iterator[Region]:
    for statement, call, found in transaction_withs(model):
        session = call.func.value  # type: ignore[union-attr]
        name = code(session)
        yield Region("with", session, name, found.flavour, model.client_of(session),
                     until_finish(list(statement.body.body), name))
    for line, call, found in bare_starts(model):
        session = call.func.value  # type: ignore[union-attr]
        name = code(session)
        yield Region("span", session, name, found.flavour, model.client_of(session),
                     span_after(model, line, call, name))
    for call, receiver, argument in with_transaction_calls(model):
        session = call.func.value  # type: ignore[union-attr]
        flavour = receiver.flavour if isinstance(receiver, DriverType) else model.sole_flavour
        for callback, name in callback_functions(model, argument):
            yield Region("callback", session, name, flavour, model.client_of(session),
                         until_finish(callback_body(callback), name))


def calls_in(nodes: Sequence[cst.CSTNode]) -> Iterator[cst.Call]:
    for node in nodes:
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            continue
        for inner in walk_same_scope(node):
            if isinstance(inner, cst.Call):
                yield inner
