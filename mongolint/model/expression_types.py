"""Expression types: what driver object (client, database, collection, session,
cursor, ... and flavour) an expression of the module is."""

from __future__ import annotations

from typing import Iterator, Optional, Union

import libcst as cst

from mongolint.model import api, driver
from mongolint.model import scopes as S
from mongolint.model.scopes import Binding
from mongolint.model.syntax import argument_for, decorator_name, is_none, statements_in
from mongolint.model.flavour_evidence import used_asynchronously
from mongolint.model.types import (CLIENT, COLLECTION, COROUTINE, DATABASE, SESSION, SYNC, TRANSACTION, DriverType,
                                   Foreign)

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

_SUBSCRIPT_DERIVATION = {CLIENT: DATABASE, DATABASE: COLLECTION, COLLECTION: COLLECTION}
_ATTRIBUTE_DERIVATION = _SUBSCRIPT_DERIVATION


class _Neutral:
    """An assignment (`x = None`) that says nothing about what `x` holds."""


NEUTRAL = _Neutral()


class ExpressionTypes:
    """`type_of(expr)`: a `DriverType`, a `Foreign` marker when the value is known
    to be something else, or None."""

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
            if t is NEUTRAL:
                continue
            if seen_any and t != found:
                return None
            found, seen_any = t, True
        return found

    def type_of_binding(self, binding: Binding) -> Resolved:
        if binding.annotation is not None:
            if binding.kind == S.ASSIGN and binding.value is not None and not is_none(binding.value):
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
            if is_none(binding.value):
                return NEUTRAL
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
        if scope.kind != "class" or any(decorator_name(d) == "staticmethod" for d in function.decorators):
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
            argument = argument_for(call, index, name)
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
        for node in statements_in(function.body):
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


class _StringAnnotation:
    def __init__(self, model: ExpressionTypes, anchor: cst.CSTNode) -> None:
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
