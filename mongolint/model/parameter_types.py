"""Parameter types: what a function's parameter is, from its callers in the
module (`_type_from_call_sites`), from the `with_transaction` that runs it, or
from its uses (`session=<it>`); `self` is the instance. A mixin of
`ExpressionTypes`, which gives `type_of`, `driver_type` and `_combine`."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst

from mongolint.model.scopes import Binding
from mongolint.model.syntax import argument_for, decorator_name
from mongolint.model.types import SESSION, DriverType, Foreign, Resolved

# What code does with a session (and with little else): how an unannotated
# parameter shows it is one.
_SESSION_ATTRIBUTES = frozenset({"start_transaction", "with_transaction", "commit_transaction",
                                 "abort_transaction", "end_session", "client", "bind", "in_transaction"})


class ParameterTypes:
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
