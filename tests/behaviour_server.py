"""A scripted MockupDB replica-set primary for the behaviour tests (tests/test_behaviour.py).

Every run of a program connects with its own `appname`; the server maps each
connection to its run through the handshake's client metadata, so runs never
share state, and several subprocesses can run against one server. The part of
the name after the last "." is the scenario, which decides the replies:

- ``ok``: every command succeeds;
- ``network_error``: the connection hangs up on the second write, and on every
  retry of it (same lsid and txnNumber);
- ``write_conflict``: the first write inside a transaction fails with
  WriteConflict (code 112, label TransientTransactionError), once per run;
- ``bad_uri``: never reaches the server (the runner gives a URI the client
  constructor rejects).
"""

from __future__ import annotations

import threading
from typing import Dict, Optional

import pytest
from mockupdb import MockupDB

WRITES = {"insert", "update", "delete", "findAndModify"}
SCENARIOS = ("ok", "network_error", "write_conflict", "bad_uri")
DOCUMENTS = [{"_id": 1, "sku": "a1", "qty": 3}, {"_id": 2, "sku": "b2", "qty": 0}]
OPEN_CURSOR_ID = 4242


class _RunState:
    def __init__(self, scenario: str) -> None:
        self.scenario = scenario
        self.writes = 0
        self.hung_up = set()
        self.conflicted = False
        self.requests = 0


class ScriptedServer:
    """One MockupDB on 127.0.0.1 answering every run's commands by its scenario."""

    def __init__(self) -> None:
        self._server = MockupDB(port=0)
        # MockupDB binds "localhost", which may resolve to an IPv6 address; the
        # tests keep to 127.0.0.1.
        self._server._address = ("127.0.0.1", 0)
        self._lock = threading.Lock()
        self._run_of_connection: Dict[int, str] = {}
        self._runs: Dict[str, _RunState] = {}
        self._server.autoresponds(self._reply)

    def start(self) -> "ScriptedServer":
        self._server.run()
        return self

    def stop(self) -> None:
        self._server.stop()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self._server.port}"

    def uri(self, run_id: str) -> str:
        """The URI a run connects with (the constructor-raising one for `bad_uri`)."""
        scheme = "notmongodb" if run_id.endswith(".bad_uri") else "mongodb"
        return (f"{scheme}://{self.address}/?appname={run_id}"
                "&serverSelectionTimeoutMS=20000&connectTimeoutMS=10000")

    def requests_of(self, run_id: str) -> int:
        """How many commands (handshakes and heartbeats aside) the run sent."""
        with self._lock:
            state = self._runs.get(run_id)
            return state.requests if state else 0

    def _state(self, request) -> Optional[_RunState]:
        document = request.doc
        client = document.get("client") if hasattr(document, "get") else None
        with self._lock:
            if client is not None:
                run_id = client.get("application", {}).get("name", "")
                self._run_of_connection[request.client_port] = run_id
            run_id = self._run_of_connection.get(request.client_port)
            if run_id is None:
                return None
            if run_id not in self._runs:
                self._runs[run_id] = _RunState(run_id.rsplit(".", 1)[-1])
            return self._runs[run_id]

    def _reply(self, request):
        name = request.command_name or ""
        state = self._state(request)
        if name.lower() in ("hello", "ismaster"):
            return request.replies(**self._hello())
        if state is not None:
            with self._lock:
                state.requests += 1
                failure = self._scripted_failure(state, name, request.doc)
            if failure == "hangup":
                return request.hangup()
            if failure == "write_conflict":
                return request.replies(ok=0, code=112, codeName="WriteConflict", errmsg="WriteConflict error",
                                       errorLabels=["TransientTransactionError"])
        return request.replies(**_answer(name, request.doc))

    @staticmethod
    def _scripted_failure(state: _RunState, name: str, document) -> Optional[str]:
        if name not in WRITES:
            return None
        if state.scenario == "network_error":
            key = (bytes(document["lsid"]["id"]), document["txnNumber"]) if "txnNumber" in document else None
            if key is not None and key in state.hung_up:
                return "hangup"
            state.writes += 1
            if state.writes == 2:
                if key is not None:
                    state.hung_up.add(key)
                return "hangup"
        if state.scenario == "write_conflict" and document.get("autocommit") is False and not state.conflicted:
            state.conflicted = True
            return "write_conflict"
        return None

    def _hello(self) -> dict:
        address = self.address
        # No topologyVersion: the monitors poll instead of streaming, so a
        # MockupDB that answers at once cannot make them spin.
        return dict(ismaster=True, isWritablePrimary=True, helloOk=True, setName="rs0", setVersion=1,
                    hosts=[address], primary=address, me=address, minWireVersion=0, maxWireVersion=21,
                    logicalSessionTimeoutMinutes=30, maxBsonObjectSize=16777216,
                    maxMessageSizeBytes=48000000, maxWriteBatchSize=100000)


@pytest.fixture(scope="session")
def scripted_server():
    """One server for every test that talks to MockupDB (runs never share state)."""
    server = ScriptedServer().start()
    yield server
    server.stop()


def _answer(name: str, document) -> dict:
    """The successful reply to one command."""
    namespace = f"{document.get('$db', 'db')}.{document.get(name)}"
    if name == "insert":
        return {"n": len(document.get("documents", []))}
    if name == "update":
        count = len(document.get("updates", []))
        return {"n": count, "nModified": count}
    if name == "delete":
        return {"n": len(document.get("deletes", []))}
    if name == "findAndModify":
        return {"value": DOCUMENTS[0], "lastErrorObject": {"n": 1, "updatedExisting": True}}
    if name == "find":
        # A no-timeout cursor stays open on the server after its first batch, so
        # that closing it (MGL105's fix) is a command: killCursors.
        cursor_id = OPEN_CURSOR_ID if document.get("noCursorTimeout") else 0
        return {"cursor": {"id": cursor_id, "ns": namespace, "firstBatch": DOCUMENTS}}
    if name == "aggregate":
        pipeline = document.get("pipeline", [])
        counting = any("$group" in stage for stage in pipeline)
        batch = [{"_id": 1, "n": len(DOCUMENTS)}] if counting else DOCUMENTS
        return {"cursor": {"id": 0, "ns": namespace, "firstBatch": batch}}
    if name == "getMore":
        return {"cursor": {"id": 0, "ns": f"{document.get('$db')}.{document.get('collection')}", "nextBatch": []}}
    if name == "count":
        return {"n": len(DOCUMENTS)}
    if name == "distinct":
        return {"values": [d["sku"] for d in DOCUMENTS]}
    if name == "listCollections":
        return {"cursor": {"id": 0, "ns": f"{document.get('$db')}.$cmd.listCollections",
                           "firstBatch": [{"name": "orders", "type": "collection"}]}}
    if name == "listDatabases":
        return {"databases": [{"name": "shop", "sizeOnDisk": 1, "empty": False}], "totalSize": 1}
    if name == "killCursors":
        return {"cursorsKilled": document.get("cursors", []), "cursorsNotFound": [], "cursorsAlive": []}
    if name == "listIndexes":
        return {"cursor": {"id": 0, "ns": namespace, "firstBatch": [{"v": 2, "key": {"_id": 1}, "name": "_id_"}]}}
    return {}
