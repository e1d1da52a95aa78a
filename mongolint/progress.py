"""A progress line on standard error (`Checking files: 120/450`) while a run
that has taken more than a second checks files.

Only for a person watching: standard error must be a terminal (not a pipe or a
CI log), `CI` unset, `TERM` not `dumb`, and neither `--quiet` nor `--silent`
given. The line is drawn with a carriage return and wiped before the report is
written, so nothing of it stays on the screen or reaches standard output.
`MONGOLINT_PROGRESS_DELAY` sets the second (in seconds) before it appears.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from typing import Iterator, Optional, TextIO

DELAY_VARIABLE = "MONGOLINT_PROGRESS_DELAY"
DEFAULT_DELAY = 1.0
_REDRAW_EVERY = 0.1  # seconds: a terminal need not be redrawn for every file


class _Progress:
    def __init__(self, total: int, stream: TextIO, delay: float) -> None:
        self.total, self.stream, self.delay = total, stream, delay
        self.done = 0
        self.started = time.monotonic()
        self.drawn_at: Optional[float] = None
        self.width = 0

    def advance(self, count: int) -> None:
        self.done += count
        now = time.monotonic()
        if now - self.started < self.delay:
            return
        if self.drawn_at is not None and now - self.drawn_at < _REDRAW_EVERY and self.done < self.total:
            return
        self.drawn_at = now
        self._write(f"Checking files: {self.done}/{self.total}")

    def wipe(self) -> None:
        if self.width:
            self._write("")
            self._write_raw("\r")

    def _write(self, text: str) -> None:
        self._write_raw("\r" + text.ljust(self.width))
        self.width = len(text)

    def _write_raw(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # a closed terminal: the run goes on
            pass


_current: Optional[_Progress] = None


def advance(count: int = 1) -> None:
    """`count` more files are settled (checked, or answered from the cache)."""
    if _current is not None:
        _current.advance(count)


@contextlib.contextmanager
def shown(total: int, *, quiet: bool, stream: Optional[TextIO] = None) -> Iterator[None]:
    """Show the progress of checking `total` files for the length of the block."""
    global _current
    stream = stream or sys.stderr
    if not _wanted(stream, quiet) or _current is not None:
        yield
        return
    _current = _Progress(total, stream, _delay())
    try:
        yield
    finally:
        _current.wipe()
        _current = None


def _wanted(stream: TextIO, quiet: bool) -> bool:
    in_ci = os.environ.get("CI", "").lower() not in ("", "0", "false")
    if quiet or in_ci or os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _delay() -> float:
    try:
        return max(0.0, float(os.environ.get(DELAY_VARIABLE, DEFAULT_DELAY)))
    except ValueError:
        return DEFAULT_DELAY
