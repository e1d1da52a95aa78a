"""One check in a forked child, under the time and memory limits: for front-ends
that run in someone else's processes (flake8's workers are daemonic, so they may
not start multiprocessing children, but they may fork).
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import sys
import tempfile
import time
from typing import Callable, Optional

from mongolint import limits
from mongolint.findings import FileReport


def can_fork() -> bool:
    return hasattr(os, "fork") and sys.platform != "darwin"  # fork is unsafe on macOS


def run_in_child(path: str, check: Callable[[], FileReport], settings) -> FileReport:
    """`check()` in a forked child; its report, or one that says why it has none."""
    if not can_fork():
        return check()
    timeout = settings.file_timeout or None
    read_end, write_end = os.pipe()
    with tempfile.TemporaryFile() as stderr:
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child's lines are not traced
            os.close(read_end)
            _child(write_end, stderr, check, path, settings)
        os.close(write_end)
        payload = None
        try:
            payload = _read_until(read_end, time.monotonic() + timeout if timeout else None)
        finally:
            os.close(read_end)
            status = _reap(pid, kill=payload is None)  # late, or interrupted
        if payload is None:
            return _internal_error(path, limits.timed_out(timeout))
        if payload:
            succeeded, value = pickle.loads(payload)
            if succeeded:
                return value
            raise value
        stderr.seek(0)
        if limits.NATIVE_OUT_OF_MEMORY in stderr.read(64 * 1024):
            return FileReport(path, error=limits.out_of_memory(settings.memory_limit))
        return _internal_error(path, f"the checking process died ({_reason(status)})")


def _child(write_end: int, stderr, check, path: str, settings) -> None:  # pragma: no cover
    code = 0
    try:
        os.dup2(stderr.fileno(), 2)
        from mongolint.engine import DEEP_STACK_SIZE

        limits.cap_memory(settings.memory_limit, DEEP_STACK_SIZE)
        try:
            outcome = (True, check())
        except MemoryError:
            outcome = (True, FileReport(path, error=limits.out_of_memory(settings.memory_limit)))
        except Exception as error:  # the parent raises it, as if run there
            outcome = (False, error)
        payload = pickle.dumps(outcome)
        with os.fdopen(write_end, "wb") as stream:
            stream.write(payload)
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def _read_until(descriptor: int, deadline: Optional[float]) -> Optional[bytes]:
    """Everything until end of file (b"" if none), or None past the deadline."""
    chunks = []
    while True:
        remaining = None if deadline is None else deadline - time.monotonic()
        if remaining is not None and remaining <= 0:
            return None
        ready, _, _ = select.select([descriptor], [], [], remaining)
        if not ready:
            continue
        chunk = os.read(descriptor, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _reap(pid: int, kill: bool) -> int:
    try:
        if kill:
            os.kill(pid, signal.SIGKILL)
        return os.waitpid(pid, 0)[1]
    except (ChildProcessError, ProcessLookupError):
        return 0


def _reason(status: int) -> str:
    if os.WIFSIGNALED(status):
        try:
            return f"killed by {signal.Signals(os.WTERMSIG(status)).name}"
        except ValueError:
            return f"killed by signal {os.WTERMSIG(status)}"
    return f"exit status {os.WEXITSTATUS(status) if os.WIFEXITED(status) else status}"


def _internal_error(path: str, message: str) -> FileReport:
    report = FileReport(path)
    report.internal_errors.append(f"internal error: {message}")
    return report
