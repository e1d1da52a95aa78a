"""Is this data a module summary (`summaries.summarize`'s shape)? Summaries read
back from a cache file are checked before the index uses one: a cache that was
edited or written by something else is ignored, never a crash."""

from __future__ import annotations

_LEAVES = frozenset({"self", "class", "none", "unknown"})
_MAX_DEPTH = 200


def is_summary(data) -> bool:
    try:
        return _module(data)
    except RecursionError:
        return False


def _module(data) -> bool:
    return (isinstance(data, dict) and set(data) == {"imports", "stars", "names", "functions", "classes"}
            and _table(data["imports"], _import)
            and isinstance(data["stars"], list) and all(_star(star) for star in data["stars"])
            and _table(data["names"], _expression)
            and _table(data["functions"], _function)
            and _table(data["classes"], _class))


def _table(data, is_value) -> bool:
    return isinstance(data, dict) and all(isinstance(name, str) and is_value(value) for name, value in data.items())


def _level(value) -> bool:
    return type(value) is int and value >= 0


def _import(data) -> bool:
    return (isinstance(data, list) and len(data) == 3 and _level(data[0]) and isinstance(data[1], str)
            and (data[2] is None or isinstance(data[2], str)))


def _star(data) -> bool:
    return isinstance(data, list) and len(data) == 2 and _level(data[0]) and isinstance(data[1], str)


def _function(data) -> bool:
    return (isinstance(data, dict) and set(data) == {"returns", "hint", "async", "decorators", "hands_off"}
            and _expression(data["returns"]) and _expression(data["hint"]) and isinstance(data["async"], bool) and isinstance(data["hands_off"], bool)
            and isinstance(data["decorators"], list) and all(isinstance(d, str) for d in data["decorators"]))


def _class(data) -> bool:
    return (isinstance(data, dict) and set(data) == {"bases", "methods", "attributes"}
            and isinstance(data["bases"], list) and all(_expression(base) for base in data["bases"])
            and _table(data["methods"], _function) and _table(data["attributes"], _expression))


def _expression(data, depth: int = 0) -> bool:
    if depth > _MAX_DEPTH or not isinstance(data, list) or not data or not isinstance(data[0], str):
        return False
    form, rest = data[0], data[1:]
    if form in _LEAVES:
        return not rest
    if form == "ref":
        return len(rest) == 1 and isinstance(rest[0], str)
    if form in ("call", "item", "await"):
        return len(rest) == 1 and _expression(rest[0], depth + 1)
    if form == "attr":
        return len(rest) == 2 and _expression(rest[0], depth + 1) and isinstance(rest[1], str)
    if form in ("any", "hint"):
        return len(rest) == 1 and isinstance(rest[0], list) and all(_expression(e, depth + 1) for e in rest[0])
    return False
