"""One traversal of the module that records everything the rules ask about.

LibCST's own visitor walks every whitespace and punctuation node; this walker
only descends into the fields that can hold names, calls and statements, which
keeps the walk a fraction of the parse.
"""

from __future__ import annotations

import dataclasses
from typing import Dict, List, Optional, Tuple, Type

import libcst as cst

from mongolint.model import scopes as S
from mongolint.model.scopes import Binding, Scope

_SKIPPED_FIELD_WORDS = ("whitespace", "lpar", "rpar", "comma", "semicolon", "leading_lines",
                        "lines_after_decorators", "header", "footer", "newline", "indent",
                        "operator", "equal", "colon", "star", "dot", "bracket", "brace",
                        "arrow", "lbrace", "rbrace", "lbracket", "rbracket", "quote", "prefix")
_LEAF_TYPES = (cst.Name, cst.SimpleString, cst.Integer, cst.Float, cst.Imaginary,
               cst.Ellipsis, cst.Pass, cst.Break, cst.Continue)
# Names in these fields are attribute or keyword spellings, not variables.
_FIELDS: Dict[Type[cst.CSTNode], Tuple[str, ...]] = {
    cst.Attribute: ("value",),
    cst.Arg: ("value",),
}


def _child_fields(cls: Type[cst.CSTNode]) -> Tuple[str, ...]:
    names = _FIELDS.get(cls)
    if names is None:
        names = tuple(
            f.name for f in dataclasses.fields(cls)
            if f.name == "value" or not any(word in f.name for word in _SKIPPED_FIELD_WORDS)
        )
        _FIELDS[cls] = names
    return names


def _concrete_node_types() -> frozenset:
    found, stack = set(), [cst.CSTNode]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        found.add(cls)
    return frozenset(found)


# LibCST's node classes descend from ABCs, where isinstance() is slow; a set
# lookup on the exact type answers the walk's question many times faster.
_NODE_TYPES = _concrete_node_types()
_LEAVES = frozenset(_LEAF_TYPES)
_SEQUENCES = (tuple, list)


def node_types_under(base: type) -> frozenset:
    """LibCST's node classes that are `base` or derive from it, for a set lookup
    on the exact type where `isinstance` against an ABC would be slow."""
    return frozenset(cls for cls in _NODE_TYPES if issubclass(cls, base))


_SUITES = node_types_under(cst.BaseSuite)


def children(node: cst.CSTNode):
    for name in _child_fields(type(node)):
        value = getattr(node, name)
        kind = type(value)
        if kind in _NODE_TYPES:
            yield value
        elif kind in _SEQUENCES:
            for item in value:
                if type(item) in _NODE_TYPES:
                    yield item


def blocks_of(statement: cst.CSTNode) -> List[cst.BaseSuite]:
    """The suites of a compound statement: body, else, finally, handlers, cases.
    (An `elif` is an `If` in `orelse`, a statement rather than a suite.)"""
    blocks = []
    for name in ("body", "orelse", "finalbody"):
        part = getattr(statement, name, None)
        kind = type(part)
        if kind is cst.Else or kind is cst.Finally:
            blocks.append(part.body)
        elif kind in _SUITES:
            blocks.append(part)
    for handler in getattr(statement, "handlers", ()):
        blocks.append(handler.body)
    for case in getattr(statement, "cases", ()):
        blocks.append(case.body)
    return blocks


def walk_same_scope(node: cst.CSTNode):
    """`node` and everything under it that runs with it, in source order
    (not the bodies of nested defs, lambdas and classes)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, (cst.FunctionDef, cst.ClassDef, cst.Lambda)) and current is not node:
            continue
        stack.extend(reversed(list(children(current))))


@dataclasses.dataclass
class ModuleIndex:
    module: cst.Module
    module_scope: Scope
    parents: Dict[int, cst.CSTNode]
    scopes: Dict[int, Scope]  # id(scope-defining node) -> Scope
    calls: List[cst.Call]
    awaits: List[cst.Await]
    withs: List[cst.With]
    loops: List[cst.CSTNode]  # For, While, and comprehensions
    functions: List[cst.FunctionDef]
    classes: List[cst.ClassDef]
    names: Dict[str, List[cst.Name]]  # every Name node by identifier
    imports: List[Binding]
    returns: Dict[int, List[cst.Return]]  # id(function) -> its own return statements, in order
    node_scopes: Dict[int, Scope] = dataclasses.field(default_factory=dict)  # of names and calls


_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)
_HANDLERS: Dict[type, object] = {}  # node type -> Walker._on_<Type>, or False


class Walker:
    def __init__(self, module: cst.Module) -> None:
        self.scope = Scope("module", module, None)
        self.index = ModuleIndex(module, self.scope, {}, {id(module): self.scope}, [], [], [], [],
                                 [], [], {}, [], {})

    def run(self) -> ModuleIndex:
        self._walk_children(self.index.module)
        return self.index

    # -- traversal -------------------------------------------------------
    def _walk(self, node: cst.CSTNode, parent: cst.CSTNode) -> None:
        self.index.parents[id(node)] = parent
        kind = type(node)
        handler = _HANDLERS.get(kind)
        if handler is None:
            handler = _HANDLERS[kind] = getattr(Walker, "_on_" + kind.__name__, False)
        if handler and handler(self, node) is False:
            return
        if kind in _LEAVES:
            return
        self._walk_children(node)

    def _walk_children(self, node: cst.CSTNode) -> None:
        for child in children(node):
            self._walk(child, node)

    def _walk_in_scope(self, scope: Scope, nodes, parent: cst.CSTNode) -> None:
        outer, self.scope = self.scope, scope
        self.index.scopes[id(scope.node)] = scope
        try:
            for node in nodes:
                if node is not None:
                    self._walk(node, parent)
        finally:
            self.scope = outer

    def _bind(self, name: str, kind: str, node: cst.CSTNode, **extra) -> None:
        self.scope.bind(Binding(name, kind, node, **extra))

    def _bind_target(self, target: cst.BaseExpression, kind: str, node: cst.CSTNode,
                     value: Optional[cst.BaseExpression] = None, annotation=None) -> None:
        if isinstance(target, cst.Name):
            self._bind(target.value, kind, node, value=value, annotation=annotation)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                inner = element.value
                if isinstance(inner, cst.StarredElement):
                    inner = inner.value
                self._bind_target(inner, kind, node)
        elif isinstance(target, cst.StarredElement):
            self._bind_target(target.value, kind, node)

    # -- nodes -----------------------------------------------------------
    def _on_Name(self, node: cst.Name) -> bool:
        self.index.names.setdefault(node.value, []).append(node)
        self.index.node_scopes[id(node)] = self.scope
        return False

    def _on_Call(self, node: cst.Call) -> None:
        self.index.calls.append(node)
        self.index.node_scopes[id(node)] = self.scope

    def _on_Return(self, node: cst.Return) -> None:
        if self.scope.kind == "function":  # else outside any function: not a return of one
            self.index.returns.setdefault(id(self.scope.node), []).append(node)

    def _on_Await(self, node: cst.Await) -> None:
        self.index.awaits.append(node)

    def _on_With(self, node: cst.With) -> None:
        self.index.withs.append(node)
        for item in node.items:
            if item.asname is not None:
                self._bind_target(item.asname.name, S.WITH, node, value=item.item)

    def _on_For(self, node: cst.For) -> None:
        self.index.loops.append(node)
        self._bind_target(node.target, S.FOR, node, value=node.iter)

    def _on_While(self, node: cst.While) -> None:
        self.index.loops.append(node)

    def _on_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._bind_target(target.target, S.ASSIGN, node, value=node.value)

    def _on_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._bind_target(node.target, S.ASSIGN, node, value=node.value,
                          annotation=node.annotation.annotation)

    def _on_AugAssign(self, node: cst.AugAssign) -> None:
        self._bind_target(node.target, S.AUGMENT, node)

    def _on_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind_target(node.target, S.ASSIGN, node, value=node.value)

    def _on_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            self._bind_target(node.name.name, S.EXCEPT, node)

    def _on_Global(self, node: cst.Global) -> bool:
        self.scope.globals.update(item.name.value for item in node.names)
        return False

    def _on_Nonlocal(self, node: cst.Nonlocal) -> bool:
        self.scope.nonlocals.update(item.name.value for item in node.names)
        return False

    def _on_Import(self, node: cst.Import) -> bool:
        for alias in node.names:
            dotted = _dotted(alias.name)
            if alias.asname is not None:
                local, qualified = alias.asname.name.value, dotted
            else:
                local = qualified = dotted.split(".")[0]
            self._bind_import(local, node, qualified)
        return False

    def _on_ImportFrom(self, node: cst.ImportFrom) -> bool:
        if isinstance(node.names, cst.ImportStar):
            return False
        module = "." * len(node.relative) + (_dotted(node.module) if node.module else "")
        for alias in node.names:
            name = _dotted(alias.name)
            local = alias.asname.name.value if alias.asname is not None else name
            self._bind_import(local, node, f"{module}.{name}" if not module.endswith(".") else module + name)
        return False

    def _bind_import(self, local: str, node: cst.CSTNode, qualified: str) -> None:
        binding = Binding(local, S.IMPORT, node, qualified_name=qualified)
        self.scope.bind(binding)
        self.index.imports.append(binding)

    def _on_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.index.functions.append(node)
        self._walk_all(node.decorators, node)
        self._walk_params_outside(node.params, node)
        if node.returns is not None:
            self._walk(node.returns, node)
        self._bind(node.name.value, S.DEF, node)
        scope = Scope("function", node, self.scope)
        self._bind_params(scope, node.params)
        self._walk_in_scope(scope, [node.body], node)
        return False

    def _on_Lambda(self, node: cst.Lambda) -> bool:
        self._walk_params_outside(node.params, node)
        scope = Scope("lambda", node, self.scope)
        self._bind_params(scope, node.params)
        self._walk_in_scope(scope, [node.body], node)
        return False

    def _on_ClassDef(self, node: cst.ClassDef) -> bool:
        self.index.classes.append(node)
        self._walk_all(node.decorators, node)
        self._walk_all([arg for arg in node.bases] + [arg for arg in node.keywords], node)
        self._bind(node.name.value, S.CLASS, node)
        self._walk_in_scope(Scope("class", node, self.scope), [node.body], node)
        return False

    def _on_comprehension(self, node) -> bool:
        self.index.loops.append(node)
        scope = Scope("comprehension", node, self.scope)
        outer, self.scope = self.scope, scope
        self.index.scopes[id(node)] = scope
        try:
            self._walk_children(node)
        finally:
            self.scope = outer
        return False

    _on_ListComp = _on_SetComp = _on_DictComp = _on_GeneratorExp = _on_comprehension

    def _on_CompFor(self, node: cst.CompFor) -> None:
        self._bind_target(node.target, S.FOR, node, value=node.iter)

    def _walk_all(self, nodes, parent) -> None:
        for node in nodes:
            self._walk(node, parent)

    def _walk_params_outside(self, params: cst.Parameters, owner: cst.CSTNode) -> None:
        self.index.parents[id(params)] = owner
        for param in _all_params(params):
            self.index.parents[id(param)] = params
            for part in (param.default, param.annotation):
                if part is not None:
                    self._walk(part, param)

    def _bind_params(self, scope: Scope, params: cst.Parameters) -> None:
        for param in _all_params(params):
            annotation = param.annotation.annotation if param.annotation is not None else None
            scope.bind(Binding(param.name.value, S.PARAM, param, annotation=annotation))


def _all_params(params: cst.Parameters):
    yield from params.posonly_params
    yield from params.params
    if isinstance(params.star_arg, cst.Param):
        yield params.star_arg
    yield from params.kwonly_params
    if params.star_kwarg is not None:
        yield params.star_kwarg


def _dotted(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return _dotted(node.value) + "." + node.attr.value
    return ""
