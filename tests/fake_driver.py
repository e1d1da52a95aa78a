"""A fake PyMongo for the behavioural fuzzer (test_behaviour_fuzz.py): the API
surface the generated programs use, in-process and instant, raising exactly
where PyMongo 4.20 raises on misuse (test_fake_driver.py checks each raise
against the real driver and MockupDB):

- an ended session: ``InvalidOperation: Cannot use ended session`` (operations,
  cursors iterated later, start/commit/abort);
- a closed client: ``InvalidOperation: Cannot use MongoClient after close``
  (``AsyncMongoClient`` in the async driver) on operations and cursors; a
  closed client still hands out databases, collections and sessions;
- a session of another client, ``Transaction already in progress``,
  ``No transaction started``, commit after abort and abort after commit;
- ``session=`` where PyMongo refuses it (``estimated_document_count``), or
  given twice (positionally and by keyword): the signatures put ``session``
  where PyMongo does, so Python raises the same TypeError;
- sync ``with`` on an async client, session or transaction, and ``await`` of a
  plain method (Python raises: the classes have the same names and protocols);
- a PyMongo Async cursor iterated synchronously yields nothing and sends nothing.

It records what PyMongo would send, in the outcome shape of
behaviour_outcomes.py, and follows a scenario: every command succeeds, the
second write fails with AutoReconnect, or every client constructor raises.
"""

from __future__ import annotations

import contextlib
import sys
import types
from typing import Any, Dict, List, Optional

DOCUMENTS = [{"_id": 1, "sku": "a1", "qty": 3}, {"_id": 2, "sku": "b2", "qty": 0}]
SCENARIOS = ("ok", "second_write_fails", "constructor_raises")
WRITES = {"insert", "update", "delete"}


class PyMongoError(Exception):
    def __init__(self, *args) -> None:
        super().__init__(*args)
        # Every error the driver raises, caught or not: a fix that removes its
        # cause (MGL205) also removes what an except clause did with it.
        RUN.raised.append(f"{type(self).__name__}: {self}")


class InvalidOperation(PyMongoError):
    pass


class ConfigurationError(PyMongoError):
    pass


class InvalidURI(ConfigurationError):
    pass


class AutoReconnect(PyMongoError):
    pass


class Recorder:
    """One run: its scenario, the clients and sessions built, the commands sent."""

    def __init__(self, scenario: str) -> None:
        self.scenario = scenario
        self.events: List[Dict[str, Any]] = []
        self.clients: List["MongoClient"] = []
        self.sessions: List["ClientSession"] = []
        self.writes = 0
        self.raised: List[str] = []
        self.phase = "main"

    def send(self, client, name, target=None, body=None, session=None):
        label, txn, start = "implicit", None, False
        if session is not None:
            label = session.label
            if session._state == "starting":
                session._state, start = "in_progress", True
            if session._state == "in_progress":
                txn = session._transactions
        self.events.append({"client": client.tag, "name": name, "target": target, "body": body or {},
                            "session": label, "txn": txn, "retryable": name in WRITES and txn is None,
                            "start": start, "phase": self.phase})
        if name in WRITES and self.scenario == "second_write_fails":
            self.writes += 1
            if self.writes == 2:
                raise AutoReconnect("SERVER: connection closed")


RUN = Recorder("ok")


class _Session:
    """What sync and async sessions share; only the sync one is a `with` item."""

    def __init__(self, client) -> None:
        self.client = client
        self.label = f"S{len(RUN.sessions) + 1}"
        self._ended = False
        self._state = "none"  # none, starting, in_progress, committed, aborted
        self._transactions = 0
        RUN.sessions.append(self)

    @property
    def has_ended(self) -> bool:
        return self._ended

    @property
    def in_transaction(self) -> bool:
        return self._state in ("starting", "in_progress")

    def _check(self) -> None:
        if self._ended:
            raise InvalidOperation("Cannot use ended session")

    def _end(self) -> None:
        if not self._ended:
            if self.in_transaction:
                self._abort()
            self._ended = True
            self.client._ended_sessions.append(self.label)

    def _start(self):
        self._check()
        if self.in_transaction:
            raise InvalidOperation("Transaction already in progress")
        self._state = "starting"
        self._transactions += 1
        return _TransactionContext(self)

    def _commit(self) -> None:
        self._check()
        if self._state == "none":
            raise InvalidOperation("No transaction started")
        if self._state == "aborted":
            raise InvalidOperation("Cannot call commitTransaction after calling abortTransaction")
        if self._state == "starting":  # nothing was sent: nothing to commit
            self._state = "committed"
            return
        RUN.send(self.client, "commitTransaction", session=self)
        self._state = "committed"

    def _abort(self) -> None:
        self._check()
        if self._state == "none":
            raise InvalidOperation("No transaction started")
        if self._state == "committed":
            raise InvalidOperation("Cannot call abortTransaction after calling commitTransaction")
        if self._state == "in_progress":
            try:
                RUN.send(self.client, "abortTransaction", session=self)
            except AutoReconnect:
                pass  # PyMongo ignores errors of abortTransaction
        self._state = "aborted"


class ClientSession(_Session):
    def end_session(self):
        self._end()

    def start_transaction(self, *args, **kwargs):
        return self._start()

    def commit_transaction(self):
        self._commit()

    def abort_transaction(self):
        self._abort()

    def with_transaction(self, callback, *args, **kwargs):
        # Commit when the callback returns, abort when it raises (PyMongo also
        # retries transient errors; the fuzzer's scenarios script none).
        with self._start():
            return callback(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._end()


class _TransactionContext:
    def __init__(self, session) -> None:
        self._session = session

    def _exit(self, failed: bool) -> None:
        if self._session.in_transaction:
            self._session._abort() if failed else self._session._commit()

    def __enter__(self):
        return self

    def __exit__(self, kind, value, traceback):
        self._exit(kind is not None)


class _Client:
    """What sync and async clients share; only the sync one is a `with` item."""

    def __init__(self, host=None, port=None, **kwargs) -> None:
        bad_scheme = isinstance(host, str) and not host.startswith(("mongodb://", "mongodb+srv://"))
        if RUN.scenario == "constructor_raises" or bad_scheme:
            raise InvalidURI("Invalid URI scheme: URI must begin with 'mongodb://' or 'mongodb+srv://'")
        self.tag = f"C{len(RUN.clients) + 1}"
        self._closed = False
        self._used = False
        self._ended_sessions: List[str] = []
        RUN.clients.append(self)

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        return self.get_database(name)

    def __getitem__(self, name: str):
        return self.get_database(name)

    def get_database(self, name=None, *args, **kwargs):
        return self._database_class(self, name or "test")

    def get_default_database(self, *args, **kwargs):
        return self.get_database("test")

    def start_session(self, *args, **kwargs):
        return self._session_class(self)

    def _operate(self, session, name, target, body):
        if session is not None:
            session._check()
        if self._closed:
            raise InvalidOperation(f"Cannot use {type(self).__name__} after close")
        if session is not None and session.client is not self:
            raise InvalidOperation("Can only use session with the MongoClient that started it")
        self._used = True
        RUN.send(self, name, target, body, session)

    def _close(self) -> None:
        if not self._closed:
            self._closed = True
            if self._used or self._ended_sessions:
                RUN.send(self, "endSessions")
                RUN.events[-1]["ended"] = sorted(self._ended_sessions)


class MongoClient(_Client):
    _session_class = ClientSession

    def close(self):
        self._close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._close()


class Database:
    def __init__(self, client, name: str) -> None:
        self.client, self.name = client, name

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        return self.get_collection(name)

    def __getitem__(self, name: str):
        return self.get_collection(name)

    def get_collection(self, name, *args, **kwargs):
        return self._collection_class(self, name)


class Collection:
    def __init__(self, database, name: str) -> None:
        self.database, self.name = database, name

    def _run(self, session, name, body):
        self.database.client._operate(session, name, self.name, body)

    def insert_one(self, document, bypass_document_validation=None, session=None, comment=None):
        self._run(session, "insert", {"documents": [document]})
        return {"inserted_id": document.get("_id")}

    def update_one(self, filter, update, upsert=False, bypass_document_validation=None, collation=None,
                   array_filters=None, hint=None, session=None, let=None, sort=None, comment=None):
        self._run(session, "update", {"q": filter, "u": update})
        return {"matched": 1}

    def delete_many(self, filter, collation=None, hint=None, session=None, let=None, comment=None):
        self._run(session, "delete", {"q": filter})
        return {"deleted": 2}

    def count_documents(self, filter, session=None, comment=None, **kwargs):
        self._run(session, "aggregate", {"count": filter})
        return len(DOCUMENTS)

    def estimated_document_count(self, comment=None, **kwargs):
        if "session" in kwargs:
            raise ConfigurationError("estimated_document_count does not support sessions")
        self._run(None, "count", {})
        return len(DOCUMENTS)

    def find_one(self, filter=None, *args, **kwargs):
        self._run(kwargs.get("session"), "find", {"filter": filter, "limit": 1})
        return dict(DOCUMENTS[0])

    def find(self, filter=None, projection=None, *args, session=None, **kwargs):
        return self._cursor_class(self, filter, session)


class Cursor:
    def __init__(self, collection, filter, session) -> None:
        self._collection, self._filter, self._session = collection, filter, session
        self._documents: Optional[List[dict]] = None

    def _fetch(self) -> List[dict]:
        if self._documents is None:
            self._collection._run(self._session, "find", {"filter": self._filter})
            self._documents = [dict(d) for d in DOCUMENTS]
        return self._documents

    def __iter__(self):
        return iter(self._fetch())


_Client._database_class = Database
Database._collection_class = Collection
Collection._cursor_class = Cursor


# -- PyMongo Async: the same objects, with coroutine methods where PyMongo has them.

class AsyncClientSession(_Session):
    async def end_session(self):
        self._end()

    async def start_transaction(self, *args, **kwargs):
        return _AsyncTransactionContext(self._start())

    async def commit_transaction(self):
        self._commit()

    async def abort_transaction(self):
        self._abort()

    async def with_transaction(self, callback, *args, **kwargs):
        async with _AsyncTransactionContext(self._start()):
            return await callback(self)

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        self._end()


class _AsyncTransactionContext:
    def __init__(self, context: _TransactionContext) -> None:
        self._context = context

    async def __aenter__(self):
        return self

    async def __aexit__(self, kind, value, traceback):
        self._context._exit(kind is not None)


_AsyncTransactionContext.__name__ = _AsyncTransactionContext.__qualname__ = "_TransactionContext"


class AsyncCursor(Cursor):
    def __iter__(self):
        return iter(())  # PyMongo Async cursors iterate synchronously as empty

    def __aiter__(self):
        return self._items()

    async def _items(self):
        for document in self._fetch():
            yield document

    async def to_list(self, length=None):
        return list(self._fetch())


class AsyncCollection(Collection):
    # The signatures are PyMongo's, so that `session=` given twice fails as it does there.
    async def insert_one(self, document, bypass_document_validation=None, session=None, comment=None):
        return Collection.insert_one(self, document, session=session)

    async def update_one(self, filter, update, upsert=False, bypass_document_validation=None, collation=None,
                         array_filters=None, hint=None, session=None, let=None, sort=None, comment=None):
        return Collection.update_one(self, filter, update, session=session)

    async def delete_many(self, filter, collation=None, hint=None, session=None, let=None, comment=None):
        return Collection.delete_many(self, filter, session=session)

    async def estimated_document_count(self, comment=None, **kwargs):
        return Collection.estimated_document_count(self, comment, **kwargs)

    async def find_one(self, filter=None, *args, **kwargs):
        return Collection.find_one(self, filter, *args, **kwargs)

    async def count_documents(self, filter, session=None, comment=None, **kwargs):
        return Collection.count_documents(self, filter, session=session)


class AsyncDatabase(Database):
    pass


class AsyncMongoClient(_Client):
    _session_class = AsyncClientSession

    async def close(self):
        self._close()

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        self._close()


AsyncMongoClient._database_class = AsyncDatabase
AsyncDatabase._collection_class = AsyncCollection
AsyncCollection._cursor_class = AsyncCursor


def _module(name: str, **members) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__dict__.update(members)
    return module


ERRORS = _module("pymongo.errors", PyMongoError=PyMongoError, InvalidOperation=InvalidOperation,
                 ConfigurationError=ConfigurationError, InvalidURI=InvalidURI, AutoReconnect=AutoReconnect)
PYMONGO = _module("pymongo", MongoClient=MongoClient, AsyncMongoClient=AsyncMongoClient, errors=ERRORS)


@contextlib.contextmanager
def installed():
    """`import pymongo` gives the fake while the block runs."""
    saved = {name: sys.modules.get(name) for name in ("pymongo", "pymongo.errors")}
    sys.modules.update({"pymongo": PYMONGO, "pymongo.errors": ERRORS})
    try:
        yield
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module


def new_run(scenario: str) -> Recorder:
    global RUN
    RUN = Recorder(scenario)
    return RUN
