"""Expression types: what driver object (client, database, collection, session,
cursor, ... and flavour) an expression of the module is."""

from __future__ import annotations

from typing import Iterator, Optional, Union

import libcst as cst

from mongolint.model import api, driver
from mongolint.model import scopes as S
from mongolint.model.scopes import Binding
from mongolint.model.flavour_evidence import used_asynchronously
from mongolint.model.syntax import (argument_for, decorator_name, instance_of_class_reference, is_none,
                                    statements_in)
from mongolint.model.types import (CLIENT, COLLECTION, COROUTINE, DATABASE, SESSION, SYNC, TRANSACTION,
                                   DriverType, Foreign)

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

# What code does with a session (and with little else): how an unannotated
# parameter shows it is one.
_SESSION_ATTRIBUTES = frozenset({"start_transaction", "with_transaction", "commit_transaction",
                                 "abort_transaction", "end_session", "client", "bind", "in_transaction"})

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
        passed = self._type_from_call_sites(function, param)
        if passed is None:
            session = self.transaction_runner_of(function, param)
            if session is not None:
                return self.driver_type(session)
            if self._used_only_as_session(binding):
                return DriverType(SESSION, self.sole_flavour)
        return passed

    def _used_only_as_session(self, binding: Binding) -> bool:
        """An unannotated parameter whose every use is `session=<it>` or a session's
        own method or `.client`, in a module that uses the driver."""
        if not self.uses_driver or binding.annotation is not None:
            return False
        from mongolint.model.lifetime import uses_of_binding  # lifetime asks this module for types

        uses = uses_of_binding(self, binding, self.scope_of(binding.node))
        return bool(uses) and all(self._is_session_use(n) for n in uses)

    def _is_session_use(self, name: cst.Name) -> bool:
        parent = self.parent(name)
        if isinstance(parent, cst.Arg):
            return parent.keyword is not None and parent.keyword.value == "session"
        return (isinstance(parent, cst.Attribute) and parent.value is name
                and parent.attr.value in _SESSION_ATTRIBUTES)

    def transaction_runner_of(self, function: cst.FunctionDef, param: cst.Param) -> Optional[cst.BaseExpression]:
        """The session `s` when `function` is passed to `s.with_transaction(...)`
        and `param` is its first parameter: the driver calls it with `s`."""
        positional = list(function.params.posonly_params) + list(function.params.params)
        if not positional or positional[0] is not param:
            return None
        for name in self.index.names.get(function.name.value, ()):
            arg = self.parent(name)
            call = self.parent(arg) if isinstance(arg, cst.Arg) and arg.value is name else None
            if not (isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute)
                    and call.func.attr.value == "with_transaction"):
                continue
            first = arg.keyword is None and call.args and call.args[0] is arg
            if not (first or arg.keyword is not None and arg.keyword.value == "callback"):
                continue
            if any(b.node is function for b in self.bindings_of(name)):
                found = self.driver_type(call.func.value)
                if found is not None and found.kind == SESSION:
                    return call.func.value
        return None

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
            return self._guess_from_method_name(method, call, func.value)
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
