"""Writing a fixed file: never over an edit made meanwhile, never through a
symbolic link out of the project unless asked, never half a file, and keeping
what the file was (mode, owner and group, extended attributes, hard links).

`read_snapshot` records what was read; `write_fixed` replaces the file only if
it is still exactly that (same inode, size, mtime and content).
"""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from dataclasses import dataclass
from typing import Optional

from mongolint import limits
from mongolint.source import SourceText

CHANGED = "not fixed: the file changed while it was being fixed; run again"


@dataclass(frozen=True)
class Snapshot:
    data: bytes
    device: int
    inode: int
    size: int
    mtime_ns: int
    digest: str


def _identity(status: os.stat_result):
    return status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns


def read_snapshot(path: str, max_file_size: float = 0) -> Snapshot:
    """The file's bytes and what it was when read. Raises OSError or `limits.TooLarge`."""
    with open(path, "rb") as handle:
        before = os.fstat(handle.fileno())
        if max_file_size and stat.S_ISREG(before.st_mode) and before.st_size > max_file_size * limits.MEGABYTE:
            raise limits.TooLarge(limits.too_large(before.st_size, max_file_size))
        data = limits.read_stream(handle, max_file_size)
    return Snapshot(data, before.st_dev, before.st_ino, before.st_size, before.st_mtime_ns, _digest(data))


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def outside_project(path: str, root: str) -> Optional[str]:
    """Where `path` really is, when a symbolic link takes it out of `root`."""
    absolute = os.path.abspath(path)
    real = os.path.realpath(path)
    if not _is_under(absolute, os.path.abspath(root)) or _is_under(real, os.path.realpath(root)):
        return None
    return real


def _is_under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def write_fixed(path: str, snapshot: Snapshot, source: SourceText, text: str, settings) -> Optional[str]:
    """Replace the file read as `snapshot` with `text`, in the encoding it was
    read in. Returns a one-line problem, or None."""
    elsewhere = outside_project(path, settings.project_root or os.getcwd())
    if elsewhere is not None and not settings.fix_through_symlinks:
        return (f"not fixed: a symbolic link leads outside the project, to {elsewhere} "
                "(--fix-through-symlinks writes there)")
    real = os.path.realpath(path)  # a symbolic link keeps pointing at the fixed file
    try:
        status = os.stat(real)
        data = source.encode(text)
    except OSError as error:
        return f"not fixed: {error.strerror or error}"
    except UnicodeEncodeError as error:
        return f"not fixed: the fix cannot be written in {source.encoding}: {error.reason}"
    if not stat.S_IMODE(status.st_mode) & stat.S_IWUSR:
        return "not fixed: the file is read-only"
    if _identity(status) != (snapshot.device, snapshot.inode, snapshot.size, snapshot.mtime_ns):
        return CHANGED
    try:
        if status.st_nlink > 1:  # a new inode would break the other links
            return _write_in_place(real, snapshot, data)
        return _replace(real, snapshot, status, data)
    except OSError as error:
        return f"not fixed: cannot write: {error.strerror or error}"


def _unchanged(descriptor: int, snapshot: Snapshot) -> bool:
    status = os.fstat(descriptor)
    if _identity(status) != (snapshot.device, snapshot.inode, snapshot.size, snapshot.mtime_ns):
        return False
    return _digest(_read_all(descriptor, status.st_size)) == snapshot.digest


def _read_all(descriptor: int, size: int) -> bytes:
    os.lseek(descriptor, 0, os.SEEK_SET)
    chunks, offset = [], 0
    while True:
        chunk = os.read(descriptor, max(size - offset, 1 << 16))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        offset += len(chunk)


def _replace(real: str, snapshot: Snapshot, status: os.stat_result, data: bytes) -> Optional[str]:
    """Through a temporary file in the same directory and a rename."""
    handle, temporary = tempfile.mkstemp(prefix=".mongolint-", suffix=".tmp", dir=os.path.dirname(real))
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            _copy_metadata(stream.fileno(), temporary, real, status)
        with open(real, "rb") as current:  # the last look, just before the rename
            if not _unchanged(current.fileno(), snapshot):
                os.unlink(temporary)
                return CHANGED
        os.replace(temporary, real)
    except BaseException:
        if os.path.lexists(temporary):
            os.unlink(temporary)
        raise
    return None


def _copy_metadata(descriptor: int, temporary: str, real: str, status: os.stat_result) -> None:
    """Mode, then owner and group (as far as permitted), then extended attributes."""
    os.chmod(temporary, stat.S_IMODE(status.st_mode))
    if hasattr(os, "fchown"):
        for owner, group in ((status.st_uid, status.st_gid), (-1, status.st_gid)):
            try:
                os.fchown(descriptor, owner, group)
                break
            except OSError:
                continue
        os.chmod(temporary, stat.S_IMODE(status.st_mode))  # chown may clear set-id bits
    if hasattr(os, "listxattr"):
        try:
            names = os.listxattr(real)
        except OSError:
            return
        for name in names:
            try:
                os.setxattr(descriptor, name, os.getxattr(real, name))
            except OSError:
                continue


def _write_in_place(real: str, snapshot: Snapshot, data: bytes) -> Optional[str]:
    """Overwrite the inode itself. The space is reserved first, so a full disk
    fails before any byte changes; a write that fails midway puts the original
    bytes back."""
    descriptor = os.open(real, os.O_RDWR)
    try:
        if not _unchanged(descriptor, snapshot):
            return CHANGED
        if len(data) > snapshot.size and hasattr(os, "posix_fallocate"):
            os.posix_fallocate(descriptor, 0, len(data))
        try:
            _write_all(descriptor, data)
            os.ftruncate(descriptor, len(data))
            os.fsync(descriptor)
        except OSError:
            _write_all(descriptor, snapshot.data)
            os.ftruncate(descriptor, len(snapshot.data))
            raise
    finally:
        os.close(descriptor)
    return None


def _write_all(descriptor: int, data: bytes) -> None:
    os.lseek(descriptor, 0, os.SEEK_SET)
    offset = 0
    while offset < len(data):
        offset += os.write(descriptor, data[offset:])
