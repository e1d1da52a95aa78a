"""The semantic model: which expressions of a module are driver objects.

Built from one walk of the module (see `walker`); answers `type_of(expr)` with a
`DriverType` (client, database, collection, session, cursor, ... and flavour), a
`Foreign` marker when the value is known to be something else, or None.
"""

from __future__ import annotations

from typing import Dict, FrozenSet, Iterator, List, Optional, Sequence, Union

import libcst as cst

from mongolint.model import api, driver
from mongolint.model import scopes as S
from mongolint.model.scopes import Binding, Scope
from mongolint.model.flavour_evidence import used_asynchronously
from mongolint.model.types import (CLIENT, COLLECTION, COROUTINE, DATABASE, SESSION, SYNC, TRANSACTION,
                                   DriverType, Foreign)
from mongolint.model.walker import ModuleIndex, Walker, blocks_of, children

Resolved = Union[DriverType, Foreign, None]

# Methods whose name alone marks a driver object when the receiver is unknown
# but the module uses the driver (precision: only names no common library shares).
_DISTINCTIVE_METHODS = {
    "start_session": SESSION,
    "with_transaction": None,
    "end_session": None,
    "start_transaction": TRANSACTION,
    "commit_transaction": None,
    "abort_transaction": None,
}
_RECEIVER_OF_DISTINCTIVE = {"start_session": CLIENT}

_SUBSCRIPT_DERIVATION = {CLIENT: DATABASE, DATABASE: COLLECTION, COLLECTION: COLLECTION}
_ATTRIBUTE_DERIVATION = _SUBSCRIPT_DERIVATION


class SemanticModel:
    def __init__(self, module: cst.Module, *, module_name: str = "",
                 client_factories: FrozenSet[str] = frozenset()) -> None:
        self.index: ModuleIndex = Walker(module).run()
        self.module = module
        self.module_name = module_name
        self.client_factories = client_factories
        self._types: Dict[int, Resolved] = {}
        self._scopes: Dict[int, Scope] = {}  # scope_of, memoised: rules ask it for every use of a name
        self._resolving: set = set()
        self.driver_flavours = {driver.flavour_of_import(b.qualified_name)
                                for b in self.index.imports if b.qualified_name} - {None}
        self.uses_driver = bool(self.driver_flavours) or any(
            driver.is_driver_path(b.qualified_name or "") for b in self.index.imports)

    # -- structure -------------------------------------------------------
    def parent(self, node: cst.CSTNode) -> Optional[cst.CSTNode]:
        return self.index.parents.get(id(node))

    def ancestors(self, node: cst.CSTNode) -> Iterator[cst.CSTNode]:
        parent = self.parent(node)
        while parent is not None:
            yield parent
            parent = self.parent(parent)

    def scope_of(self, node: cst.CSTNode) -> Scope:
        found = self.index.node_scopes.get(id(node)) or self._scopes.get(id(node))
        if found is None:
            found = self._scopes[id(node)] = self._scope_of(node)
        return found

    def _scope_of(self, node: cst.CSTNode) -> Scope:
        for ancestor in self.ancestors(node):
            scope = self.index.scopes.get(id(ancestor))
            if scope is not None and not self._is_outside_of(node, ancestor):
                return scope
        return self.index.module_scope

    def _is_outside_of(self, node: cst.CSTNode, owner: cst.CSTNode) -> bool:
        """Decorators, defaults and annotations of a def belong to the outer scope."""
        if not isinstance(owner, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            return False
        child = node
        for ancestor in self.ancestors(node):
            if ancestor is owner:
                return child is not owner.body
            child = ancestor
        return False

    def enclosing_function(self, node: cst.CSTNode) -> Optional[cst.FunctionDef]:
        scope: Optional[Scope] = self.scope_of(node)
        while scope is not None and scope.kind in ("comprehension", "lambda"):
            scope = scope.parent
        if scope is not None and scope.kind == "function":
            return scope.node  # type: ignore[return-value]
        return None

    def in_async_function(self, node: cst.CSTNode) -> bool:
        function = self.enclosing_function(node)
        return function is not None and function.asynchronous is not None

    def enclosing_statement(self, node: cst.CSTNode) -> Optional[cst.CSTNode]:
        """The innermost simple or compound statement that contains `node`."""
        if isinstance(node, (cst.BaseSmallStatement, cst.BaseCompoundStatement)):
            return node
        for ancestor in self.ancestors(node):
            if isinstance(ancestor, (cst.BaseSmallStatement, cst.BaseCompoundStatement)):
                return ancestor
        return None

    def strip_await(self, node: cst.CSTNode) -> cst.CSTNode:
        """The node an expression's value flows into, looking through `await`."""
        parent = self.parent(node)
        while isinstance(parent, cst.Await):
            node, parent = parent, self.parent(parent)
        return node

    # -- names -----------------------------------------------------------
    def bindings_of(self, name: cst.Name) -> List[Binding]:
        return self.scope_of(name).lookup(name.value) or []

    def qualified_name(self, expr: cst.BaseExpression) -> Optional[str]:
        if isinstance(expr, cst.Name):
            bindings = self.bindings_of(expr)
            imported = {b.qualified_name for b in bindings if b.kind == S.IMPORT}
            if len(imported) == 1 and all(b.kind == S.IMPORT for b in bindings):
                return imported.pop()  # `import pymongo` repeated, or with submodules
            if len(bindings) != 1:
                return None
            binding = bindings[0]
            if binding.kind == S.IMPORT:
                return binding.qualified_name
            if binding.kind == S.ASSIGN and isinstance(binding.value, (cst.Name, cst.Attribute)):
                if binding.value is expr:
                    return None
                return self._guarded(binding.value, "qn", self.qualified_name)
            if binding.kind in (S.DEF, S.CLASS) and self.module_name:
                return f"{self.module_name}.{expr.value}"
            return None
        if isinstance(expr, cst.Attribute):
            base = self.qualified_name(expr.value)
            return f"{base}.{expr.attr.value}" if base else None
        return None

    def _guarded(self, node: cst.CSTNode, tag: str, compute):
        key = (id(node), tag)
        if key in self._resolving:
            return None
        self._resolving.add(key)
        try:
            return compute(node)
        finally:
            self._resolving.discard(key)

    # -- types -----------------------------------------------------------
    def type_of(self, expr: cst.CSTNode) -> Resolved:
        key = id(expr)
        if key in self._types:
            return self._types[key]
        result = self._guarded(expr, "type", self._compute_type)
        if (id(expr), "type") not in self._resolving:
            self._types[key] = result
        return result

    def driver_type(self, expr: cst.CSTNode) -> Optional[DriverType]:
        result = self.type_of(expr)
        return result if isinstance(result, DriverType) else None

    def _compute_type(self, expr: cst.CSTNode) -> Resolved:
        if isinstance(expr, cst.Name):
            return self._type_of_name(expr)
        if isinstance(expr, cst.Call):
            return self._type_of_call(expr)
        if isinstance(expr, cst.Attribute):
            return self._type_of_attribute(expr)
        if isinstance(expr, cst.Subscript):
            base = self.driver_type(expr.value)
            if base is not None and base.kind in _SUBSCRIPT_DERIVATION:
                return base.derive(_SUBSCRIPT_DERIVATION[base.kind])
            return None
        if isinstance(expr, cst.Await):
            inner = self.driver_type(expr.expression)
            if inner is not None and inner.kind == COROUTINE:
                return inner.returns
            return None
        if isinstance(expr, cst.NamedExpr):
            return self.type_of(expr.value)
        return None

    def _type_of_name(self, name: cst.Name) -> Resolved:
        return self._combine(self.type_of_binding(b) for b in self.bindings_of(name))

    @staticmethod
    def _combine(types) -> Resolved:
        found: Resolved = None
        seen_any = False
        for t in types:
            if t is _NEUTRAL:
                continue
            if seen_any and t != found:
                return None
            found, seen_any = t, True
        return found

    def type_of_binding(self, binding: Binding) -> Resolved:
        if binding.annotation is not None:
            if binding.kind == S.ASSIGN and binding.value is not None and not _is_none(binding.value):
                # What is assigned beats what the hint says (`c: MongoClient = AsyncIOMotorClient()`).
                assigned = self.type_of(binding.value)
                if assigned is not None:
                    return assigned
            annotated = self.type_of_annotation(binding.annotation)
            if annotated is not None:
                return annotated
            root = (self.qualified_name(binding.annotation) or "").split(".")[0]
            if root in driver.LOOKALIKE_ROOTS:
                return Foreign(root)  # `db: sqlalchemy.orm.Session`
        if binding.kind == S.ASSIGN:
            if binding.value is None:
                return None
            if _is_none(binding.value):
                return _NEUTRAL
            return self.type_of(binding.value)
        if binding.kind == S.WITH:
            return self.type_of(binding.value) if binding.value is not None else None
        if binding.kind == S.PARAM:
            return self._type_of_parameter(binding)
        if binding.kind == S.IMPORT:
            root = (binding.qualified_name or "").split(".")[0]
            return Foreign(root) if root in driver.LOOKALIKE_ROOTS else None
        if binding.kind == S.CLASS:
            return Foreign("class " + binding.name)
        return None

    def type_of_annotation(self, annotation: cst.BaseExpression) -> Optional[DriverType]:
        if isinstance(annotation, cst.SimpleString):
            return self._type_of_string_annotation(annotation)
        if isinstance(annotation, cst.Subscript):
            # Optional[X], X[Doc], Union[X, None]: the first driver type inside.
            base = self.qualified_name(annotation.value) or ""
            if driver.driver_class(base) is not None:
                return driver.driver_class(base)
            for element in annotation.slice:
                if isinstance(element.slice, cst.Index):
                    found = self.type_of_annotation(element.slice.value)
                    if found is not None:
                        return found
            return None
        if isinstance(annotation, cst.BinaryOperation):  # X | None
            return self.type_of_annotation(annotation.left) or self.type_of_annotation(annotation.right)
        return driver.driver_class(self.qualified_name(annotation))

    def _type_of_string_annotation(self, annotation: cst.SimpleString) -> Optional[DriverType]:
        try:
            parsed = cst.parse_expression(annotation.evaluated_value)
        except Exception:
            return None
        # The parsed annotation is outside the module; resolve its names here.
        return _StringAnnotation(self, annotation).resolve(parsed)

    def _type_of_parameter(self, binding: Binding) -> Resolved:
        param = binding.node
        function = self.parent(self.parent(param))
        if not isinstance(function, cst.FunctionDef):
            return None
        if self._is_self_parameter(function, param):
            return Foreign("self")
        return self._type_from_call_sites(function, param)

    def _is_self_parameter(self, function: cst.FunctionDef, param: cst.Param) -> bool:
        scope = self.scope_of(function)
        if scope.kind != "class" or any(_decorator_name(d) == "staticmethod" for d in function.decorators):
            return False
        params = list(function.params.posonly_params) + list(function.params.params)
        return bool(params) and params[0] is param

    def _type_from_call_sites(self, function: cst.FunctionDef, param: cst.Param) -> Resolved:
        """An unannotated parameter takes the type every same-module caller passes."""
        positional = list(function.params.posonly_params) + list(function.params.params)
        index = next((i for i, p in enumerate(positional) if p is param), None)
        name = param.name.value
        types = []
        for call in self.calls_of_function(function):
            argument = _argument_for(call, index, name)
            if argument is None:
                continue
            types.append(self.type_of(argument))
        if not types:
            return None
        return self._combine(types)

    def calls_of_function(self, function: cst.FunctionDef) -> Iterator[cst.Call]:
        for name in self.index.names.get(function.name.value, ()):
            call = self.parent(name)
            if isinstance(call, cst.Call) and call.func is name:
                if any(b.node is function for b in self.bindings_of(name)):
                    yield call

    def _type_of_call(self, call: cst.Call) -> Resolved:
        func = call.func
        qualified = self.qualified_name(func)
        if qualified is not None:
            constructed = driver.CLIENT_CLASSES.get(qualified)
            if constructed is not None:
                return constructed
            if qualified in self.client_factories:
                return DriverType(CLIENT, self.sole_flavour)
            root = qualified.split(".")[0]
            if root in driver.LOOKALIKE_ROOTS:
                return Foreign(root)
        if isinstance(func, cst.Name):
            return self._type_of_local_call(func)
        if isinstance(func, cst.Attribute):
            return self._type_of_method_call(call, func)
        return None

    def _type_of_local_call(self, func: cst.Name) -> Resolved:
        bindings = self.bindings_of(func)
        if len(bindings) != 1:
            return None
        binding = bindings[0]
        if binding.kind == S.CLASS:
            return Foreign("class " + binding.name)
        if binding.kind == S.DEF:
            return self.return_type(binding.node)  # type: ignore[arg-type]
        return None

    def return_type(self, function: cst.FunctionDef) -> Resolved:
        """What calling a same-module function gives (a coroutine for `async def`)."""
        values = [r.value for r in self.returns_of(function) if r.value is not None]
        result = self._combine(self.type_of(v) for v in values) if values else None
        if result is None and function.returns is not None:
            result = self.type_of_annotation(function.returns.annotation)  # the values beat the hint
        if isinstance(result, DriverType) and function.asynchronous is not None:
            return DriverType(COROUTINE, result.flavour, result)
        return result

    def returns_of(self, function: cst.FunctionDef) -> Iterator[cst.Return]:
        for node in _statements_in(function.body):
            if isinstance(node, cst.Return) and self.enclosing_function(node) is function:
                yield node

    def _type_of_method_call(self, call: cst.Call, func: cst.Attribute) -> Resolved:
        method = func.attr.value
        receiver = self.type_of(func.value)
        if isinstance(receiver, Foreign):
            if receiver.origin == "self":
                return self._type_of_self_method(func)
            return receiver
        if receiver is None:
            return self._guess_from_method_name(method, call)
        if receiver.kind == COROUTINE:
            return None
        entry = self.method(receiver, method)
        if entry is None:
            return None
        _, is_coroutine, returns = entry
        result = receiver.derive(returns) if returns else None
        if method == "start_transaction":
            result = receiver.derive(TRANSACTION)
        if is_coroutine:
            return DriverType(COROUTINE, receiver.flavour, result)
        return result

    def _type_of_self_method(self, func: cst.Attribute) -> Resolved:
        method = self.method_of_own_class(func)
        return self.return_type(method) if method is not None else None

    def method_of_own_class(self, func: cst.Attribute) -> Optional[cst.FunctionDef]:
        class_def = self._class_of_self(func.value)
        if class_def is None:
            return None
        for statement in class_def.body.body:
            if isinstance(statement, cst.FunctionDef) and statement.name.value == func.attr.value:
                return statement
        return None

    def _guess_from_method_name(self, method: str, call: cst.Call) -> Resolved:
        if not self.uses_driver or method not in _DISTINCTIVE_METHODS:
            return None
        kind = _DISTINCTIVE_METHODS[method]
        if not kind:
            return None
        flavour = self.sole_flavour
        if flavour == SYNC and used_asynchronously(self, call):
            flavour = None  # awaited: not the sync driver, whatever the imports say
        return DriverType(kind, flavour)

    @property
    def sole_flavour(self) -> Optional[str]:
        return next(iter(self.driver_flavours)) if len(self.driver_flavours) == 1 else None

    def method(self, receiver: DriverType, name: str):
        """(takes_session, is_coroutine, returns) of a driver method, or None."""
        flavours = [receiver.flavour] if receiver.flavour else ["sync"]
        for flavour in flavours:
            entry = api.METHODS.get((flavour, receiver.kind), {}).get(name)
            if entry is not None:
                return entry
        return None

    def does_io(self, receiver: DriverType, name: str) -> bool:
        """Does calling this driver method talk to the server (rather than build a
        lazy cursor, a derived object or a session)?"""
        entry = self.method(receiver, name)
        if entry is None:
            return False
        if entry[0]:
            return name not in driver.LAZY_OPERATIONS
        return name in driver.IO_WITHOUT_SESSION.get(receiver.kind, ())

    # -- which client ------------------------------------------------------
    def client_of(self, expr: cst.CSTNode) -> Optional[cst.CSTNode]:
        """The node standing for the client a driver object belongs to: the
        constructor call that built it, or the parameter annotated as a client it
        came through. None when not known (two objects with the same node belong
        to the same client; with different nodes, to different ones)."""
        return self._guarded(expr, "client", self._compute_client)

    def _compute_client(self, expr: cst.CSTNode) -> Optional[cst.CSTNode]:
        if isinstance(expr, cst.Await):
            return self.client_of(expr.expression)
        if isinstance(expr, cst.NamedExpr):
            return self.client_of(expr.value)
        if isinstance(expr, cst.Name):
            return self._same_client(self._client_of_binding(b) for b in self.bindings_of(expr))
        if self.driver_type(expr) is None:
            return None
        if isinstance(expr, cst.Call):
            if self.qualified_name(expr.func) in driver.CLIENT_CLASSES:
                return expr
            if isinstance(expr.func, cst.Attribute) and self.driver_type(expr.func.value) is not None:
                return self.client_of(expr.func.value)
            return None
        if isinstance(expr, cst.Attribute):
            base = self.type_of(expr.value)
            if isinstance(base, Foreign) and base.origin == "self":
                class_def = self._class_of_self(expr.value)
                if class_def is None:
                    return None
                values = [value for _, value, _ in self.self_attribute_assignments(class_def, expr.attr.value)]
                if any(value is None for value in values):
                    return None
                return self._same_client(None if _is_none(v) else self.client_of(v) or _UNKNOWN
                                         for v in values)
            return self.client_of(expr.value) if isinstance(base, DriverType) else None
        if isinstance(expr, cst.Subscript):
            return self.client_of(expr.value)
        return None

    def _client_of_binding(self, binding: Binding):
        if binding.kind in (S.ASSIGN, S.WITH) and binding.value is not None:
            if _is_none(binding.value):
                return None  # `client = None` says nothing
            return self.client_of(binding.value) or _UNKNOWN
        if binding.kind == S.PARAM:
            if binding.annotation is None:
                passed = self._client_from_call_sites(binding.node)
                if passed is not None:
                    return passed
            found = self.type_of_binding(binding)
            if isinstance(found, DriverType) and found.kind == CLIENT:
                return binding.node
        return _UNKNOWN

    def _client_from_call_sites(self, param: cst.Param) -> Optional[cst.CSTNode]:
        """An unannotated parameter belongs to the client every same-module caller's argument does."""
        function = self.parent(self.parent(param))
        if not isinstance(function, cst.FunctionDef) or self._is_self_parameter(function, param):
            return None
        positional = list(function.params.posonly_params) + list(function.params.params)
        index = next((i for i, p in enumerate(positional) if p is param), None)
        roots = []
        for call in self.calls_of_function(function):
            argument = _argument_for(call, index, param.name.value)
            if argument is not None:
                roots.append(self.client_of(argument) or _UNKNOWN)
        return self._same_client(roots) if roots else None

    @staticmethod
    def _same_client(roots) -> Optional[cst.CSTNode]:
        found = None
        for root in roots:
            if root is None:
                continue
            if root is _UNKNOWN or (found is not None and root is not found):
                return None
            found = root
        return found

    def has_single_client(self, flavour: Optional[str] = None) -> bool:
        """At most one client (of `flavour`, when given) is constructed in the
        module: objects whose client is not known then most likely share it."""
        constructed = [driver.CLIENT_CLASSES[name] for name in
                       (self.qualified_name(call.func) for call in self.index.calls)
                       if name in driver.CLIENT_CLASSES]
        return len([c for c in constructed if flavour is None or c.flavour == flavour]) <= 1

    # -- order -------------------------------------------------------------
    def precedes(self, first: cst.CSTNode, second: cst.CSTNode) -> bool:
        """Does `first` come before `second` in the source, neither containing the other?"""
        chain_first = [first] + list(self.ancestors(first))
        position = {id(node): index for index, node in enumerate(chain_first)}
        child_second = second
        for node in [second] + list(self.ancestors(second)):
            index = position.get(id(node))
            if index is not None:
                if index == 0 or node is second:
                    return False
                child_first = chain_first[index - 1]
                for child in children(node):
                    if child is child_first:
                        return True
                    if child is child_second:
                        return False
                return False
            child_second = node
        return False

    def _type_of_attribute(self, attr: cst.Attribute) -> Resolved:
        base = self.type_of(attr.value)
        name = attr.attr.value
        if isinstance(base, Foreign):
            if base.origin == "self":
                return self._type_of_self_attribute(attr)
            return None
        if base is None or base.kind == COROUTINE or name.startswith("_"):
            return None
        flavour = base.flavour or "sync"
        attributes = api.ATTRIBUTES.get((flavour, base.kind), {})
        if name in attributes:
            returns = attributes[name]
            return base.derive(returns) if returns else None
        if name in api.METHODS.get((flavour, base.kind), {}):
            return None
        if base.kind in _ATTRIBUTE_DERIVATION:
            return base.derive(_ATTRIBUTE_DERIVATION[base.kind])
        return None

    # -- self.x across methods -------------------------------------------
    def _class_of_self(self, expr: cst.BaseExpression) -> Optional[cst.ClassDef]:
        if not isinstance(expr, cst.Name):
            return None
        bindings = self.bindings_of(expr)
        if len(bindings) != 1 or bindings[0].kind != S.PARAM:
            return None
        function = self.parent(self.parent(bindings[0].node))
        if not isinstance(function, cst.FunctionDef):
            return None
        owner = self.scope_of(function).node
        return owner if isinstance(owner, cst.ClassDef) else None

    def _type_of_self_attribute(self, attr: cst.Attribute) -> Resolved:
        class_def = self._class_of_self(attr.value)
        if class_def is None:
            return None
        return self._combine(self._attribute_assignment_types(class_def, attr.attr.value))

    def _attribute_assignment_types(self, class_def: cst.ClassDef, name: str):
        class_scope = self.index.scopes.get(id(class_def))
        if class_scope is not None:
            for binding in class_scope.bindings.get(name, ()):
                yield self.type_of_binding(binding)
        for target, value, annotation in self.self_attribute_assignments(class_def, name):
            assigned = self.type_of(value) if value is not None and not _is_none(value) else None
            if assigned is not None:
                yield assigned
            elif annotation is not None and self.type_of_annotation(annotation) is not None:
                yield self.type_of_annotation(annotation)
            elif value is not None:
                yield _NEUTRAL if _is_none(value) else None

    def self_attribute_assignments(self, class_def: cst.ClassDef, name: str):
        """(target, value, annotation) of every `self.<name> = value` in the class
        (also `cls.<name>`, `self.__class__.<name>` and `type(self).<name>`)."""
        return self._attribute_assignments_of(class_def).get(name, ())

    def _attribute_assignments_of(self, class_def: cst.ClassDef) -> Dict[str, list]:
        """Every attribute assignment of a class, by name: one scan per class."""
        cache = self.__dict__.setdefault("_class_attributes", {})
        found = cache.get(id(class_def))
        if found is None:
            found = cache[id(class_def)] = {}
            for statement in _statements_in(class_def.body):
                targets: Sequence = ()
                value = annotation = None
                if isinstance(statement, cst.Assign):
                    targets, value = [t.target for t in statement.targets], statement.value
                elif isinstance(statement, cst.AnnAssign):
                    targets, value = [statement.target], statement.value
                    annotation = statement.annotation.annotation
                for target in targets:
                    if (isinstance(target, cst.Attribute)
                            and self._class_of_self(_instance_of_class_reference(target.value)) is class_def):
                        found.setdefault(target.attr.value, []).append((target, value, annotation))
        return found


def _instance_of_class_reference(expr: cst.BaseExpression) -> cst.BaseExpression:
    """`self.__class__` and `type(self)` name the class of `self`: give `self`."""
    if isinstance(expr, cst.Attribute) and expr.attr.value == "__class__":
        return expr.value
    if (isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name) and expr.func.value == "type"
            and len(expr.args) == 1):
        return expr.args[0].value
    return expr


class _Neutral:
    """An assignment (`x = None`) that says nothing about what `x` holds."""


_NEUTRAL = _Neutral()
# A binding whose client is not known (as opposed to `x = None`, which says nothing).
_UNKNOWN = cst.Name("_")


class _StringAnnotation:
    def __init__(self, model: SemanticModel, anchor: cst.CSTNode) -> None:
        self.model, self.anchor = model, anchor

    def resolve(self, expr: cst.BaseExpression) -> Optional[DriverType]:
        if isinstance(expr, cst.Subscript):
            for element in expr.slice:
                if isinstance(element.slice, cst.Index):
                    found = self.resolve(element.slice.value)
                    if found is not None:
                        return found
            return self.resolve(expr.value)
        if isinstance(expr, cst.BinaryOperation):
            return self.resolve(expr.left) or self.resolve(expr.right)
        return driver.driver_class(self._qualified(expr))

    def _qualified(self, expr: cst.BaseExpression) -> Optional[str]:
        if isinstance(expr, cst.Name):
            bindings = self.model.scope_of(self.anchor).lookup(expr.value) or []
            imports = [b for b in bindings if b.kind == S.IMPORT]
            return imports[0].qualified_name if len(imports) == 1 else None
        if isinstance(expr, cst.Attribute):
            base = self._qualified(expr.value)
            return f"{base}.{expr.attr.value}" if base else None
        return None


def _is_none(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.Name) and expr.value == "None"


def _decorator_name(decorator: cst.Decorator) -> str:
    node = decorator.decorator
    if isinstance(node, cst.Call):
        node = node.func
    if isinstance(node, cst.Attribute):
        return node.attr.value
    return node.value if isinstance(node, cst.Name) else ""


def _argument_for(call: cst.Call, index: Optional[int], name: str) -> Optional[cst.BaseExpression]:
    position = 0
    for arg in call.args:
        if arg.star:
            return None
        if arg.keyword is not None:
            if arg.keyword.value == name:
                return arg.value
        else:
            if position == index:
                return arg.value
            position += 1
    return None


def _statements_in(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Every statement (small and compound) under `node`, nested defs included."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, (cst.BaseSmallStatement, cst.BaseCompoundStatement)):
            yield current
        if isinstance(current, cst.SimpleStatementLine):
            stack.extend(reversed(current.body))
        elif isinstance(current, (cst.IndentedBlock, cst.Module)):
            stack.extend(reversed(current.body))
        elif isinstance(current, cst.SimpleStatementSuite):
            stack.extend(reversed(current.body))
        elif isinstance(current, cst.BaseCompoundStatement):
            inner = blocks_of(current)
            if isinstance(current, cst.If) and isinstance(current.orelse, cst.If):
                inner.insert(1, current.orelse)  # an elif is a statement of its own
            stack.extend(reversed(inner))

