"""Runs behaviour programs and reports what they did, as JSON (tests/test_behaviour.py).

Usage: ``python behaviour_runner.py < spec.json``, where the spec is
``{"programs": [{"key": ..., "runs": [{"id": ..., "path": ..., "uri": ...}, ...]}, ...],
"out": directory, "timeout": seconds, "parallel": n}``. PyMongo is imported once;
each program then runs in a forked child process (all its runs, one after the
other) that the alarm kills after ``timeout`` seconds, so a hang costs one
program, not the suite. The child writes ``<out>/<key>.json``. Each run imports the
program afresh with ``BEHAVIOUR_URI`` set, calls its ``main()`` (awaiting it
when it is a coroutine function), then closes whatever clients the program left
open. The report of a run is one outcome (see behaviour_outcomes.py):

- ``events``: every command the run's clients sent, as the driver's command
  monitoring saw it, labelled with the client that sent it ("C1", "C2" in order
  of construction), the explicit session it ran on ("S1", ... in order of
  ``start_session()``; "implicit" otherwise), the transaction it is part of
  (1, 2, ... per session), and the phase: "main" while the program runs,
  "cleanup" when the runner closes the clients it left open;
- ``exception`` and ``value``: what ``main()`` raised or returned;
- ``open_clients`` / ``open_sessions``: which clients were not closed and which
  sessions were not ended when ``main()`` finished; ``clients``: how many were built;
- ``unawaited``: how many coroutines were never awaited.
"""

from __future__ import annotations

import asyncio
import gc
import importlib.util
import inspect
import json
import os
import re
import signal
import sys
import traceback
import warnings
from typing import Any, Dict, List, Optional

from behaviour_outcomes import describe
from bson import ObjectId
from pymongo import common, monitoring
from pymongo.asynchronous.mongo_client import AsyncMongoClient
from pymongo.client_session_shared import _EmptyServerSession
from pymongo.synchronous.mongo_client import MongoClient

# After a scripted network error the driver waits for its monitor's next check,
# at most every half second; the runs need it at once.
common.MIN_HEARTBEAT_INTERVAL = 0.01

VOLATILE_FIELDS = {"lsid", "txnNumber", "autocommit", "startTransaction", "$clusterTime"}


class Run:
    """What one run's clients and sessions did."""

    def __init__(self) -> None:
        self.events: List[Dict[str, Any]] = []
        self.clients: List[Any] = []
        self.sessions: List[Any] = []
        self.lsid_labels: Dict[bytes, str] = {}
        self.transactions: Dict[tuple, int] = {}
        self.object_ids: Dict[str, int] = {}
        self.phase = "main"

    def session_label(self, lsid) -> Optional[str]:
        if lsid is None:
            return None
        key = bytes(lsid["id"])
        for index, session in enumerate(self.sessions):
            server_session = session._server_session
            if server_session is None or isinstance(server_session, _EmptyServerSession):
                continue
            if bytes(server_session.session_id["id"]) == key:
                label = f"S{index + 1}"
                self.lsid_labels[key] = label
                return label
        return "implicit"

    def transaction(self, label: Optional[str], command) -> Optional[int]:
        if command.get("autocommit") is not False:
            return None
        key = (label, command.get("txnNumber"))
        per_session = sum(1 for known in self.transactions if known[0] == label)
        return self.transactions.setdefault(key, per_session + 1)

    def plain(self, value):
        """A JSON value, ObjectIds numbered in the order this run met them."""
        if isinstance(value, ObjectId):
            return f"ObjectId#{self.object_ids.setdefault(str(value), len(self.object_ids) + 1)}"
        if isinstance(value, dict):
            return {str(k): self.plain(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.plain(v) for v in value]
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        return type(value).__name__

    def text(self, text: str) -> str:
        text = re.sub(r"ObjectId\('([0-9a-f]{24})'\)", lambda m: self.plain(ObjectId(m.group(1))), text)
        text = re.sub(r" at 0x[0-9a-f]+", "", text)
        text = re.sub(r"\b[0-9a-f]{24}\b", "<id>", text)
        return re.sub(r"127\.0\.0\.1:\d+", "SERVER", text)


CURRENT = Run()


class _Recorder(monitoring.CommandListener):
    def __init__(self, tag: str) -> None:
        self.tag = tag

    def started(self, event) -> None:
        run, command, name = CURRENT, event.command, event.command_name
        label = run.session_label(command.get("lsid"))
        target = command.get(name)
        record = {
            "client": self.tag, "name": name, "target": target if isinstance(target, str) else None,
            "body": run.plain({k: v for k, v in command.items() if k not in VOLATILE_FIELDS and k != name}),
            "session": label, "txn": run.transaction(label, command),
            "retryable": "txnNumber" in command and "autocommit" not in command,
            "start": bool(command.get("startTransaction")), "phase": run.phase,
        }
        if name == "endSessions":
            ended = [run.lsid_labels.get(bytes(lsid["id"])) for lsid in command.get("endSessions", [])]
            record["body"] = {}
            record["ended"] = sorted(label for label in ended if label)
        run.events.append(record)

    def succeeded(self, event) -> None:
        pass

    def failed(self, event) -> None:
        pass


def _instrument(client_class) -> None:
    original_init, original_start = client_class.__init__, client_class.start_session

    def __init__(self, *args, **kwargs):
        tag = f"C{len(CURRENT.clients) + 1}"
        kwargs["event_listeners"] = list(kwargs.get("event_listeners") or []) + [_Recorder(tag)]
        original_init(self, *args, **kwargs)
        CURRENT.clients.append(self)

    def start_session(self, *args, **kwargs):
        session = original_start(self, *args, **kwargs)
        CURRENT.sessions.append(session)
        return session

    client_class.__init__, client_class.start_session = __init__, start_session


_instrument(MongoClient)
_instrument(AsyncMongoClient)


def _load(path: str, index: int):
    spec = importlib.util.spec_from_file_location(f"behaviour_program_{index}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _finish_main(run: Run) -> Dict[str, Any]:
    run.phase = "cleanup"
    return {"open_clients": [f"C{i + 1}" for i, c in enumerate(run.clients) if not c._closed],
            "open_sessions": [f"S{i + 1}" for i, s in enumerate(run.sessions) if not s.has_ended],
            "clients": len(run.clients)}


async def _run_async(main, run: Run):
    outcome: Dict[str, Any] = {"exception": None, "value": None}
    try:
        outcome["value"] = repr(await main())
    except Exception as error:  # the program's outcome, recorded
        outcome["exception"] = describe(error)
    outcome.update(_finish_main(run))
    for client in run.clients:
        if not client._closed:
            closing = client.close()
            if inspect.isawaitable(closing):
                await closing
    return outcome


def _run_sync(main, run: Run):
    outcome: Dict[str, Any] = {"exception": None, "value": None}
    try:
        outcome["value"] = repr(main())
    except Exception as error:
        outcome["exception"] = describe(error)
    outcome.update(_finish_main(run))
    for client in run.clients:
        if not client._closed and isinstance(client, MongoClient):
            client.close()
    return outcome


def run_program(run_id: str, path: str, uri: str, index: int) -> Dict[str, Any]:
    global CURRENT
    CURRENT = run = Run()
    os.environ["BEHAVIOUR_URI"] = uri
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            module = _load(path, index)
        except Exception as error:
            outcome = {"exception": "at import: " + describe(error), "value": None}
            outcome.update(_finish_main(run))
            module = None
        if module is not None:
            main = module.main
            if inspect.iscoroutinefunction(main):
                outcome = asyncio.run(_run_async(main, run))
            else:
                outcome = _run_sync(main, run)
        del module
        gc.collect()
    outcome["unawaited"] = sum(1 for w in caught if "was never awaited" in str(w.message))
    outcome["events"] = run.events
    outcome["id"] = run_id
    for key in ("exception", "value"):
        if outcome[key] is not None:
            outcome[key] = run.text(outcome[key])
    return outcome


def _child(program: Dict[str, Any], out: str, timeout: int) -> None:
    signal.alarm(timeout)
    path = os.path.join(out, program["key"] + ".json")
    try:
        outcomes = [run_program(r["id"], r["path"], r["uri"], i) for i, r in enumerate(program["runs"])]
        result: Dict[str, Any] = {"outcomes": outcomes}
    except BaseException:  # the harness's own failure, reported to the test
        result = {"error": traceback.format_exc()}
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(result, handle)


def _reap(children: Dict[int, str], out: str, timeout: int) -> None:
    pid, status = os.wait()
    key = children.pop(pid)
    if os.WIFSIGNALED(status):
        reason = "did not finish within %d s" % timeout if os.WTERMSIG(status) == signal.SIGALRM \
            else "died of signal %d" % os.WTERMSIG(status)
        with open(os.path.join(out, key + ".json"), "w", encoding="utf-8") as handle:
            json.dump({"error": f"the program's runs {reason}"}, handle)


def main() -> None:
    spec = json.load(sys.stdin)
    out, timeout, parallel = spec["out"], spec["timeout"], spec.get("parallel", 2)
    children: Dict[int, str] = {}
    for program in spec["programs"]:
        while len(children) >= parallel:
            _reap(children, out, timeout)
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            try:
                _child(program, out, timeout)
            finally:
                os._exit(0)
        children[pid] = program["key"]
    while children:
        _reap(children, out, timeout)


if __name__ == "__main__":
    main()
