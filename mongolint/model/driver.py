"""The driver's public names: which qualified names are clients and types.

These are spellings of import paths, not behaviour, so they live here rather
than in the generated `api` tables.
"""

from __future__ import annotations

from typing import Dict, Optional

from mongolint.model.types import (ASYNC, CHANGE_STREAM, CLIENT, COLLECTION, COMMAND_CURSOR,
                                   CURSOR, DATABASE, MOTOR, SESSION, SYNC, DriverType)

DRIVER_ROOTS = ("pymongo", "motor")

_SYNC_CLASSES = {
    "MongoClient": CLIENT, "Database": DATABASE, "Collection": COLLECTION,
    "ClientSession": SESSION, "Cursor": CURSOR, "RawBatchCursor": CURSOR,
    "CommandCursor": COMMAND_CURSOR, "ChangeStream": CHANGE_STREAM,
    "CollectionChangeStream": CHANGE_STREAM, "DatabaseChangeStream": CHANGE_STREAM,
    "ClusterChangeStream": CHANGE_STREAM,
}
_SYNC_MODULES = {
    "MongoClient": "mongo_client", "Database": "database", "Collection": "collection",
    "ClientSession": "client_session", "Cursor": "cursor", "RawBatchCursor": "cursor",
    "CommandCursor": "command_cursor", "ChangeStream": "change_stream",
    "CollectionChangeStream": "change_stream", "DatabaseChangeStream": "change_stream",
    "ClusterChangeStream": "change_stream",
}
_MOTOR_CLASSES = {
    "Client": CLIENT, "Database": DATABASE, "Collection": COLLECTION,
    "ClientSession": SESSION, "Cursor": CURSOR, "CommandCursor": COMMAND_CURSOR,
    "LatentCommandCursor": COMMAND_CURSOR, "ChangeStream": CHANGE_STREAM,
}


def _build_table() -> Dict[str, DriverType]:
    table: Dict[str, DriverType] = {}
    for name, kind in _SYNC_CLASSES.items():
        module = _SYNC_MODULES[name]
        sync, async_ = DriverType(kind, SYNC), DriverType(kind, ASYNC)
        for path in (f"pymongo.{module}.{name}", f"pymongo.synchronous.{module}.{name}"):
            table[path] = sync
        table[f"pymongo.asynchronous.{module}.Async{name}"] = async_
    table["pymongo.MongoClient"] = DriverType(CLIENT, SYNC)
    # PyMongo 3's replica-set client and PyMongo 2's clients: still in old code.
    for path in ("pymongo.MongoReplicaSetClient", "pymongo.mongo_replica_set_client.MongoReplicaSetClient",
                 "pymongo.Connection", "pymongo.connection.Connection",
                 "pymongo.ReplicaSetConnection", "pymongo.replica_set_connection.ReplicaSetConnection"):
        table[path] = DriverType(CLIENT, SYNC)
    table["pymongo.AsyncMongoClient"] = DriverType(CLIENT, ASYNC)
    for name, kind in _MOTOR_CLASSES.items():
        motor = DriverType(kind, MOTOR)
        # `motor.Motor*` re-exports the Tornado classes when Tornado is installed;
        # `motor.core.Agnostic*` are the classes both frameworks' are made from (annotations use them).
        for path in (f"motor.motor_asyncio.AsyncIOMotor{name}", f"motor.motor_tornado.Motor{name}",
                     f"motor.Motor{name}", f"motor.core.Agnostic{name}"):
            table[path] = motor
    return table


DRIVER_CLASSES: Dict[str, DriverType] = _build_table()

# The option tables live with the client, but these are the classes whose
# construction creates a client (and so a connection pool).
CLIENT_CLASSES = {path: t for path, t in DRIVER_CLASSES.items() if t.kind == CLIENT}
DRIVER_CLASS_NAMES = frozenset(path.rsplit(".", 1)[-1] for path in DRIVER_CLASSES)

# Libraries whose objects share method names with the driver's.
LOOKALIKE_ROOTS = ("mongomock", "sentry_sdk", "sqlalchemy", "requests", "httpx", "aiohttp",
                   "neo4j", "boto3", "botocore", "django", "peewee", "tortoise", "redis")


def driver_class(qualified_name: Optional[str]) -> Optional[DriverType]:
    if qualified_name is None:
        return None
    return DRIVER_CLASSES.get(qualified_name)


def is_driver_path(qualified_name: str) -> bool:
    return qualified_name.split(".")[0] in DRIVER_ROOTS


def flavour_of_import(qualified_name: str) -> Optional[str]:
    root = qualified_name.split(".")[0]
    if root == "motor":
        return MOTOR
    if root != "pymongo":
        return None
    if ".asynchronous" in qualified_name or qualified_name.split(".")[-1].startswith("Async"):
        return ASYNC
    return SYNC


# -- behaviour the generated tables do not say (PyMongo 4.20, read from its source) --

# Methods that take `session=` but send nothing when called: the cursor they
# return is lazy and talks to the server when it is iterated.
LAZY_OPERATIONS = frozenset({"find", "find_raw_batches"})

# Methods of the synchronous driver that talk to the server although they take
# no `session=` (the session, if any, is the cursor's or the object itself).
# `end_session()` is not here: it only returns the server session to the pool
# (it aborts an open transaction first, the rare case).
IO_WITHOUT_SESSION = {
    CLIENT: frozenset({"close"}),
    COLLECTION: frozenset({"estimated_document_count"}),
    SESSION: frozenset({"commit_transaction", "abort_transaction", "with_transaction"}),
    CURSOR: frozenset({"next", "to_list", "distinct", "explain", "close"}),
    COMMAND_CURSOR: frozenset({"next", "try_next", "to_list", "close"}),
    CHANGE_STREAM: frozenset({"next", "try_next", "close"}),
}

# Operations that take `session=` but do not belong in a multi-document
# transaction: the server refuses them there (listCollections, listIndexes,
# listDatabases, drops, renames, change streams, search-index commands) or they
# are schema and administration work done outside on purpose (indexes,
# collections, arbitrary commands).
NON_TRANSACTIONAL_OPERATIONS = frozenset({
    "list_database_names", "list_databases", "drop_database", "server_info", "watch",
    "list_collection_names", "list_collections", "list_indexes", "list_search_indexes",
    "index_information", "options", "drop", "drop_collection", "drop_index", "drop_indexes",
    "rename", "validate_collection", "create_search_index", "create_search_indexes",
    "drop_search_index", "update_search_index", "create_index", "create_indexes",
    "create_collection", "command", "cursor_command",
})
