"""Expression types: what driver object (client, database, collection, session,
cursor, ... and flavour) an expression of the module is."""

from __future__ import annotations

from typing import Optional, Sequence

import libcst as cst

from mongolint.model import derivation, driver
from mongolint.model import scopes as S
from mongolint.model.scopes import Binding
from mongolint.model.flavour_evidence import used_asynchronously
from mongolint.model.parameter_types import ParameterTypes
from mongolint.model.syntax import instance_of_class_reference, is_none
from mongolint.model.types import CLIENT, COROUTINE, SESSION, SYNC, TRANSACTION, DriverType, Foreign, Resolved


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


class _Neutral:
    """An assignment (`x = None`) that says nothing about what `x` holds."""


NEUTRAL = _Neutral()


class ExpressionTypes(ParameterTypes):
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
            return derivation.subscript_type(base) if base is not None else None
        if isinstance(expr, cst.Await):
            inner = self.driver_type(expr.expression)
            if inner is not None and inner.kind == COROUTINE:
                return inner.returns
            return None
        if isinstance(expr, cst.NamedExpr):
            return self.type_of(expr.value)
        if isinstance(expr, cst.BooleanOperation) and isinstance(expr.operator, cst.Or):
            return self._type_of_either(expr.left, expr.right)
        if isinstance(expr, cst.IfExp):
            return self._type_of_either(expr.body, expr.orelse)
        return None

    def _type_of_either(self, first: cst.BaseExpression, second: cst.BaseExpression) -> Resolved:
        """Both sides' type when they agree (`None` aside). `client or
        MongoClient()`, `x if c else MongoClient()`: a side not known takes the
        type of a client constructed on the other (the idiom of an optional client)."""
        sides = [(side, NEUTRAL if is_none(side) else self.type_of(side)) for side in (first, second)]
        known = [(side, t) for side, t in sides if t is not NEUTRAL and t is not None]
        if len(known) == 2:
            return known[0][1] if known[0][1] == known[1][1] else None
        if len(known) == 1 and len([t for _, t in sides if t is NEUTRAL]) == 1:
            return known[0][1]  # `x if c else None`
        if len(known) == 1:
            side, found = known[0]
            constructed = isinstance(side, cst.Call) and isinstance(found, DriverType) and found.kind == CLIENT
            return found if constructed else None
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
            if root in driver.LOOKALIKE_ROOTS:
                return Foreign(root)
            entity = self.imported_entity(binding)
            return self.project.index.type_of(entity) if entity is not None else None
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

    def _type_of_call(self, call: cst.Call) -> Resolved:
        func = call.func
        called = self.project_entity_called(call)
        if called is not None:
            return self.project.index.type_of(called)
        qualified = self.qualified_name(func)
        if qualified is not None:
            constructed = driver.CLIENT_CLASSES.get(qualified)
            if constructed is not None:
                return Foreign("patched driver") if self.driver_patched(call) else constructed
            made = driver.DRIVER_CLASSES.get(qualified)
            if made is not None and made.kind == SESSION:
                return made  # `AsyncIOMotorClientSession(client, delegate)`: a session, built by hand
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

    def returns_of(self, function: cst.FunctionDef) -> Sequence[cst.Return]:
        """The function's own return statements (not those of functions nested in it)."""
        return self.index.returns.get(id(function), ())

    def _type_of_method_call(self, call: cst.Call, func: cst.Attribute) -> Resolved:
        method = func.attr.value
        receiver = self.type_of(func.value)
        if isinstance(receiver, Foreign):
            if receiver.origin == "self":
                return self._type_of_self_method(func)
            if receiver.origin == "project":
                return None  # `project_entity_called` had its say: not known
            return receiver
        if receiver is None:
            return self._guess_from_method_name(method, call, func.value)
        return derivation.method_result(receiver, method)

    def _type_of_self_method(self, func: cst.Attribute) -> Resolved:
        method = self.method_of_own_class(func)
        if method is not None:
            return self.return_type(method)
        inherited = self.inherited_member(func)
        return self.project.index.type_of(self.project.index.call(inherited)) if inherited is not None else None

    def project_entity_called(self, call: cst.Call):
        """What calling a name of another module gives (a `project.Entity`), if that is where it is from."""
        if self.project is None:
            return None
        if isinstance(call.func, cst.Attribute) and isinstance(self.type_of(call.func.value), Foreign) \
                and self.type_of(call.func.value).origin == "self":
            inherited = self.inherited_member(call.func)
            if inherited is not None and self.method_of_own_class(call.func) is None:
                return self.project.index.call(inherited)
            return None
        callee = self.type_of(call.func)
        if isinstance(callee, Foreign) and callee.origin == "project":
            return self.project.index.call(callee.entity)
        return None

    def reexported_driver_name(self, binding: Binding) -> Optional[str]:
        """`from app.db import MongoClient`, where `app/db.py` imports it from
        the driver: the driver's qualified name. Only names the driver's classes
        have are looked up (every other import would cost a resolution)."""
        if (binding.qualified_name or "").rsplit(".", 1)[-1] not in driver.DRIVER_CLASS_NAMES:
            return None
        entity = self.resolved_import(binding)
        return entity.name if entity is not None and entity.kind == "driver" else None

    def imported_entity(self, binding: Binding):
        """The `project.Entity` an import of a project module binds."""
        entity = self.resolved_import(binding)
        return entity if entity is not None and entity.kind != "driver" else None

    def _guess_from_method_name(self, method: str, call: cst.Call, receiver: cst.BaseExpression) -> Resolved:
        if not self.uses_driver or method not in _DISTINCTIVE_METHODS:
            return None
        kind = _DISTINCTIVE_METHODS[method]
        flavour = self.sole_flavour
        if flavour == SYNC and (self._not_from_the_sync_driver(receiver) or used_asynchronously(self, call)):
            flavour = None  # not the sync driver's object, whatever the imports say
        return DriverType(kind, flavour) if kind else None

    def _not_from_the_sync_driver(self, expr: cst.BaseExpression) -> bool:
        """The module imports only the sync driver, but this receiver's value is
        not its: every value it is assigned is awaited (`self.client = await
        self.async_client()`), or it is a `self.x` that this class never assigns
        (a base class in another module does)."""
        if isinstance(expr, cst.Name):
            values = [b.value for b in self.bindings_of(expr) if b.kind == S.ASSIGN]
        elif isinstance(expr, cst.Attribute) and isinstance(self.type_of(expr.value), Foreign):
            class_def = self._class_of_self(expr.value)
            if class_def is None:
                return False
            values = [value for _, value, _ in self.self_attribute_assignments(class_def, expr.attr.value)]
            if not values and not self.index.scopes[id(class_def)].bindings.get(expr.attr.value):
                return True
        else:
            return False
        values = [v for v in values if v is not None and not is_none(v)]
        return bool(values) and all(isinstance(v, cst.Await) for v in values)

    @property
    def sole_flavour(self) -> Optional[str]:
        return next(iter(self.driver_flavours)) if len(self.driver_flavours) == 1 else None

    def method(self, receiver: DriverType, name: str):
        """(takes_session, is_coroutine, returns) of a driver method, or None."""
        return derivation.method_entry(receiver, name)

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
        owner = instance_of_class_reference(attr.value)
        if owner is not attr.value:  # `self.__class__.x`, `type(self).x`: what the class's `x` holds
            class_def = self._class_of_self(owner)
            if class_def is None:
                return None
            return self._combine(self._attribute_assignment_types(class_def, attr.attr.value))
        base = self.type_of(attr.value)
        name = attr.attr.value
        if isinstance(base, Foreign):
            if base.origin == "self":
                return self._type_of_self_attribute(attr)
            if base.origin == "project":
                index = self.project.index
                return index.type_of(index.attribute(base.entity, name))
            return None
        if base is None:
            return None
        return derivation.attribute_type(base, name)


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
