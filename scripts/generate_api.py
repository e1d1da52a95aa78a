"""Generate ``mongolint/model/api.py``: PyMongo and Motor API facts as plain data.

Why this script exists
----------------------
mongolint never imports PyMongo or Motor at run time: it reads the code it
checks, it does not run it, and the user's environment may have no driver or a
different version. Its rules still need facts only the drivers know: which
methods accept ``session=``, which are coroutines in the async drivers, what
each method returns (a cursor, a session, a collection, ...), and which keyword
options ``MongoClient`` accepts. This dev tool imports the installed drivers,
reads those facts from them and writes them as a pure-data module:

* PyMongo (sync and async API): signatures and return annotations of the
  classes' public methods and properties, ``inspect.iscoroutinefunction``.
* Motor: its classes are built at import time from descriptor objects
  (``AsyncCommand``, ``AsyncRead``, ``DelegateMethod``, ``ReadOnlyProperty``,
  ``MotorCursorChainingMethod``...) that wrap a PyMongo *sync* class. Each
  attribute's descriptor says whether it returns an awaitable and which PyMongo
  class its result is wrapped from; Motor's hand-written methods are read from
  their source (which Motor class they construct, ``return self``...).
* Client options: ``pymongo.common.VALIDATORS`` (the table ``MongoClient``
  validates keyword options against, case-insensitively), with canonical
  spellings from ``MongoClient``'s docstring and source.

Every inference that a rule depends on is asserted in ``check_facts`` (facts
verified against the drivers' behaviour and source, see docs/spec RULES.md),
so a wrong inspection or a behaviour change in a new driver release fails
loudly instead of producing a silently wrong table.

Usage::

    python scripts/generate_api.py          # (re)write mongolint/model/api.py
    python scripts/generate_api.py --check  # exit 1 with a diff if it is stale

``tests/test_api_tables.py`` regenerates the table in memory and fails when the
committed file no longer matches the installed drivers.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import collections
import difflib
import inspect
import os
import re
import sys
import textwrap
import typing
import warnings
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, Optional, Tuple

import motor
import motor.core
import motor.metaprogramming as motor_meta
import motor.motor_asyncio as motor_asyncio
import pymongo
import pymongo.common
from pymongo.asynchronous.change_stream import AsyncChangeStream
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.command_cursor import AsyncCommandCursor
from pymongo.asynchronous.cursor import AsyncCursor
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.change_stream import ChangeStream
from pymongo.client_session import ClientSession
from pymongo.collection import Collection
from pymongo.command_cursor import CommandCursor
from pymongo.cursor import Cursor
from pymongo.database import Database
from pymongo.errors import ConfigurationError

sys.path.insert(0, str(Path(__file__).resolve().parent))
import client_option_tables  # noqa: E402 (found beside this script, also when loaded by path)

REPO_ROOT = Path(__file__).resolve().parent.parent
OUTPUT = REPO_ROOT / "mongolint" / "model" / "api.py"

KINDS = (
    "client",
    "database",
    "collection",
    "session",
    "cursor",
    "command_cursor",
    "change_stream",
)
FLAVOURS = ("sync", "async", "motor")

# (flavour, kind) -> the class whose API the table describes.
CLASSES: Dict[Tuple[str, str], type] = {
    ("sync", "client"): pymongo.MongoClient,
    ("sync", "database"): Database,
    ("sync", "collection"): Collection,
    ("sync", "session"): ClientSession,
    ("sync", "cursor"): Cursor,
    ("sync", "command_cursor"): CommandCursor,
    ("sync", "change_stream"): ChangeStream,
    ("async", "client"): pymongo.AsyncMongoClient,
    ("async", "database"): AsyncDatabase,
    ("async", "collection"): AsyncCollection,
    ("async", "session"): AsyncClientSession,
    ("async", "cursor"): AsyncCursor,
    ("async", "command_cursor"): AsyncCommandCursor,
    ("async", "change_stream"): AsyncChangeStream,
    ("motor", "client"): motor_asyncio.AsyncIOMotorClient,
    ("motor", "database"): motor_asyncio.AsyncIOMotorDatabase,
    ("motor", "collection"): motor_asyncio.AsyncIOMotorCollection,
    ("motor", "session"): motor_asyncio.AsyncIOMotorClientSession,
    ("motor", "cursor"): motor_asyncio.AsyncIOMotorCursor,
    ("motor", "command_cursor"): motor_asyncio.AsyncIOMotorCommandCursor,
    ("motor", "change_stream"): motor_asyncio.AsyncIOMotorChangeStream,
}

# Motor's framework-agnostic classes, most specific first (for issubclass).
MOTOR_AGNOSTIC_KINDS = (
    (motor.core.AgnosticClient, "client"),
    (motor.core.AgnosticDatabase, "database"),
    (motor.core.AgnosticCollection, "collection"),
    (motor.core.AgnosticClientSession, "session"),
    (motor.core.AgnosticCursor, "cursor"),
    (motor.core.AgnosticCommandCursor, "command_cursor"),
    (motor.core.AgnosticChangeStream, "change_stream"),
)

# PyMongo's aggregate_raw_batches is annotated ``-> RawBatchCursor`` but
# returns ``cast("RawBatchCursor", ...)`` of a RawBatchCommandCursor (asserted
# against the source in ``annotation_corrections``).
RETURN_CORRECTIONS = {("collection", "aggregate_raw_batches"): "command_cursor"}

# Public instance attributes Motor sets in ``__init__`` whose value is a Motor
# object (verified at run time in ``check_runtime``). Others (``delegate``, the
# wrapped PyMongo *sync* object; ``started``...) map to None.
MOTOR_INSTANCE_ATTRIBUTE_KINDS = {
    ("collection", "database"): "database",
    ("cursor", "collection"): "collection",
}

MethodFacts = Tuple[bool, bool, Optional[str]]


# --------------------------------------------------------------------------
# Class names -> kinds, and return annotations -> kinds
# --------------------------------------------------------------------------


def _all_subclasses(cls: type) -> Iterable[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


def pymongo_class_names(flavour: str) -> Dict[str, str]:
    """Class name -> kind for a PyMongo flavour, subclasses included.

    ``RawBatchCursor`` is a "cursor", ``CollectionChangeStream`` a
    "change_stream", and so on.
    """
    names: Dict[str, str] = {}
    for (flav, kind), cls in CLASSES.items():
        if flav != flavour:
            continue
        for klass in (cls, *_all_subclasses(cls)):
            if klass.__module__.startswith("pymongo."):
                assert names.get(klass.__name__, kind) == kind, klass
                names[klass.__name__] = kind
    return names


def typevar_bindings(cls: type) -> Dict[str, Any]:
    """TypeVar name -> concrete argument, from ``cls``'s generic bases.

    ``ClientSession(_AgnosticClientSessionBase["MongoClient[Any]", ...])``
    binds ``_ClientT`` (the return type of ``session.client``) to
    ``"MongoClient[Any]"``.
    """
    bindings: Dict[str, Any] = {}
    for base in reversed(cls.__mro__):
        for orig in base.__dict__.get("__orig_bases__", ()):
            origin = typing.get_origin(orig)
            params = getattr(origin, "__parameters__", ())
            args = typing.get_args(orig)
            if len(params) == len(args):
                for param, arg in zip(params, args):
                    if isinstance(arg, typing.ForwardRef):
                        arg = arg.__forward_arg__
                    bindings[param.__name__] = arg
    return bindings


def _annotation_names(node: ast.AST) -> Iterable[Optional[str]]:
    """The outermost type names of an annotation expression (None for None).

    ``Cursor[_DocumentType] | None`` -> ``Cursor``, None;
    ``Optional[Database[X]]`` -> ``Database``.
    """
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        yield from _annotation_names(node.left)
        yield from _annotation_names(node.right)
    elif isinstance(node, ast.Constant) and node.value is None:
        yield None
    elif isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield from _annotation_names(ast.parse(node.value, mode="eval").body)
    elif isinstance(node, ast.Subscript):
        outer = list(_annotation_names(node.value))
        if outer in (["Optional"], ["Union"]):
            inner = node.slice
            if type(inner).__name__ == "Index":  # Python < 3.9 wraps the slice
                inner = inner.value  # type: ignore[attr-defined]
            elts = inner.elts if isinstance(inner, ast.Tuple) else [inner]
            for elt in elts:
                yield from _annotation_names(elt)
        else:
            yield from outer
    elif isinstance(node, ast.Attribute):
        yield node.attr
    elif isinstance(node, ast.Name):
        yield node.id
    else:
        yield "<unknown>"


def annotation_kind(
    annotation: Any, own_kind: str, class_names: Dict[str, str], bindings: Dict[str, Any]
) -> Optional[str]:
    """Map a return annotation to a kind, or None when it is not one object kind."""
    if annotation is inspect.Signature.empty or annotation is None:
        return None
    if not isinstance(annotation, str):
        annotation = getattr(annotation, "__name__", repr(annotation))
    try:
        tree = ast.parse(annotation, mode="eval").body
    except SyntaxError:
        return None
    kinds = set()
    for name in _annotation_names(tree):
        if name is None:
            continue  # Optional[X]: the object, when there is one, is an X
        if name == "Self":
            kinds.add(own_kind)
        elif name in class_names:
            kinds.add(class_names[name])
        elif name in bindings:
            bound = bindings[name]
            kinds.add(annotation_kind(bound, own_kind, class_names, {}))
        else:
            kinds.add(None)
    return kinds.pop() if len(kinds) == 1 else None


# --------------------------------------------------------------------------
# session= acceptance (signatures, following **kwargs forwarding)
# --------------------------------------------------------------------------


def _function_ast(func: Callable) -> Optional[ast.FunctionDef]:
    try:
        source = textwrap.dedent(inspect.getsource(func))
    except (OSError, TypeError):
        return None
    tree = ast.parse(source)
    node = tree.body[0]
    return node if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) else None


def _kwargs_forward_targets(func: Callable, owner: type) -> Iterable[Tuple[Any, type]]:
    """(callable, its class) pairs that ``func`` passes its ``**kwargs`` on to.

    Resolves ``Cursor(self, *args, **kwargs)`` (a class in the function's
    module), ``self.find(..., **kwargs)`` and ``super().__init__(..., **kwargs)``.
    """
    sig = inspect.signature(func)
    varkw = next((p.name for p in sig.parameters.values() if p.kind is p.VAR_KEYWORD), None)
    node = _function_ast(func)
    if varkw is None or node is None:
        return
    defining = next(
        (k for k in owner.__mro__ if k.__dict__.get(func.__name__) is func), owner
    )
    for call in ast.walk(node):
        if not isinstance(call, ast.Call):
            continue
        if not any(
            kw.arg is None and isinstance(kw.value, ast.Name) and kw.value.id == varkw
            for kw in call.keywords
        ):
            continue
        callee = call.func
        if isinstance(callee, ast.Name):
            target = func.__globals__.get(callee.id)
            if inspect.isclass(target):
                yield target.__init__, target
        elif isinstance(callee, ast.Attribute) and isinstance(callee.value, ast.Name):
            if callee.value.id == "self":
                yield inspect.getattr_static(owner, callee.attr), owner
        elif (
            isinstance(callee, ast.Attribute)
            and isinstance(callee.value, ast.Call)
            and isinstance(callee.value.func, ast.Name)
            and callee.value.func.id == "super"
        ):
            mro = defining.__mro__
            for klass in mro[1:]:
                if callee.attr in klass.__dict__:
                    yield klass.__dict__[callee.attr], owner
                    break


def takes_session(func: Callable, owner: type, _depth: int = 0) -> bool:
    """True when ``func`` accepts ``session=``.

    Directly (a ``session`` parameter) or by forwarding ``**kwargs`` to
    something that does: ``Collection.find(*args, **kwargs)`` builds a
    ``Cursor(..., session=...)``. ``estimated_document_count(**kwargs)`` keeps
    its kwargs (and raises ConfigurationError on ``session``): False.
    """
    try:
        params = inspect.signature(func).parameters
    except (TypeError, ValueError):
        return False
    if "session" in params:
        return True
    if _depth > 4:
        return False
    return any(
        takes_session(target, target_owner, _depth + 1)
        for target, target_owner in _kwargs_forward_targets(func, owner)
        if callable(target)
    )


# --------------------------------------------------------------------------
# PyMongo (sync and async API)
# --------------------------------------------------------------------------


def public_names(cls: type) -> list:
    return sorted(name for name in dir(cls) if not name.startswith("_"))


def _return_correction(kind: str, name: str, func: Callable) -> Optional[str]:
    corrected = RETURN_CORRECTIONS.get((kind, name))
    if corrected is not None:
        source = inspect.getsource(func)
        assert "RawBatchCommandCursor" in source and "cast(" in source, (
            f"{func.__qualname__} no longer casts a RawBatchCommandCursor: "
            "re-check RETURN_CORRECTIONS"
        )
    return corrected


def inspect_pymongo(flavour: str, kind: str, cls: type) -> Tuple[dict, dict]:
    class_names = pymongo_class_names(flavour)
    bindings = typevar_bindings(cls)
    methods: Dict[str, MethodFacts] = {}
    attributes: Dict[str, Optional[str]] = {}
    for name in public_names(cls):
        static = inspect.getattr_static(cls, name)
        if isinstance(static, (staticmethod, classmethod)):
            static = static.__func__
        if inspect.isfunction(static):
            returns = _return_correction(kind, name, static) or annotation_kind(
                static.__annotations__.get("return"), kind, class_names, bindings
            )
            methods[name] = (
                takes_session(static, cls),
                inspect.iscoroutinefunction(static),
                returns,
            )
        elif isinstance(static, property):
            annotation = static.fget.__annotations__.get("return") if static.fget else None
            attributes[name] = annotation_kind(annotation, kind, class_names, bindings)
        else:
            attributes[name] = None  # plain class data, e.g. MongoClient.HOST
    return methods, attributes


# --------------------------------------------------------------------------
# Motor
# --------------------------------------------------------------------------


def motor_factories(motor_cls: type) -> Dict[str, Any]:
    """Attribute name -> the MotorAttributeFactory that built it.

    Mirrors ``create_class_with_framework``: it walks the bases from the root
    down and ``setattr``s every factory's product on the final class, so the
    most derived factory wins, even over a plain function of a subclass.
    """
    factories: Dict[str, Any] = {}
    for base in reversed(motor_cls.__mro__[1:]):
        for name, attr in base.__dict__.items():
            if isinstance(attr, motor_meta.MotorAttributeFactory):
                factories[name] = attr
    return factories


def motor_kind_of_pymongo_class(pymongo_cls: Optional[type]) -> Optional[str]:
    """Kind of the Motor object a wrapped PyMongo result becomes."""
    if pymongo_cls is None:
        return None
    return pymongo_class_names("sync").get(pymongo_cls.__name__)


def _motor_agnostic_kind(cls: Any) -> Optional[str]:
    if inspect.isclass(cls):
        for agnostic, kind in MOTOR_AGNOSTIC_KINDS:
            if issubclass(cls, agnostic):
                return kind
    return None


def motor_native_returns(func: Callable, own_kind: str) -> Optional[str]:
    """Kind returned by one of Motor's hand-written methods, read from its source.

    ``create_class_with_framework(AgnosticCursor, ...)`` -> "cursor" (when the
    function builds a single kind of Motor object); ``return self`` and
    ``return self.__class__(...)`` -> its own kind; ``return self._client`` ->
    "client"; anything else -> None.
    """
    node = _function_ast(func)
    if node is None:
        return None
    built = set()
    for call in ast.walk(node):
        if (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Name)
            and call.func.id == "create_class_with_framework"
            and call.args
            and isinstance(call.args[0], ast.Name)
        ):
            built.add(_motor_agnostic_kind(getattr(motor.core, call.args[0].id, None)))
    if built:
        return built.pop() if len(built) == 1 else None
    returns = [n.value for n in ast.walk(node) if isinstance(n, ast.Return) and n.value]
    if not returns:
        return None
    kinds = set()
    for value in returns:
        if isinstance(value, ast.Name) and value.id == "self":
            kinds.add(own_kind)
        elif (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Attribute)
            and value.func.attr == "__class__"
        ):
            kinds.add(own_kind)
        elif (
            isinstance(value, ast.Attribute)
            and isinstance(value.value, ast.Name)
            and value.value.id == "self"
            and value.attr == "_client"
        ):
            kinds.add("client")
        else:
            kinds.add(None)
    return kinds.pop() if len(kinds) == 1 else None


def motor_instance_attributes(motor_cls: type) -> Iterable[str]:
    """Public ``self.x = ...`` targets in the ``__init__`` of Motor's classes."""
    for klass in motor_cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None or not klass.__module__.startswith("motor."):
            continue
        node = _function_ast(init)
        for target in ast.walk(node) if node else ():
            if (
                isinstance(target, ast.Attribute)
                and isinstance(target.ctx, ast.Store)
                and isinstance(target.value, ast.Name)
                and target.value.id == "self"
                and not target.attr.startswith("_")
            ):
                yield target.attr


def _motor_factory_member(
    factory: Any, name: str, kind: str, delegate_cls: type
) -> Tuple[Optional[MethodFacts], Optional[str]]:
    """(method facts, None) or (None, attribute kind) for a descriptor-built name."""
    if isinstance(factory, motor_meta.MotorCursorChainingMethod):
        delegate = getattr(delegate_cls, name)
        return (takes_session(delegate, delegate_cls), False, kind), None
    if isinstance(factory, motor_meta.Async):
        # asynchronize(): runs the PyMongo method on a thread, returns a Future;
        # .wrap(PyMongoClass) wraps the result in the matching Motor class.
        delegate = getattr(delegate_cls, factory.attr_name or name)
        returns = motor_kind_of_pymongo_class(factory.wrap_class)
        return (takes_session(delegate, delegate_cls), True, returns), None
    if isinstance(factory, (motor_meta.DelegateMethod, motor_meta.ReadOnlyProperty)):
        # A synchronous pass-through to the PyMongo object. DelegateMethod.wrap()
        # wraps a result of that PyMongo class; otherwise the raw PyMongo (sync)
        # value comes back, which is none of the Motor kinds.
        delegate = inspect.getattr_static(delegate_cls, name)
        if inspect.isfunction(delegate):
            returns = motor_kind_of_pymongo_class(getattr(factory, "wrap_class", None))
            return (takes_session(delegate, delegate_cls), False, returns), None
        return None, None
    raise AssertionError(f"unknown Motor attribute factory {factory!r} for {name}")


def _motor_plain_member(
    static: Any, name: str, kind: str, delegate_cls: type
) -> Tuple[Optional[MethodFacts], Optional[str]]:
    """(method facts, None) or (None, attribute kind) for a hand-written name."""
    if isinstance(static, (staticmethod, classmethod)):
        static = static.__func__
    if isinstance(static, property):
        return None, motor_native_returns(static.fget, kind)
    if not inspect.isfunction(static):
        return None, None
    params = inspect.signature(static).parameters
    if "session" in params:
        session = True
    elif any(p.kind is p.VAR_KEYWORD for p in params.values()) and hasattr(delegate_cls, name):
        # find(*args, **kwargs) & co. hand everything to the PyMongo method.
        session = takes_session(getattr(delegate_cls, name), delegate_cls)
    else:
        session = False
    # @coroutine_annotation marks methods that return a Future (to_list).
    awaitable = inspect.iscoroutinefunction(static) or bool(
        getattr(static, "coroutine_annotation", False)
    )
    return (session, awaitable, motor_native_returns(static, kind)), None


def inspect_motor(kind: str, motor_cls: type) -> Tuple[dict, dict]:
    delegate_cls = motor_cls.__delegate_class__
    factories = motor_factories(motor_cls)
    methods: Dict[str, MethodFacts] = {}
    attributes: Dict[str, Optional[str]] = {}
    for name in public_names(motor_cls):
        if name in factories:
            assert name in motor_cls.__dict__, f"{motor_cls.__name__}.{name} not built"
            facts, attr_kind = _motor_factory_member(factories[name], name, kind, delegate_cls)
        else:
            static = inspect.getattr_static(motor_cls, name)
            facts, attr_kind = _motor_plain_member(static, name, kind, delegate_cls)
        if facts is not None:
            methods[name] = facts
        else:
            attributes[name] = attr_kind
    for name in motor_instance_attributes(motor_cls):
        if name not in methods:
            attributes[name] = MOTOR_INSTANCE_ATTRIBUTE_KINDS.get((kind, name))
    return methods, attributes


# --------------------------------------------------------------------------
# MongoClient keyword options
# --------------------------------------------------------------------------

UNKNOWN_OPTION = "Unknown option"


def _client_error(**kwargs: Any) -> Optional[BaseException]:
    """Build ``MongoClient(connect=False, **kwargs)``; return what it raised."""
    options = {"connect": False, **kwargs}
    try:
        client = pymongo.MongoClient(**options)
    except Exception as exc:  # noqa: BLE001 - we report any rejection
        return exc
    client.close()
    return None


def _async_client_error(**kwargs: Any) -> Optional[BaseException]:
    """Like ``_client_error`` for ``AsyncMongoClient``."""
    options = {"connect": False, **kwargs}
    try:
        client = pymongo.AsyncMongoClient(**options)
    except Exception as exc:  # noqa: BLE001 - we report any rejection
        return exc
    asyncio.run(client.close())
    return None


def _is_unknown_option(exc: Optional[BaseException]) -> bool:
    return isinstance(exc, ConfigurationError) and str(exc).startswith(UNKNOWN_OPTION)


def _source_spellings() -> Dict[str, collections.Counter]:
    """lower-cased identifier -> Counter of its spellings in pymongo's source."""
    spellings: Dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    package = Path(pymongo.__file__).parent
    for path in sorted(package.rglob("*.py")):
        for word in re.findall(r"\b[A-Za-z_]\w*\b", path.read_text(encoding="utf-8")):
            spellings[word.lower()][word] += 1
    return spellings


def client_options() -> Dict[str, str]:
    """Lower-cased keyword option -> canonical spelling, for ``MongoClient(**kw)``.

    Names: ``pymongo.common.VALIDATORS`` (looked up case-insensitively) plus the
    constructor's named parameters (``host``, ``port``...). Canonical spelling:
    the parameter name, else the one in ``MongoClient``'s docstring option
    list, else the most frequent camelCase spelling in pymongo's source.
    """
    init = pymongo.MongoClient.__init__
    params = [
        p.name
        for p in inspect.signature(init).parameters.values()
        if p.name != "self" and p.kind is not p.VAR_KEYWORD
    ]
    documented = re.findall(r"^\s*- `(\w+)`", init.__doc__ or "", re.M)
    canonical = {name.lower(): name for name in documented}
    canonical.update({name.lower(): name for name in params})
    spellings = _source_spellings()
    options = {}
    for key in sorted(set(pymongo.common.VALIDATORS) | {p.lower() for p in params}):
        if key in canonical:
            options[key] = canonical[key]
            continue
        cased = [
            (-count, word)
            for word, count in spellings.get(key, {}).items()
            if word != key and word[0].islower()
        ]
        options[key] = min(cased)[1] if cased else key
    return options


def removed_client_options(options: Dict[str, str]) -> Dict[str, Optional[str]]:
    """Lower-cased option removed in PyMongo 4 -> replacement's canonical name.

    Read from ``MongoClient``'s docstring ("X was deprecated in favor of Y"
    in 3.x, "Removed the X keyword arguments" in 4.0; PyMongo 4 removed every
    3.x deprecation) and kept only when ``MongoClient`` now rejects the name.
    """
    doc = pymongo.MongoClient.__init__.__doc__ or ""
    names = r"((?:``\w+``(?:,\s*|\s+and\s+)?)+)"
    found: Dict[str, Optional[str]] = {}
    renamed = names + r"\s+(?:was|were)\s+deprecated\s+in\s+favor\s+of\s+``(\w+)``"
    for olds, new in re.findall(renamed, doc):
        for old in re.findall(r"``(\w+)``", olds):
            found[old.lower()] = options.get(new.lower(), new)
    pattern = r"(?:Removed|Deprecated)\s+the\s+" + names + r"\s+keyword\s+arguments?"
    for olds in re.findall(pattern, doc):
        for old in re.findall(r"``(\w+)``", olds):
            found.setdefault(old.lower(), None)
    return {
        old: new
        for old, new in sorted(found.items())
        if _is_unknown_option(_client_error(**{old: None}))
    }


# --------------------------------------------------------------------------
# Self-checks: facts the rules rely on (RULES.md "Facts"), asserted
# --------------------------------------------------------------------------


def _expect(table: dict, key: Tuple[str, str], name: str, **facts: Any) -> None:
    entry = table[key].get(name)
    assert entry is not None, f"{key} has no method {name!r}"
    fields = {"session": entry[0], "coroutine": entry[1], "returns": entry[2]}
    for field, expected in facts.items():
        assert fields[field] == expected, (
            f"{key}.{name}: {field} is {fields[field]!r}, expected {expected!r}"
        )


def check_facts(methods: dict, attributes: dict) -> None:
    """Assert the facts mongolint's rules depend on (a wrong inspection fails here)."""

    def sync(kind: str) -> Tuple[str, str]:
        return ("sync", kind)

    def asy(kind: str) -> Tuple[str, str]:
        return ("async", kind)

    def mot(kind: str) -> Tuple[str, str]:
        return ("motor", kind)

    # Sync PyMongo: nothing is a coroutine; session= acceptance.
    for key, table in methods.items():
        if key[0] == "sync":
            assert not any(coro for _, coro, _ in table.values()), key
    _expect(methods, sync("collection"), "estimated_document_count", session=False)
    for name in ("find", "find_one", "find_raw_batches", "insert_one", "aggregate", "watch"):
        _expect(methods, sync("collection"), name, session=True)
    _expect(methods, sync("client"), "start_session", session=False, returns="session")
    # Derivations (RULES.md "What counts as a PyMongo object"), every flavour.
    for flavour in FLAVOURS:

        def key(kind: str, flavour: str = flavour) -> Tuple[str, str]:
            return (flavour, kind)

        _expect(methods, key("client"), "get_database", coroutine=False, returns="database")
        _expect(methods, key("client"), "get_default_database", returns="database")
        _expect(methods, key("database"), "get_collection", coroutine=False, returns="collection")
        _expect(methods, key("database"), "create_collection", returns="collection")
        _expect(methods, key("database"), "with_options", coroutine=False, returns="database")
        _expect(methods, key("collection"), "with_options", coroutine=False, returns="collection")
        _expect(methods, key("collection"), "find", coroutine=False, returns="cursor")
        _expect(methods, key("collection"), "aggregate", returns="command_cursor")
        _expect(methods, key("collection"), "list_indexes", returns="command_cursor")
        _expect(methods, key("database"), "list_collections", returns="command_cursor")
        _expect(methods, key("client"), "list_databases", returns="command_cursor")
        for kind in ("client", "database", "collection"):
            _expect(methods, key(kind), "watch", returns="change_stream")
        _expect(methods, key("client"), "start_session", returns="session")
        for name in ("sort", "limit", "skip", "batch_size"):
            _expect(methods, key("cursor"), name, coroutine=False, returns="cursor")
        _expect(methods, key("collection"), "insert_one", session=True)
        _expect(methods, key("collection"), "estimated_document_count", session=False)
        assert attributes[key("session")]["client"] == "client", flavour
        assert attributes[key("database")]["client"] == "client", flavour
        assert attributes[key("collection")]["database"] == "database", flavour
        assert attributes[key("cursor")]["collection"] == "collection", flavour
    # PyMongo Async (RULES.md Facts).
    for name in ("start_session",):
        _expect(methods, asy("client"), name, coroutine=False)
    for name in ("find", "with_options", "find_raw_batches"):
        _expect(methods, asy("collection"), name, coroutine=False)
    for name in ("insert_one", "aggregate", "watch", "list_indexes", "find_one"):
        _expect(methods, asy("collection"), name, coroutine=True)
    for name in (
        "start_transaction",
        "commit_transaction",
        "abort_transaction",
        "end_session",
        "with_transaction",
    ):
        _expect(methods, asy("session"), name, coroutine=True)
    _expect(methods, asy("client"), "close", coroutine=True)
    _expect(methods, asy("cursor"), "to_list", coroutine=True)
    # Motor (verified in motor/core.py): start_session is AsyncCommand(...).wrap(
    # ClientSession); close is a DelegateMethod (sync!); start_transaction is a
    # plain def returning _MotorTransactionContext (async with, no await);
    # find/aggregate/watch/list_indexes build (latent) cursors synchronously;
    # to_list is @coroutine_annotation (returns a Future).
    _expect(methods, mot("client"), "start_session", coroutine=True, returns="session")
    _expect(methods, mot("client"), "close", coroutine=False)
    for name in ("insert_one", "find_one", "count_documents", "create_index"):
        _expect(methods, mot("collection"), name, coroutine=True)
    for name in ("find", "aggregate", "watch", "list_indexes", "with_options"):
        _expect(methods, mot("collection"), name, coroutine=False, session=name != "with_options")
    for name in ("commit_transaction", "abort_transaction", "end_session", "with_transaction"):
        _expect(methods, mot("session"), name, coroutine=True)
    _expect(methods, mot("session"), "start_transaction", coroutine=False, returns=None)
    _expect(methods, mot("cursor"), "to_list", coroutine=True)
    _expect(methods, mot("cursor"), "close", coroutine=True)
    _expect(methods, mot("command_cursor"), "close", coroutine=True)
    _expect(methods, mot("change_stream"), "close", coroutine=True)
    _expect(methods, mot("database"), "aggregate", coroutine=False, returns="command_cursor")


def check_client_options(options: Dict[str, str], removed: Dict[str, Optional[str]]) -> None:
    """Check the option tables against real ``MongoClient(connect=False, ...)`` calls."""
    assert options["maxpoolsize"] == "maxPoolSize"
    assert "max_pool_size" not in options
    for spelling in ("maxPoolSize", "maxpoolsize", "maxPoolsize", "MAXPOOLSIZE"):
        assert _client_error(**{spelling: 5}) is None, spelling
    assert _client_error(appname="x", tz_aware=True, retryWrites=False) is None
    assert _is_unknown_option(_client_error(max_pool_size=5))
    # AsyncMongoClient validates against the same tables.
    assert _is_unknown_option(_async_client_error(max_pool_size=5))
    assert _async_client_error(maxPoolsize=5) is None
    # Every listed name is known to MongoClient: a nonsense value may be
    # rejected, but never as an unknown option.
    for canonical in options.values():
        assert not _is_unknown_option(_client_error(**{canonical: object()})), canonical
    for name in ("wtimeout", "j", "socketkeepalive", "ssl_cert_reqs"):
        assert name in removed, name  # RULES.md MGL402
    assert removed["j"] == "journal" and removed["wtimeout"] == "wTimeoutMS"
    assert not set(removed) & set(options)


def _check_type(value: Any, expected: type, what: str) -> None:
    assert isinstance(value, expected), f"{what}: {type(value).__name__}, not {expected.__name__}"


def check_runtime() -> None:
    """Build offline driver objects (no server, no I/O) and check derivations."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        client = pymongo.MongoClient(connect=False)
        db = client.get_database("d")
        coll = db.get_collection("c")
        _check_type(coll.with_options(), Collection, "sync with_options")
        _check_type(coll.find().sort("a").limit(1), Cursor, "sync find().sort()")
        assert coll.database.client is client and coll.find().collection == coll
        client.close()

        aclient = pymongo.AsyncMongoClient(connect=False)
        acoll = aclient.get_database("d").get_collection("c")
        _check_type(acoll.find().sort("a"), AsyncCursor, "async find().sort()")
        _check_type(acoll.with_options(), AsyncCollection, "async with_options")
        assert inspect.iscoroutine(coro := aclient.close())
        asyncio.run(coro)

        mclient = motor_asyncio.AsyncIOMotorClient()
        mdb = mclient.get_database("d")
        _check_type(mdb, motor_asyncio.AsyncIOMotorDatabase, "motor get_database")
        mcoll = mdb.get_collection("c")
        _check_type(mcoll, motor_asyncio.AsyncIOMotorCollection, "motor get_collection")
        _check_type(
            mcoll.with_options(), motor_asyncio.AsyncIOMotorCollection, "motor with_options"
        )
        _check_type(mcoll.database, motor_asyncio.AsyncIOMotorDatabase, "motor coll.database")
        cursor = mcoll.find()
        _check_type(cursor, motor_asyncio.AsyncIOMotorCursor, "motor find")
        assert cursor.sort("a") is cursor and cursor.collection is mcoll
        _check_type(mcoll.aggregate([]), motor.core.AgnosticCommandCursor, "motor aggregate")
        _check_type(mcoll.list_indexes(), motor.core.AgnosticCommandCursor, "motor list_indexes")
        _check_type(mcoll.watch(), motor.core.AgnosticChangeStream, "motor watch")
        assert mdb.client is mclient
        assert mclient.close() is None  # a plain call, nothing to await
        assert "kwargs.pop(\"io_loop\")" in inspect.getsource(motor.core.AgnosticClient.__init__)


# --------------------------------------------------------------------------
# Build, render, main
# --------------------------------------------------------------------------


def build() -> Dict[str, Any]:
    """Inspect the installed drivers; return the tables (after all checks)."""
    if sys.flags.optimize:
        raise SystemExit("generate_api.py: run without -O, its self-checks are asserts")
    methods, attributes = {}, {}
    for (flavour, kind), cls in sorted(CLASSES.items()):
        if flavour == "motor":
            methods[flavour, kind], attributes[flavour, kind] = inspect_motor(kind, cls)
        else:
            methods[flavour, kind], attributes[flavour, kind] = inspect_pymongo(flavour, kind, cls)
    options = client_options()
    removed = removed_client_options(options)
    check_facts(methods, attributes)
    check_client_options(options, removed)
    uri = client_option_tables.uri_options(options)
    kinds = client_option_tables.option_kinds()
    choices = client_option_tables.option_choices()
    minimums = client_option_tables.option_minimums()
    defaults = client_option_tables.option_defaults()
    exact = client_option_tables.exact_keywords()
    client_option_tables.check_exact_keywords(exact)
    client_option_tables.check_uri_options(options, uri)
    client_option_tables.check_value_claims(kinds, choices, minimums, defaults, options)
    check_runtime()
    return {
        "PYMONGO_VERSION": pymongo.__version__,
        "MOTOR_VERSION": motor.version,
        "METHODS": methods,
        "ATTRIBUTES": attributes,
        "CLIENT_OPTIONS": options,
        "REMOVED_CLIENT_OPTIONS": removed,
        "MOTOR_CLIENT_OPTIONS": {"io_loop": "io_loop"},
        "EXACT_CLIENT_KEYWORDS": exact,
        "URI_OPTIONS": uri,
        "CLIENT_OPTION_KINDS": kinds,
        "CLIENT_OPTION_CHOICES": choices,
        "CLIENT_OPTION_MINIMUMS": minimums,
        "CLIENT_OPTION_DEFAULTS": defaults,
    }


def _lit(value: Any) -> str:
    """A stable Python literal: double-quoted strings, tuples, None, bools."""
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, tuple):
        return "(" + ", ".join(_lit(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    if value is None or isinstance(value, (bool, int)):
        return repr(value)
    raise TypeError(f"cannot render {value!r}")


def _render_dict(name: str, table: dict, nested: bool) -> str:
    lines = [f"{name} = {{"]
    for key in sorted(table):
        value = table[key]
        if nested:
            lines.append(f"    {_lit(key)}: {{")
            for inner in sorted(value):
                lines.append(f"        {_lit(inner)}: {_lit(value[inner])},")
            lines.append("    },")
        else:
            lines.append(f"    {_lit(key)}: {_lit(value)},")
    lines.append("}")
    return "\n".join(lines)


HEADER = '''\
# Generated by `python scripts/generate_api.py` from pymongo {pymongo} and motor {motor}.
# DO NOT EDIT BY HAND: rerun the script (tests/test_api_tables.py fails when stale).
"""PyMongo / PyMongo Async / Motor API facts for mongolint's semantic model.

Pure data: this module imports nothing, so the linter never imports a driver.
Kinds: "client", "database", "collection", "session", "cursor",
"command_cursor", "change_stream". Flavours: "sync" (pymongo.MongoClient & co.),
"async" (pymongo.AsyncMongoClient & co.), "motor" (motor.motor_asyncio).
"""
'''

COMMENTS = {
    "METHODS": """\
# (flavour, kind) -> {method_name: (takes_session, is_coroutine, returns)}
# takes_session: accepts session= (directly, or via **kwargs forwarded to a
#   callee that does, as Collection.find -> Cursor).
# is_coroutine: calling it returns an awaitable (async def, or a Motor method
#   returning a Future).
# returns: the kind of the (awaited) result when it is a driver object of the
#   same flavour, else None. Motor methods returning an unwrapped PyMongo
#   object (e.g. cursor.session, a pymongo ClientSession) are None.""",
    "ATTRIBUTES": """\
# (flavour, kind) -> {attribute_or_property_name: returns_kind_or_None} for public
# non-method attributes (properties, class data, Motor instance attributes).""",
    "CLIENT_OPTIONS": """\
# lower-cased keyword option name -> canonical spelling, for every keyword
# MongoClient(**kwargs) / AsyncMongoClient accepts. Looked up case-insensitively
# by PyMongo, except the named parameters host and port (exact spelling).""",
    "REMOVED_CLIENT_OPTIONS": """\
# options removed in PyMongo 4 (lower-cased) that MongoClient now rejects as
# unknown -> canonical name of the replacement, or None when there is none.
# (waitQueueMultiple is documented as removed in 4.0 but is still accepted.)""",
    "MOTOR_CLIENT_OPTIONS": """\
# extra keyword options Motor's clients accept on top of CLIENT_OPTIONS
# (AgnosticClient.__init__ pops io_loop before building the MongoClient).""",
    "EXACT_CLIENT_KEYWORDS": """\
# keywords MongoClient / AsyncMongoClient take only with this exact spelling: the
# named parameters that are not validated options, and private keywords that
# __init__ pops before validating (used by the driver's own tests).""",
    "URI_OPTIONS": """\
# lower-cased option name -> canonical spelling, for the options a connection
# string's query accepts (pymongo.common.URI_OPTIONS_VALIDATOR_MAP). Fewer than
# the keywords: document_class, username, ... are unknown in a URI.""",
    "CLIENT_OPTION_KINDS": """\
# lower-cased option name -> the kind of value PyMongo's validator for it takes
# (see scripts/client_option_tables.py), for the options MGL402 checks.""",
    "CLIENT_OPTION_CHOICES": """\
# lower-cased option name -> the string values PyMongo accepts (compressors: each
# item of the comma-separated list).""",
    "CLIENT_OPTION_MINIMUMS": """\
# lower-cased option name -> the smallest value PyMongo accepts (it raises below).""",
    "CLIENT_OPTION_DEFAULTS": """\
# lower-cased option name -> PyMongo's default, where a check compares with it.""",
}


def render(tables: Dict[str, Any]) -> str:
    parts = [
        HEADER.format(pymongo=tables["PYMONGO_VERSION"], motor=tables["MOTOR_VERSION"]),
        f'PYMONGO_VERSION = {_lit(tables["PYMONGO_VERSION"])}\n'
        f'MOTOR_VERSION = {_lit(tables["MOTOR_VERSION"])}\n',
    ]
    for name in COMMENTS:
        nested = name in ("METHODS", "ATTRIBUTES")
        parts.append(COMMENTS[name] + "\n" + _render_dict(name, tables[name], nested) + "\n")
    return "\n".join(parts)


def generate() -> str:
    return render(build())


def main(argv: Optional[list] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="exit 1 (with a diff) if the committed file differs from the generated one",
    )
    args = parser.parse_args(argv)
    text = generate()
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current == text:
            return 0
        diff = difflib.unified_diff(
            current.splitlines(keepends=True),
            text.splitlines(keepends=True),
            fromfile=f"{OUTPUT.relative_to(REPO_ROOT)} (current)",
            tofile=f"{OUTPUT.relative_to(REPO_ROOT)} (generated)",
            n=1,
        )
        sys.stdout.writelines(list(diff)[:200])
        print(f"\n{OUTPUT.relative_to(REPO_ROOT)} is stale: run python scripts/generate_api.py")
        return 1
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    tmp = OUTPUT.with_suffix(".py.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, OUTPUT)
    print(f"wrote {OUTPUT.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
