"""Run a program against a fresh MockMongo server and keep what it sent and printed,
normalised so that a Motor program and its migration can be compared."""

from __future__ import annotations

import datetime
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, NamedTuple

from bson import ObjectId

from wire.mock_mongo import MockMongo

TIMEOUT = 60  # seconds for one program; each needs about one


class Run(NamedTuple):
    returncode: int
    stdout: str
    stderr: str
    commands: List[dict]


def run_program(path: Path) -> Run:
    with MockMongo() as server:
        env = dict(os.environ, MONGO_URI=server.uri, PYTHONWARNINGS="always::RuntimeWarning")
        try:
            done = subprocess.run([sys.executable, str(path)], env=env, capture_output=True, text=True,
                                  timeout=TIMEOUT, cwd=str(path.parent))
            returncode, stdout, stderr = done.returncode, done.stdout, done.stderr
        except subprocess.TimeoutExpired as expired:
            returncode, stdout, stderr = -1, expired.stdout or "", f"timed out after {TIMEOUT} s"
        commands = list(server.commands)
    return Run(returncode, _scrub_text(stdout if isinstance(stdout, str) else stdout.decode()), stderr,
               normalise(commands))


def normalise(commands: List[dict]) -> List[dict]:
    """Sessions become their order of first use; ObjectIds and dates (made fresh
    by each run) become placeholders. Everything else must match."""
    sessions: Dict[bytes, int] = {}

    def session(lsid: Any) -> str:
        return f"session-{sessions.setdefault(bytes(lsid['id']), len(sessions))}"

    result = []
    for command in commands:
        clean = {}
        for key, value in command.items():
            if key == "$clusterTime":
                continue
            if key == "lsid":
                clean[key] = session(value)
            elif key == "endSessions":
                clean[key] = sorted(session(s) for s in value)
            else:
                clean[key] = _scrub(value)
        result.append(clean)
    return result


def _scrub(value: Any) -> Any:
    if isinstance(value, ObjectId):
        return "<ObjectId>"
    if isinstance(value, datetime.datetime):
        return "<datetime>"
    if isinstance(value, dict):
        return {k: _scrub(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_scrub(v) for v in value]
    return value


_OBJECT_ID = re.compile(r"ObjectId\('[0-9a-f]{24}'\)")
_DATETIME = re.compile(r"datetime\.datetime\([^)]*\)")


def _scrub_text(text: str) -> str:
    return _DATETIME.sub("datetime(...)", _OBJECT_ID.sub("ObjectId(...)", text))
