"""What Motor's names become in PyMongo Async, and what has no equivalent.

Import paths, checked against the installed Motor 3.7.1 and PyMongo 4.20
(`motor.motor_asyncio`, `motor.core`, `motor.motor_gridfs`; `pymongo`,
`pymongo.asynchronous.*`, `gridfs.asynchronous`). Which methods are coroutines
is not repeated here: it comes from the generated tables in `model.api`.
"""

from __future__ import annotations

from typing import Dict, Optional, Tuple

DEPRECATION = ("Motor is deprecated (since 2025-05-14) and reached end of life on 2026-05-14; after "
               "2027-05-14 it gets no fixes at all")

# Motor's class, without its framework prefix -> (module, name) in PyMongo Async.
_EQUIVALENTS: Dict[str, Tuple[str, str]] = {
    "Client": ("pymongo", "AsyncMongoClient"),
    "Database": ("pymongo.asynchronous.database", "AsyncDatabase"),
    "Collection": ("pymongo.asynchronous.collection", "AsyncCollection"),
    "ClientSession": ("pymongo.asynchronous.client_session", "AsyncClientSession"),
    "Cursor": ("pymongo.asynchronous.cursor", "AsyncCursor"),
    "CommandCursor": ("pymongo.asynchronous.command_cursor", "AsyncCommandCursor"),
    "LatentCommandCursor": ("pymongo.asynchronous.command_cursor", "AsyncCommandCursor"),
    "ChangeStream": ("pymongo.asynchronous.change_stream", "AsyncChangeStream"),
    "ClientEncryption": ("pymongo.asynchronous.encryption", "AsyncClientEncryption"),
    "GridFSBucket": ("gridfs.asynchronous", "AsyncGridFSBucket"),
    "GridIn": ("gridfs.asynchronous", "AsyncGridIn"),
    "GridOut": ("gridfs.asynchronous", "AsyncGridOut"),
    "GridOutCursor": ("gridfs.asynchronous", "AsyncGridOutCursor"),
}
_GRIDFS = frozenset({"GridFSBucket", "GridIn", "GridOut", "GridOutCursor"})


def _build() -> Dict[str, Tuple[str, str]]:
    table = {}
    for name, target in _EQUIVALENTS.items():
        table[f"motor.motor_asyncio.AsyncIOMotor{name}"] = target
        agnostic_module = "motor.motor_gridfs" if name in _GRIDFS else "motor.core"
        table[f"{agnostic_module}.Agnostic{name}"] = target
    return table


# Qualified Motor name -> (module, name) of its PyMongo Async equivalent.
MIGRATED_NAMES: Dict[str, Tuple[str, str]] = _build()

# Modules whose classes migrate by the table above.
ASYNCIO_MODULES = frozenset({"motor.motor_asyncio", "motor.core", "motor.motor_gridfs"})

# Motor classes whose construction MGL304 reports (a client, or an object that
# wraps one), in either framework.
_CONSTRUCTED = frozenset({"Client", "ClientEncryption", "GridFSBucket"})


def is_constructed_class(qualified: Optional[str]) -> bool:
    if not is_motor(qualified):
        return False
    name = qualified.rsplit(".", 1)[-1]
    for prefix in ("AsyncIOMotor", "Motor", "Agnostic"):
        if name.startswith(prefix):
            return name[len(prefix):] in _CONSTRUCTED
    return False


# What PyMongo Async has no equivalent for, with the migration guide's advice.
TORNADO = ("PyMongo Async runs on asyncio only: Motor's Tornado classes have no equivalent; run Tornado on "
           "asyncio's loop (Tornado 5+) and migrate to `AsyncMongoClient` by hand")
AIOHTTP = "`motor.aiohttp` (AIOHTTPGridFS) has no equivalent: serve GridFS files with `AsyncGridFSBucket` by hand"
MOTOR_ONLY_METHODS: Dict[str, str] = {
    "each": "`each(callback)` has no equivalent: iterate with `async for`",
    "next_object": "`next_object()` has no equivalent: iterate with `async for` or `await cursor.next()`",
    "get_io_loop": "`get_io_loop()` has no equivalent: PyMongo Async uses the running loop "
                   "(`asyncio.get_running_loop()`)",
    "stream_to_handler": "`stream_to_handler()` (Tornado) has no equivalent: read the file with "
                         "`await grid_out.read()` and write it to the response",
    "wrap": "`wrap()` has no equivalent: PyMongo Async objects are not wrappers of PyMongo objects",
}
MOTOR_ONLY_ATTRIBUTES: Dict[str, str] = {
    "fetch_next": "`fetch_next` has no equivalent: iterate with `async for` or `await cursor.next()`",
    "io_loop": "`io_loop` has no equivalent: PyMongo Async uses the running loop",
    "delegate": "`delegate` (the wrapped PyMongo object) has no equivalent: PyMongo Async objects wrap nothing",
}
# Methods of unknown receivers reported even when the receiver's type is not
# known: no other library spells them, so they are Motor's.
DISTINCTIVE_MOTOR_ONLY = frozenset({"next_object", "get_io_loop", "stream_to_handler", "fetch_next"})

TO_LIST_ZERO = ("`to_list(0)` returns an empty list in Motor 3.7.1 (after fetching a batch) and raises "
                "`ValueError` in PyMongo Async: write `to_list(None)` for every document, or drop the call")


def migrated_name(qualified: Optional[str]) -> Optional[Tuple[str, str]]:
    return MIGRATED_NAMES.get(qualified or "")


def is_motor(qualified: Optional[str]) -> bool:
    return bool(qualified) and (qualified == "motor" or qualified.startswith("motor."))
