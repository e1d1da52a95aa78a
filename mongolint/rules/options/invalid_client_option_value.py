"""MGL402 invalid-client-option-value."""

from __future__ import annotations

import difflib
from typing import Dict, Iterator, List, Optional, Tuple

import libcst as cst

from mongolint.diagnostics import Diagnostic
from mongolint.model import api
from mongolint.rules.base import Rule
from mongolint.rules.options._client_call import UNKNOWN, ClientCall, client_calls, literal_value

_CLIENT_WORDS = frozenset({"MongoClient", "AsyncMongoClient", "AsyncIOMotorClient", "MotorClient"})
# Below this many milliseconds a timeout is almost surely seconds written as milliseconds.
_SECONDS_AS_MILLISECONDS = 100


class InvalidClientOptionValue(Rule):
    """A literal option value PyMongo rejects, or that is almost surely wrong.

    What each option accepts comes from the validator PyMongo runs on it
    (`api.CLIENT_OPTION_KINDS`, checked against PyMongo 4.20 by the generator).
    A rejected keyword raises in the constructor; a rejected URI value is warned
    about and ignored (minPoolSize above maxPoolSize raises from both).
    """

    code = "MGL402"
    name = "invalid-client-option-value"
    trigger_words = _CLIENT_WORDS

    def check(self) -> Iterator[Diagnostic]:
        for client in client_calls(self.model):
            for keyword in client.keywords:
                problem = _problem(keyword.name, literal_value(keyword.value), in_uri=False)
                if problem:
                    yield self.report(keyword.value if problem[1] else keyword.name_node, problem[0])
            # One finding per string (part): the engine keeps one finding per position.
            by_string: Dict[int, Tuple[cst.CSTNode, List[str]]] = {}
            for option in client.uri:
                value = UNKNOWN if option.value is None else option.value
                problem = _problem(option.name, value, in_uri=True)
                if problem:
                    by_string.setdefault(id(option.node), (option.node, []))[1].append(problem[0])
            for node, messages in by_string.values():
                yield self.report(node, "; ".join(messages))
            yield from self._check_pool_sizes(client)

    def _check_pool_sizes(self, client: ClientCall) -> Iterator[Diagnostic]:
        minimum, minimum_node = _effective(client, "minpoolsize")
        maximum, _ = _effective(client, "maxpoolsize")
        if not isinstance(minimum, int) or isinstance(minimum, bool):
            return
        if maximum is _ABSENT:
            if client.open_keywords:
                return
            maximum = api.CLIENT_OPTION_DEFAULTS["maxpoolsize"]
            what = f"the default maxPoolSize ({maximum})"
        else:
            what = f"maxPoolSize ({maximum})"
        if isinstance(maximum, int) and not isinstance(maximum, bool) and 0 < maximum < minimum:
            yield self.report(minimum_node, f"minPoolSize ({minimum}) is larger than {what}: the constructor "
                                            "raises `ValueError: minPoolSize must be smaller or equal to "
                                            "maxPoolSize`")


_ABSENT = object()


def _effective(client: ClientCall, lower: str) -> Tuple[object, Optional[cst.CSTNode]]:
    """The value an option ends up with (a keyword beats the URI) and where it is written."""
    keyword = client.keyword(lower)
    if keyword is not None:
        return literal_value(keyword.value), keyword.value
    option = client.uri_option(lower)
    if option is not None:
        if option.value is None:
            return UNKNOWN, option.node
        try:
            return int(option.value), option.node
        except ValueError:
            return UNKNOWN, option.node
    return _ABSENT, None


def _problem(name: str, value: object, in_uri: bool) -> Optional[Tuple[str, bool]]:
    """(message, whether it is about the value) for a bad option, or None."""
    lower = name.lower()
    if lower in api.REMOVED_CLIENT_OPTIONS:
        return _removed(name, in_uri), False
    kind = api.CLIENT_OPTION_KINDS.get(lower)
    if kind is None or value is UNKNOWN or value is None:
        return None
    canonical = api.CLIENT_OPTIONS.get(lower, name)
    found = _kind_problem(canonical, kind, value, in_uri)
    if found is None:
        return None
    message, raised = found
    if raised is None:
        return message, True
    effect = "PyMongo warns and ignores it" if in_uri else f"the constructor raises `{raised}`"
    return f"{message}: {effect}", True


def _kind_problem(name: str, kind: str, value: object, in_uri: bool) -> Optional[Tuple[str, Optional[str]]]:
    """(message, the exception a keyword with this value raises) or None. The
    exception is None when PyMongo accepts the value (it is reported when it is
    almost surely not what was meant) or the message says what happens."""
    lower = name.lower()
    if kind == "boolean":
        return _boolean_problem(name, value, in_uri)
    if kind == "read_preference_object" and isinstance(value, str):
        return (f"`{name}=` takes a `ReadPreference` object, not the string {value!r} "
                "(use `readPreference=` for a mode name)"), "TypeError"
    if kind == "choice":
        return _choice_problem(name, value)
    if kind == "compressors":
        return _compressors_problem(value)
    if kind == "write_concern_w":
        return _write_concern_problem(value)
    number = _number(value)
    if number is None:
        return None
    if kind in ("timeout", "non_negative_number", "non_negative_integer") and number < 0:
        return f"`{name}` cannot be negative ({_shown(number)})", "ValueError"
    if kind == "positive_integer" and number <= 0:
        return f"`{name}` must be at least 1 ({_shown(number)})", "ValueError"
    minimum = api.CLIENT_OPTION_MINIMUMS.get(lower)
    if minimum is not None and number < minimum:
        return (f"`{name}` cannot be less than {minimum} ({_shown(number)}): the constructor raises "
                "`ConfigurationError`, from a keyword or a connection string"), None
    if (lower.endswith("ms") and (kind == "timeout" or lower.endswith("timeoutms"))
            and 0 < number < _SECONDS_AS_MILLISECONDS):
        return (f"`{name}={_shown(number)}` is {_shown(number)} ms, less than opening a connection (with "
                "its TLS handshake) or a typical operation takes: if seconds were meant, write "
                f"`{name}={_shown(number * 1000)}`"), None
    return None


def _boolean_problem(name: str, value: object, in_uri: bool) -> Optional[Tuple[str, Optional[str]]]:
    if isinstance(value, bool) and not in_uri:
        return None
    if value in ("true", "false"):
        return None
    return f"`{name}` takes True or False (`'true'`/`'false'` as text), not {_shown(value)}", (
        "ValueError" if isinstance(value, str) else "TypeError")


def _choice_problem(name: str, value: object) -> Optional[Tuple[str, Optional[str]]]:
    allowed = api.CLIENT_OPTION_CHOICES[name.lower()]
    if not isinstance(value, str) or value in allowed:
        return None
    return f"{value!r} is not a valid `{name}`{_suggestion(value, allowed)}", "ValueError"


def _compressors_problem(value: object) -> Optional[Tuple[str, Optional[str]]]:
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list):
        return None
    allowed = api.CLIENT_OPTION_CHOICES["compressors"]
    unknown = [item for item in items if isinstance(item, str) and item not in allowed]
    if not unknown:
        return None
    return (f"{unknown[0]!r} is not a compressor PyMongo supports{_suggestion(unknown[0], allowed)} "
            f"(one of {', '.join(allowed)}): PyMongo warns and drops it"), None


def _write_concern_problem(value: object) -> Optional[Tuple[str, Optional[str]]]:
    if isinstance(value, float):
        return f"`w` takes a number of members or a mode name, not {_shown(value)}", "TypeError"
    number = _number(value)
    if number is not None and number < 0:
        return f"`w` cannot be negative ({_shown(number)})", "ValueError"
    if isinstance(value, str) and value != "majority" and value.lower() == "majority":
        return (f"`w={value!r}` is taken as the name of a custom write concern mode, which the server "
                "rejects unless its replica set defines a mode of that name: write `w='majority'`"), None
    return None


def _removed(name: str, in_uri: bool) -> str:
    replacement = api.REMOVED_CLIENT_OPTIONS[name.lower()]
    effect = ("PyMongo 4 warns and ignores it" if in_uri
              else "PyMongo 4 raises `ConfigurationError: Unknown option`")
    advice = f"use `{replacement}`" if replacement else "remove it"
    return f"`{name}` was removed in PyMongo 4: {effect}; {advice}"


def _suggestion(value: str, allowed) -> str:
    close = difflib.get_close_matches(value, list(allowed), n=1, cutoff=0.6)
    if not close:
        lowered = {a.lower().replace("_", ""): a for a in allowed}
        match = lowered.get(value.lower().replace("_", ""))
        close = [match] if match else []
    return f" (did you mean {close[0]!r}?)" if close else ""


def _number(value: object) -> Optional[float]:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _shown(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value) if isinstance(value, str) else str(value)
