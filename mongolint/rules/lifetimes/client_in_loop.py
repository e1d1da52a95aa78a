"""MGL103 client-in-loop."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst

from mongolint.diagnostics import Applicability, Diagnostic, Fix
from mongolint.model import SemanticModel
from mongolint.model.dependent_bindings import dependent_bindings
from mongolint.model.lifetime import uses_of_binding
from mongolint.model.client_opening import never_opened
from mongolint.model.lifetime import through_alternatives
from mongolint.model.paths import may_raise
from mongolint.model.walker import children as rw_children
from mongolint.rules._helpers import client_label, code, constructs_client
from mongolint.rules.edits import statements as rw
from mongolint.rules.base import Rule

_SCOPE_BOUNDARIES = (cst.FunctionDef, cst.Lambda, cst.ClassDef, cst.Module)
_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)


class ClientInLoop(Rule):
    code = "MGL103"
    name = "client-in-loop"
    fix_applicability = Applicability.UNSAFE
    trigger_words = frozenset({"MongoClient", "AsyncMongoClient", "AsyncIOMotorClient", "MotorClient"})
    quiet_where_raise_expected = True  # each iteration checks that a construction raises

    def check(self) -> Iterator[Diagnostic]:
        for call in self.model.index.calls:
            loop = repeating_loop(self.model, call)  # first: most calls are in no loop, and it is cheap
            if loop is None or not constructs_client(self.model, call):
                continue
            if is_lazily_initialised(self.model, call, loop) or leaves_loop_after(self.model, call, loop):
                continue
            if never_opened(self.model, call):
                continue
            if is_kept_per_iteration(self.model, call):
                continue  # `clients.append(MongoClient(uri))`: one client per item, on purpose
            yield self.report(call, f"{client_label(self.model, call)} is called inside a loop: every "
                                    "iteration creates a connection pool and monitor threads; create one "
                                    "client before the loop and reuse it", hoist_out_of_loop(self.model, call, loop))


def repeating_loop(model: SemanticModel, node: cst.CSTNode) -> Optional[cst.CSTNode]:
    """The innermost loop that evaluates `node` once per iteration, if any."""
    child = node
    in_first_iterable = False
    for ancestor in model.ancestors(node):
        if isinstance(ancestor, _SCOPE_BOUNDARIES):
            return None
        if isinstance(ancestor, cst.For) and child is ancestor.body:
            return ancestor
        if isinstance(ancestor, cst.While) and child in (ancestor.body, ancestor.test):
            return ancestor
        if isinstance(ancestor, cst.CompFor) and child is ancestor.iter:
            # The outermost `for ... in <iter>` of a comprehension runs once.
            in_first_iterable = isinstance(model.parent(ancestor), _COMPREHENSIONS)
        if isinstance(ancestor, _COMPREHENSIONS):
            if not in_first_iterable:
                return ancestor
            in_first_iterable = False
        child = ancestor
    return None


def is_lazily_initialised(model: SemanticModel, call: cst.Call, loop: cst.CSTNode) -> bool:
    """`if client is None: client = MongoClient()` (also `client = client or
    MongoClient()`, `client = MongoClient() if client is None else client`)
    builds at most one client."""
    target = _assigned_target(model, call)
    if target is None:
        return False
    value = through_alternatives(model, model.strip_await(call))
    if isinstance(value, cst.BooleanOperation) and code(value.left) == target:
        return True
    if isinstance(value, cst.IfExp) and _tests_emptiness_of(value.test, target):
        return True
    for ancestor in model.ancestors(call):
        if ancestor is loop:
            return False
        if isinstance(ancestor, cst.If) and _tests_emptiness_of(ancestor.test, target):
            return True
    return False


def _assigned_target(model: SemanticModel, call: cst.Call) -> Optional[str]:
    parent = model.parent(through_alternatives(model, model.strip_await(call)))
    if isinstance(parent, cst.Assign) and len(parent.targets) == 1:
        return code(parent.targets[0].target)
    if isinstance(parent, cst.AnnAssign):
        return code(parent.target)
    return None


def _tests_emptiness_of(test: cst.BaseExpression, target: str) -> bool:
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        return code(test.expression) == target
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        comparison = test.comparisons[0]
        return (isinstance(comparison.operator, (cst.Is, cst.Equal)) and code(test.left) == target
                and code(comparison.comparator) == "None")
    if isinstance(test, cst.BooleanOperation):
        return _tests_emptiness_of(test.left, target) or _tests_emptiness_of(test.right, target)
    return False


def leaves_loop_after(model: SemanticModel, call: cst.Call, loop: cst.CSTNode) -> bool:
    """`client = MongoClient(uri); break` runs at most once. Inside a `try` within
    the loop (a retry loop) a failed attempt goes round again: it builds at most
    one client when only the constructor can fail before the `return`/`break`
    (a constructor that raises builds nothing)."""
    if not isinstance(loop, (cst.For, cst.While)):
        return False
    statement = model.enclosing_statement(call)
    if isinstance(statement, cst.With):
        # `with MongoClient(uri) as client: ...; return ...`: what ends the `with`
        # body ends the iteration too (the shape MGL102's fix writes).
        ends_body = _ends_in_exit(statement.body)
        block = model.parent(statement)
        if not isinstance(block, cst.IndentedBlock) or not (ends_body or _ends_in_exit(block)):
            return False
        return not _inside_try_within(model, block, loop)
    line = model.parent(statement)
    block = model.parent(line)
    if not isinstance(block, cst.IndentedBlock):
        return False
    last = block.body[-1]
    if not _ends_in_exit(block):
        return False
    retried = any(isinstance(a, (cst.Try, cst.TryStar))
                  for a in _ancestors_until(model, block, loop))
    if not retried:
        return True
    if not isinstance(last, cst.SimpleStatementLine):
        return False  # the exit is inside a `with` or `try`: not sure only the constructor can fail
    between = list(block.body)[list(block.body).index(line) + 1:-1] if line is not last else []
    tail = [s for s in last.body if s is not last.body[-1]] if line is not last else []
    final = last.body[-1]
    final_raises = line is not last and isinstance(final, cst.Return) and final.value is not None \
        and may_raise(final.value)
    return not final_raises and not any(may_raise(s) for s in between + tail)


def _ancestors_until(model: SemanticModel, node: cst.CSTNode, stop: cst.CSTNode) -> Iterator[cst.CSTNode]:
    for ancestor in model.ancestors(node):
        if ancestor is stop:
            return
        yield ancestor


def _ends_in_exit(block: cst.BaseSuite) -> bool:
    """The block always ends in `return` or `break`: directly, or at the end of
    a `with` or handler-less `try` body that ends it (the shapes MGL102's fix writes)."""
    last = block.body[-1] if block.body else None
    if isinstance(last, cst.With) or isinstance(last, cst.Try) and not last.handlers and last.orelse is None:
        return isinstance(last.body, cst.IndentedBlock) and _ends_in_exit(last.body)
    return isinstance(last, cst.SimpleStatementLine) and isinstance(last.body[-1], (cst.Return, cst.Break))


def _inside_try_within(model: SemanticModel, block: cst.CSTNode, loop: cst.CSTNode) -> bool:
    for ancestor in model.ancestors(block):
        if ancestor is loop:
            return False
        if isinstance(ancestor, (cst.Try, cst.TryStar)):
            return True
    return False


_KEEPING_METHODS = frozenset({"append", "appendleft", "add", "insert", "setdefault", "put", "put_nowait"})


def is_kept_per_iteration(model: SemanticModel, call: cst.Call) -> bool:
    """The client of each iteration is kept in a container that outlives it:
    `clients.append(client)`, `pools[uri] = MongoClient(uri)`."""
    holder = model.strip_await(call)
    values = [holder]
    parent = model.parent(holder)
    if isinstance(parent, cst.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0].target, cst.Name):
        scope = model.scope_of(parent)
        binding = next((b for b in scope.bindings.get(parent.targets[0].target.value, ()) if b.node is parent), None)
        values += uses_of_binding(model, binding, scope) if binding is not None else []
    return any(_stored_in_container(model, value) for value in values)


def _stored_in_container(model: SemanticModel, value: cst.CSTNode) -> bool:
    parent = model.parent(value)
    if isinstance(parent, cst.Arg) and parent.keyword is None:
        call = model.parent(parent)
        return isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute) \
            and call.func.attr.value in _KEEPING_METHODS
    if isinstance(parent, cst.Assign) and parent.value is value:
        return any(isinstance(t.target, cst.Subscript) for t in parent.targets)
    return False




def hoist_out_of_loop(model: SemanticModel, call: cst.Call, loop: cst.CSTNode) -> Optional[Fix]:
    """`for ...: client = MongoClient(uri); ...; client.close()` -> the client
    built before the loop and closed after it, when `uri` is the same every time."""
    if not isinstance(loop, (cst.For, cst.While)):
        return None
    if isinstance(model.parent(call), cst.WithItem):
        return _hoist_with(model, call, loop)
    line = rw.statement_line(model, call)
    if line is None or not _loop_invariant(model, call, loop):
        return None
    if model.parent(line) is not loop.body:
        return _initialise_lazily(model, line, call, loop)
    body = list(loop.body.body)
    index = body.index(line)
    small = line.body[0]
    if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
        name = small.targets[0].target.value
        if _used_before(model, name, body[:index]) or small.value is not model.strip_await(call):
            return None
        scope = model.scope_of(small)
        binding = next((b for b in scope.bindings.get(name, ()) if b.node is small), None)
        if binding is None or dependent_bindings(model, binding, scope) is None:
            return None  # each iteration's client (or something taken from it) is kept: N clients on purpose
        closes = [s for s in body if rw.is_call_statement(s, name, frozenset({"close"}))]
        if len(closes) > 1 or _closes_inside(model, name, [s for s in body if not any(s is c for c in closes)]):
            return None  # a nested close() would close the shared client in the first iteration
        rest, trailing = rw.without([s for s in body if s is not line],
                                    lambda s: any(s is c for c in closes))
        if index == 0:
            rest = rw.body_start(rest)
        new_loop = loop.with_changes(body=loop.body.with_changes(
            body=rest or [cst.SimpleStatementLine([cst.Pass()])],
            footer=list(loop.body.footer) + trailing), leading_lines=())
        after = [c.with_changes(leading_lines=()) for c in closes]
        hoisted = line.with_changes(leading_lines=list(loop.leading_lines) + list(line.leading_lines))
        return Fix("build the client once, before the loop", Applicability.UNSAFE,
                   {loop: cst.FlattenSentinel([hoisted, new_loop] + after)})
    return None


def _initialise_lazily(model: SemanticModel, line: cst.SimpleStatementLine, call: cst.Call,
                       loop: cst.CSTNode) -> Optional[Fix]:
    """`for ...: if ...: client = MongoClient(uri)` -> `client = None` before the
    loop and `if client is None:` around the construction: built the first time
    it is needed, where it was (inside the same `if` and `try`), then reused."""
    small = line.body[0]
    if not (isinstance(small, cst.Assign) and len(small.targets) == 1
            and isinstance(small.targets[0].target, cst.Name) and small.value is model.strip_await(call)):
        return None
    block = model.parent(line)
    if not isinstance(block, cst.IndentedBlock) or not _only_ifs_between(model, block, loop):
        return None
    name = small.targets[0].target.value
    scope = model.scope_of(small)
    bindings = scope.bindings.get(name, [])
    if len(bindings) != 1 or dependent_bindings(model, bindings[0], scope) is None:
        return None
    uses = uses_of_binding(model, bindings[0], scope)
    if any(not model.precedes(line, use) or not any(a is block for a in model.ancestors(use)) for use in uses):
        return None  # every use after the construction, in its block
    if _closes_inside(model, name, [loop]):
        return None
    guarded = cst.If(test=cst.parse_expression(f"{name} is None"),
                     body=cst.IndentedBlock(body=[line.with_changes(leading_lines=())]),
                     leading_lines=line.leading_lines)
    unset = cst.parse_statement(f"{name} = None\n").with_changes(leading_lines=loop.leading_lines)
    new_loop = loop.deep_replace(line, guarded).with_changes(leading_lines=())
    return Fix("build the client the first time it is needed, then reuse it", Applicability.UNSAFE,
               {loop: cst.FlattenSentinel([unset, new_loop])})


def _only_ifs_between(model: SemanticModel, block: cst.CSTNode, loop: cst.CSTNode) -> bool:
    child = block
    for ancestor in model.ancestors(block):
        if ancestor is loop:
            return child is loop.body
        if not (isinstance(ancestor, cst.If) or isinstance(ancestor, cst.IndentedBlock)
                or isinstance(ancestor, cst.Else) and isinstance(model.parent(ancestor), cst.If)):
            return False
        child = ancestor
    return False


def _hoist_with(model: SemanticModel, call: cst.Call, loop: cst.CSTNode) -> Optional[Fix]:
    """`for ...: with MongoClient(uri) as client: ...` -> the `with` around the
    loop (the shape MGL102's fix writes), when `uri` is the same every time and
    nothing taken from the client outlives its iteration."""
    item = model.parent(call)
    statement = model.parent(item)
    if not (isinstance(statement, cst.With) and len(statement.items) == 1 and model.parent(statement) is loop.body
            and isinstance(statement.body, cst.IndentedBlock) and _loop_invariant(model, call, loop)):
        return None
    if item.asname is not None:
        if not isinstance(item.asname.name, cst.Name):
            return None
        name = item.asname.name.value
        scope = model.scope_of(statement)
        bindings = scope.bindings.get(name, [])
        if len(bindings) != 1 or dependent_bindings(model, bindings[0], scope) is None:
            return None
        if any(not any(a is statement.body for a in model.ancestors(use))
               for use in uses_of_binding(model, bindings[0], scope)):
            return None  # used outside the `with`: it would see the shared client
        if _closes_inside(model, name, statement.body.body):
            return None
    body = list(loop.body.body)
    index = next(i for i, s in enumerate(body) if s is statement)
    inner = list(statement.body.body)
    if index == 0 and inner:
        inner[0] = inner[0].with_changes(leading_lines=list(statement.leading_lines) + list(inner[0].leading_lines))
    new_body = body[:index] + inner + body[index + 1:]
    new_loop = loop.with_changes(leading_lines=(), body=loop.body.with_changes(
        body=new_body, footer=list(statement.body.footer) + list(loop.body.footer)))
    hoisted = statement.with_changes(leading_lines=loop.leading_lines,
                                     body=statement.body.with_changes(body=[new_loop], footer=()))
    return Fix("enter the client once, around the loop", Applicability.UNSAFE, {loop: hoisted})


def _loop_invariant(model: SemanticModel, call: cst.Call, loop: cst.CSTNode) -> bool:
    """No name in the construction is bound by the loop or in its body."""
    bound = _names_bound_in(model, loop)
    stack = [call]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Name) and node.value in bound:
            return False
        if isinstance(node, (cst.Await, cst.Yield, cst.NamedExpr)):
            return False
        stack.extend(rw_children(node))
    return True


def _names_bound_in(model: SemanticModel, loop: cst.CSTNode) -> set:
    scope = model.scope_of(loop)
    names = set()
    for name, bindings in scope.bindings.items():
        for binding in bindings:
            if any(a is loop for a in model.ancestors(binding.node)) or binding.node is loop:
                names.add(name)
    return names


def _used_before(model: SemanticModel, name: str, statements) -> bool:
    for statement in statements:
        stack = [statement]
        while stack:
            node = stack.pop()
            if isinstance(node, cst.Name) and node.value == name:
                return True
            stack.extend(rw_children(node))
    return False


def _closes_inside(model: SemanticModel, name: str, statements) -> bool:
    for statement in statements:
        stack = [statement]
        while stack:
            node = stack.pop()
            if (isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)
                    and node.func.attr.value == "close" and isinstance(node.func.value, cst.Name)
                    and node.func.value.value == name):
                return True
            stack.extend(rw_children(node))
    return False
