"""Which functions of a module are web request handlers (they run once per request).

Only in a module that imports a web framework. A handler is a function
decorated as a route (`@app.route`, `@bp.get`, `@router.post`, `@routes.get`,
DRF's `@api_view`), one registered as a route's endpoint in the same module
(`add_url_rule`, `add_api_route`, `APIRoute`, Starlette's `Route`, aiohttp's
`web.get` and `router.add_get`), a FastAPI dependency (`Depends(get_db)`) that
is not cached, a `@app.before_request` hook, a method named after an HTTP verb of a
class-based view (a base named `...View`, `...ViewSet`, `RequestHandler` or
`HTTPEndpoint`), or, in a `views` module, a module-level function whose first
parameter is `request` (a Django view).
"""

from __future__ import annotations

from typing import Iterator, List, Optional

import libcst as cst

from mongolint.model import SemanticModel
from mongolint.model.syntax import decorator_name

WEB_FRAMEWORKS = frozenset({"flask", "quart", "fastapi", "starlette", "sanic", "aiohttp", "django",
                            "rest_framework", "tornado", "bottle", "falcon", "litestar", "pyramid",
                            "ninja", "responder", "blacksheep"})
_ROUTE_DECORATORS = frozenset({"route", "get", "post", "put", "patch", "delete", "head", "options",
                               "websocket", "api_route", "api_view", "view"})
# callee's last name -> the keyword that names the handler (positional arguments
# are looked at too: frameworks disagree on where the handler goes in `add_route`).
_ENDPOINT_REGISTRATIONS = {
    "add_url_rule": "view_func", "add_api_route": "endpoint", "add_api_websocket_route": "endpoint",
    "APIRoute": "endpoint", "Route": "endpoint", "WebSocketRoute": "endpoint", "add_route": "handler",
    "add_get": "handler", "add_post": "handler", "add_put": "handler", "add_patch": "handler",
    "add_delete": "handler", "add_websocket_route": "route",
}
# aiohttp's `web.get("/", handler)` & co. (only under these module names).
_AIOHTTP_ROUTE_FUNCTIONS = frozenset({"get", "post", "put", "patch", "delete", "head", "view", "route"})
_VIEW_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "dispatch",
                           "list", "create", "retrieve", "update", "partial_update", "destroy",
                           "websocket"})
_VIEW_BASE_SUFFIXES = ("View", "ViewSet", "RequestHandler", "HTTPEndpoint")
# Hooks that run on every request, like a handler (Flask, Quart).
_PER_REQUEST_HOOKS = frozenset({"before_request", "before_app_request"})
_NOT_HANDLER_DECORATORS = frozenset({"fixture", "lru_cache", "cache", "cached_property"})


def uses_web_framework(model: SemanticModel) -> bool:
    return any((b.qualified_name or "").split(".")[0] in WEB_FRAMEWORKS for b in model.index.imports)


def request_handlers(model: SemanticModel) -> List[cst.FunctionDef]:
    if not uses_web_framework(model):
        return []
    found = {id(f): f for f in model.index.functions if _is_handler(model, f)}
    for function in list(_registered_endpoints(model)) + list(_request_dependencies(model)):
        found[id(function)] = function
    return list(found.values())


def _is_handler(model: SemanticModel, function: cst.FunctionDef) -> bool:
    names = [decorator_name(d) for d in function.decorators]
    if any(name in _NOT_HANDLER_DECORATORS for name in names):
        return False
    if any(_is_route_decorator(d) for d in function.decorators) or _PER_REQUEST_HOOKS & set(names):
        return True
    owner = model.scope_of(function).node
    if isinstance(owner, cst.ClassDef):
        return function.name.value in _VIEW_METHODS and _is_view_class(model, owner)
    return (owner is model.module and _in_views_module(model.module_name)
            and _first_parameter(function) == "request")


def _is_route_decorator(decorator: cst.Decorator) -> bool:
    node = decorator.decorator
    if not isinstance(node, cst.Call):
        return False
    func = node.func
    if isinstance(func, cst.Name):
        return func.value == "api_view"
    return isinstance(func, cst.Attribute) and func.attr.value in _ROUTE_DECORATORS


def _is_view_class(model: SemanticModel, class_def: cst.ClassDef) -> bool:
    for base in class_def.bases:
        value = base.value
        name = value.attr.value if isinstance(value, cst.Attribute) else getattr(value, "value", "")
        if isinstance(name, str) and name.endswith(_VIEW_BASE_SUFFIXES):
            return True
    return False


def _in_views_module(module_name: str) -> bool:
    parts = module_name.split(".") if module_name else []
    if not parts or parts[-1].startswith("test"):
        return False
    return parts[-1] == "views" or "views" in parts[:-1]


def _first_parameter(function: cst.FunctionDef) -> Optional[str]:
    params = list(function.params.posonly_params) + list(function.params.params)
    return params[0].name.value if params else None


def _registered_endpoints(model: SemanticModel) -> Iterator[cst.FunctionDef]:
    for call in model.index.calls:
        func = call.func
        name = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", None)
        keyword = _ENDPOINT_REGISTRATIONS.get(name) if isinstance(name, str) else None
        if keyword is None and name in _AIOHTTP_ROUTE_FUNCTIONS and _is_aiohttp_web(model, func):
            keyword = "handler"
        if keyword is None:
            continue
        for argument in call.args:
            if (argument.keyword is None and not argument.star) or (
                    argument.keyword is not None and argument.keyword.value == keyword):
                yield from _functions_named(model, argument.value)


def _request_dependencies(model: SemanticModel) -> Iterator[cst.FunctionDef]:
    """FastAPI's `Depends(get_db)` / `Security(...)`: the dependency runs for every
    request that needs it, unless it is cached (`@lru_cache`)."""
    for call in model.index.calls:
        qualified = model.qualified_name(call.func) or ""
        if not qualified.startswith("fastapi.") or qualified.rsplit(".", 1)[-1] not in ("Depends", "Security"):
            continue
        for argument in call.args[:1]:
            for function in _functions_named(model, argument.value):
                if not any(decorator_name(d) in _NOT_HANDLER_DECORATORS for d in function.decorators):
                    yield function


def _is_aiohttp_web(model: SemanticModel, func: cst.BaseExpression) -> bool:
    qualified = model.qualified_name(func) or ""
    return qualified.startswith("aiohttp.web.")


def _functions_named(model: SemanticModel, expr: cst.BaseExpression) -> Iterator[cst.FunctionDef]:
    if isinstance(expr, cst.Name):
        for binding in model.bindings_of(expr):
            if isinstance(binding.node, cst.FunctionDef):
                yield binding.node
