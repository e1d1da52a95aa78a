"""Client option facts beyond the names: URI options and what values PyMongo takes.

Part of ``generate_api.py`` (kept apart so each module holds one thing). MGL401
needs the options a connection string accepts, which are fewer than the keyword
options (``document_class=`` is a keyword only: in a URI it is "Unknown option",
warned about and ignored). MGL402 needs to know which values PyMongo rejects;
rather than restate PyMongo's rules, each option is classified by the validator
function PyMongo runs on it (``pymongo.common.VALIDATORS``), and every claim the
rule makes about a class of validators is checked here against real
``MongoClient(connect=False, ...)`` calls and real URI parsing.
"""

from __future__ import annotations

import inspect
import re
import warnings
from typing import Any, Callable, Dict, List, Optional, Tuple

import pymongo
import pymongo.common
import pymongo.compression_support
import pymongo.read_preferences
from pymongo.uri_parser import parse_uri

# PyMongo validator -> the value kind MGL402 checks. Options with another
# validator (strings, callables, file names, ...) have no value check.
VALIDATOR_KINDS = {
    "validate_boolean_or_string": "boolean",
    "validate_timeout_or_none_or_zero": "timeout",
    "validate_timeout_or_zero": "timeout",
    "validate_timeout_or_none": "timeout",
    "validate_timeoutms": "timeout",
    "validate_positive_float_or_zero": "non_negative_number",
    "validate_non_negative_integer": "non_negative_integer",
    "validate_non_negative_integer_or_none": "non_negative_integer",
    "validate_positive_integer": "positive_integer",
    "validate_non_negative_int_or_basestring": "write_concern_w",
    "validate_read_preference_mode": "choice",
    "validate_uuid_representation": "choice",
    "validate_compressors": "compressors",
    "validate_read_preference": "read_preference_object",
}


def option_kinds() -> Dict[str, str]:
    """Lower-cased option -> value kind (only options MGL402 checks)."""
    return {
        name: VALIDATOR_KINDS[validator.__name__]
        for name, validator in sorted(pymongo.common.VALIDATORS.items())
        if validator.__name__ in VALIDATOR_KINDS
    }


def option_choices() -> Dict[str, Tuple[str, ...]]:
    """Lower-cased option -> the string values PyMongo accepts for it."""
    return {
        "compressors": tuple(sorted(pymongo.compression_support._SUPPORTED_COMPRESSORS)),
        "readpreference": tuple(pymongo.read_preferences._MONGOS_MODES),
        "uuidrepresentation": tuple(pymongo.common._UUID_REPRESENTATIONS),
    }


def option_minimums() -> Dict[str, int]:
    """Lower-cased option -> the smallest value PyMongo accepts (raises below)."""
    return {"heartbeatfrequencyms": int(pymongo.common.MIN_HEARTBEAT_INTERVAL * 1000)}


def option_defaults() -> Dict[str, int]:
    """Defaults that a check compares with (minPoolSize must not exceed maxPoolSize)."""
    return {"maxpoolsize": pymongo.common.MAX_POOL_SIZE}


def exact_keywords() -> Dict[str, str]:
    """Keywords matched by their exact spelling: the constructor's named parameters
    that are not validated options (`host`, `port`), and the private keywords its
    `__init__` pops before validating (`_pool_class`, for tests of the driver)."""
    found = {}
    for client_class in (pymongo.MongoClient, pymongo.AsyncMongoClient):
        init = client_class.__init__
        names = {p.name for p in inspect.signature(init).parameters.values()
                 if p.name != "self" and p.kind is not p.VAR_KEYWORD
                 and p.name.lower() not in pymongo.common.VALIDATORS}
        names |= set(re.findall(r'kwargs\.pop\("(\w+)"', inspect.getsource(init)))
        found[client_class.__name__] = names
    assert found["MongoClient"] == found["AsyncMongoClient"], found
    return {name: name for name in sorted(found["MongoClient"])}


def uri_options(options: Dict[str, str]) -> Dict[str, str]:
    """Lower-cased option -> canonical spelling, for a connection string's query."""
    return {name: options[name] for name in sorted(pymongo.common.URI_OPTIONS_VALIDATOR_MAP)}


# --------------------------------------------------------------------------
# Self-checks against the installed PyMongo
# --------------------------------------------------------------------------


def _client_error(client_class: Callable = pymongo.MongoClient, uri: Optional[str] = None,
                  **kwargs: Any) -> Tuple[Optional[BaseException], List[str]]:
    """What ``MongoClient(uri, connect=False, **kwargs)`` raised, and its warnings."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            client = client_class(uri, **{"connect": False, **kwargs})
        except Exception as exc:  # noqa: BLE001 - we report any rejection
            return exc, [str(w.message) for w in caught]
        client.close()
    return None, [str(w.message) for w in caught]


def _uri_warnings(query: str) -> List[str]:
    """Warnings (and the error, if any) from parsing a URI with this query."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            parse_uri("mongodb://localhost/?" + query, warn=True)
        except Exception as exc:  # noqa: BLE001 - a bad value of a known option
            return [str(w.message) for w in caught] + [f"{type(exc).__name__}: {exc}"]
    return [str(w.message) for w in caught]


def _rejected(**kwargs: Any) -> bool:
    return _client_error(**kwargs)[0] is not None


def check_uri_options(options: Dict[str, str], uri: Dict[str, str]) -> None:
    """URI names are a subset of the keywords; keyword-only names are unknown in URIs."""
    assert set(uri) <= set(options)
    for name, canonical in uri.items():
        assert not any(w.startswith("Unknown option") for w in _uri_warnings(f"{canonical}=x")), name
    for name in set(options) - set(uri):
        found = _uri_warnings(f"{options[name]}=x")
        assert any(w.startswith("Unknown option") for w in found), name
    # An unknown URI option is only warned about: the client is built without it.
    error, caught = _client_error(uri="mongodb://h/?maxPoolSise=5")
    assert error is None and caught and caught[0].startswith("Unknown option"), caught
    # Case does not matter in a URI either.
    assert _client_error(uri="mongodb://h/?MAXPOOLSIZE=5&appName=x&AUTHSOURCE=admin") == (None, [])


def check_exact_keywords(exact: Dict[str, str]) -> None:
    assert {"host", "port"} <= set(exact), exact
    for name in exact:
        if name.startswith("_"):
            assert _client_error(**{name: None})[0] is None, name
            assert _client_error(**{name.upper(): None})[0] is not None, name
    assert _client_error(Host="localhost")[0] is not None  # named parameters: exact spelling


def check_value_claims(kinds: Dict[str, str], choices: Dict[str, Tuple[str, ...]],
                       minimums: Dict[str, int], defaults: Dict[str, int],
                       options: Dict[str, str]) -> None:
    """Every rejection MGL402 reports is a rejection by the installed PyMongo."""
    for name, kind in kinds.items():
        keyword = options[name]
        if kind == "boolean":
            assert not _rejected(**{keyword: True}) and not _rejected(**{keyword: "false"}), name
            assert _rejected(**{keyword: 1}) and _rejected(**{keyword: "yes"}), name
            assert _rejected(**{keyword: "True"}), name
        elif kind in ("timeout", "non_negative_number", "non_negative_integer"):
            assert _rejected(**{keyword: -1}), name
        elif kind == "positive_integer":
            assert _rejected(**{keyword: 0}) and _rejected(**{keyword: -1}), name
        elif kind == "write_concern_w":
            assert _rejected(**{keyword: -1}) and _rejected(**{keyword: 1.5}), name
        elif kind == "read_preference_object":
            assert isinstance(_client_error(**{keyword: "secondary"})[0], TypeError), name
    for name in ("retrywrites", "retryreads", "tls"):
        assert kinds[name] == "boolean", name
    for name in ("sockettimeoutms", "connecttimeoutms", "serverselectiontimeoutms", "timeoutms"):
        assert kinds[name] == "timeout", name
    # A URI value that PyMongo rejects is warned about and ignored, not raised.
    error, caught = _client_error(uri="mongodb://h/?retryWrites=yes&socketTimeoutMS=-5")
    assert error is None and len(caught) == 2, caught
    for name, allowed in choices.items():
        keyword = options[name]
        for value in allowed:
            error, caught = _client_error(**{keyword: value})
            assert error is None and not any(value in w and "Unsupported" in w for w in caught), (
                name, value)
        error, caught = _client_error(**{keyword: allowed[0] + "_x"})
        assert error is not None or any("Unsupported" in w for w in caught), name
    for name, minimum in minimums.items():
        assert _rejected(**{options[name]: minimum - 1}) and not _rejected(**{options[name]: minimum})
    default_max = defaults["maxpoolsize"]
    assert _rejected(minPoolSize=default_max + 1)
    assert not _rejected(minPoolSize=default_max + 1, maxPoolSize=None)
    assert not _rejected(minPoolSize=5, maxPoolSize=0)  # 0: no limit
    assert _rejected(uri="mongodb://h/?minPoolSize=8", maxPoolSize=5)  # raises from a URI too
    # Keywords win over the URI's options.
    client = pymongo.MongoClient("mongodb://h/?maxPoolSize=5", maxPoolSize=10, connect=False)
    assert client.options.pool_options.max_pool_size == 10
    client.close()
    # Seconds written as milliseconds are accepted, and mean milliseconds.
    client = pymongo.MongoClient(socketTimeoutMS=5, connect=False)  # noqa: MGL402 (on purpose)
    assert client.options.pool_options.socket_timeout == 0.005
    client.close()
    # AsyncMongoClient validates with the same functions.
    assert _client_error(pymongo.AsyncMongoClient, retryWrites=1)[0] is not None
