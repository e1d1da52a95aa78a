"""A MockupDB server on 127.0.0.1 that answers like a small replica-set primary
and records the commands a program sends.

It keeps the documents programs insert, per namespace, so that reads, GridFS
downloads and change streams see coherent data; what it records is what the
wire harness compares between a Motor program and its migration.
"""

from __future__ import annotations

import itertools
import threading
from typing import Dict, List

from bson import ObjectId, Timestamp
from mockupdb import MockupDB

from wire.store import Store

# Commands the driver's monitors and handshakes send on their own schedule.
_MONITORING = frozenset({"hello", "ismaster", "isMaster", "ping", "buildinfo", "buildInfo", "saslStart",
                         "saslContinue", "getnonce", "whatsmyuri"})
_CURSOR_COMMANDS = frozenset({"find", "aggregate", "listIndexes", "listCollections"})


class MockMongo:
    """`with MockMongo() as server: ... server.uri ... server.commands`."""

    def __init__(self) -> None:
        self.commands: List[dict] = []
        self.store = Store()
        self._lock = threading.Lock()
        self._cursors: Dict[int, list] = {}
        self._cursor_ids = itertools.count(1000)
        self._server = MockupDB(auto_ismaster=None)

    def __enter__(self) -> "MockMongo":
        self._server.autoresponds(self._respond)
        self._server.run()
        return self

    def __exit__(self, *exc) -> None:
        self._server.stop()

    @property
    def uri(self) -> str:
        # MockupDB binds "localhost" as AF_INET, that is 127.0.0.1.
        return f"mongodb://127.0.0.1:{self._server.port}/?directConnection=true&serverSelectionTimeoutMS=30000"

    # -- replies ---------------------------------------------------------------
    def _respond(self, request) -> bool:
        doc = dict(request.doc)
        name = next(iter(doc))
        if name in _MONITORING:
            return request.replies(self._hello()) if name.lower() in ("hello", "ismaster") else request.ok()
        with self._lock:
            self.commands.append(doc)
            reply = self._answer(name, doc)
        return request.replies(reply)

    def _hello(self) -> dict:
        return {"ok": 1, "isWritablePrimary": True, "ismaster": True, "helloOk": True, "setName": "rs0",
                "hosts": [f"127.0.0.1:{self._server.port}"], "setVersion": 1,
                "minWireVersion": 0, "maxWireVersion": 21, "logicalSessionTimeoutMinutes": 30,
                "maxBsonObjectSize": 16777216, "maxMessageSizeBytes": 48000000, "maxWriteBatchSize": 100000,
                "electionId": ObjectId("7fffffff0000000000000001"),
                "lastWrite": {"opTime": {"ts": Timestamp(1, 1), "t": 1}}}

    def _answer(self, name: str, doc: dict) -> dict:
        database = doc.get("$db", "test")
        if name in _CURSOR_COMMANDS:
            return self._cursor_reply(name, doc, database)
        if name == "getMore":
            return self._get_more(doc)
        if name == "killCursors":
            for cursor_id in doc.get("cursors", []):
                self._cursors.pop(cursor_id, None)
            return {"ok": 1, "cursorsKilled": doc.get("cursors", [])}
        return self.store.command(name, doc, database)

    def _cursor_reply(self, name: str, doc: dict, database: str) -> dict:
        collection = doc[name] if isinstance(doc[name], str) else "$cmd.aggregate"
        documents, tailing = self.store.read(name, doc, database)
        batch_size = self._batch_size(doc)
        first, rest = documents[:batch_size], documents[batch_size:]
        single = name == "find" and (doc.get("singleBatch") or doc.get("limit") == 1)
        cursor_id = 0
        if (rest or tailing) and not single:
            cursor_id = next(self._cursor_ids)
            self._cursors[cursor_id] = rest
        # A change stream with nothing to report yet resumes from the operation time.
        return {"ok": 1, "cursor": {"id": cursor_id, "ns": f"{database}.{collection}", "firstBatch": first},
                "operationTime": Timestamp(1, 1)}

    @staticmethod
    def _batch_size(doc: dict) -> int:
        size = doc.get("batchSize", (doc.get("cursor") or {}).get("batchSize"))
        return size if isinstance(size, int) and size > 0 else 101

    def _get_more(self, doc: dict) -> dict:
        cursor_id = doc["getMore"]
        rest = self._cursors.get(cursor_id, [])
        size = doc.get("batchSize") or 101
        batch, self._cursors[cursor_id] = rest[:size], rest[size:]
        if not self._cursors[cursor_id] and not self.store.is_tailing(doc["collection"]):
            del self._cursors[cursor_id]
            cursor_id = 0
        return {"ok": 1, "cursor": {"id": cursor_id, "ns": f"{doc.get('$db')}.{doc['collection']}",
                                    "nextBatch": batch}}
