"""Size and memory limits: a file too big to check is reported in one line, not
allowed to exhaust the machine.

`max-file-size` is checked before a file (or stdin) is read whole. `memory-limit`
caps the address space of each forked worker (`resource.RLIMIT_AS`) at what it
had when it started, plus the big parsing stack (`engine.DEEP_STACK_SIZE`), plus
the limit. Past it, Python raises `MemoryError` and LibCST's native parser
aborts the worker; either way the file is reported as too large.
"""

from __future__ import annotations

import os
import stat
from typing import BinaryIO, Optional

MEGABYTE = 1024 * 1024
# What a native allocation failure prints (Rust's `handle_alloc_error`) before aborting.
NATIVE_OUT_OF_MEMORY = b"memory allocation of "


class TooLarge(Exception):
    """The input is over `max-file-size`."""


def too_large(size: int, limit_mb: float) -> str:
    shown = f"{size / MEGABYTE:.1f} MB" if size >= MEGABYTE / 10 else f"{size / 1024:.0f} KB"
    return f"not checked: too large ({shown}; `max-file-size` is {limit_mb:g} MB)"


def out_of_memory(limit_mb: float) -> str:
    return f"not checked: too large (checking it needs more than `memory-limit`, {limit_mb:g} MB)"


def timed_out(timeout: float) -> str:
    return f"checking took longer than {timeout:g} s (`file-timeout`); the file was not checked"


def _limit_bytes(limit_mb: float) -> Optional[int]:
    return int(limit_mb * MEGABYTE) if limit_mb else None


def read_file(path: str, limit_mb: float) -> bytes:
    """The file's bytes; raises `TooLarge` (without reading it) or `OSError`."""
    limit = _limit_bytes(limit_mb)
    with open(path, "rb") as handle:
        if limit is not None:
            status = os.fstat(handle.fileno())
            if stat.S_ISREG(status.st_mode) and status.st_size > limit:
                raise TooLarge(too_large(status.st_size, limit_mb))
        return read_stream(handle, limit_mb)


def read_stream(stream: BinaryIO, limit_mb: float) -> bytes:
    """At most the limit's worth of the stream (it may be growing, or a pipe)."""
    limit = _limit_bytes(limit_mb)
    if limit is None:
        return stream.read()
    data = stream.read(limit + 1)
    if len(data) > limit:
        size = len(data) + _drain(stream)
        raise TooLarge(too_large(size, limit_mb))
    return data


def _drain(stream: BinaryIO) -> int:
    """Read the rest, to tell its size and leave no writer blocked; keep none of it."""
    total = 0
    while True:
        chunk = stream.read(MEGABYTE)
        if not chunk:
            return total
        total += len(chunk)


def check_text_size(text: str, limit_mb: float) -> Optional[str]:
    """For text already read by someone else (flake8): the problem, or None."""
    limit = _limit_bytes(limit_mb)
    if limit is not None and len(text) > limit:  # a character is at least a byte
        return too_large(len(text.encode("utf-8", "surrogatepass")), limit_mb)
    return None


def cap_memory(limit_mb: float, stack_bytes: int) -> None:
    """In a worker that was just forked: allow it `limit_mb` more address space."""
    limit = _limit_bytes(limit_mb)
    if limit is None:
        return
    try:
        import resource
    except ImportError:  # not on this platform
        return
    current = _address_space()
    if current is None:  # unknown here: no cap rather than a wrong one
        return
    allowed = current + stack_bytes + limit
    try:
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            allowed = min(allowed, hard)
        resource.setrlimit(resource.RLIMIT_AS, (allowed, hard))
    except (ValueError, OSError):
        pass


def _address_space() -> Optional[int]:
    """This process's virtual size now (Linux's /proc)."""
    try:
        with open("/proc/self/statm", "rb") as handle:
            return int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None
