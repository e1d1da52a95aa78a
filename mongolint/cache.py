"""Results of unchanged files, in `.mongolint_cache/` at the project root (or
`--cache-dir`).

One JSON file per build and configuration: its name hashes the cache format, a
fingerprint of mongolint's own source files (so two builds that share a version
string never share results) and the settings. It holds one entry per file:

    absolute path -> [key, day last used, error, findings, warnings, dependencies]

`key` hashes the bytes the check itself read (`content_digest`, carried back in
`FileReport.source_digest`) and any further inputs of the answer (`entry_key`).
A run answers a file from its entry only when the bytes it reads now give the
same key, so an edit made while the file was being checked is never stored
under the bytes of an earlier read. `dependencies` are the fingerprints of the
project's modules the answer resolved names through (module -> fingerprint,
None for one looked for and missing): the entry answers only while each of them
is unchanged, so editing `database.py` re-checks the files that import it.

A warm run reads and hashes each file and answers from here without parsing (or
importing LibCST). A cache that is missing, corrupt, foreign, unwritable, or not
a regular file is ignored: it can make a run faster, never make it fail or hang.
Entries and cache files that no run has used for `KEEP_DAYS` are removed.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import stat
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from mongolint import limits
from mongolint.findings import Applicability, Edit, FileReport, Finding, FixSummary

DIRECTORY = ".mongolint_cache"
KEEP_DAYS = 30
_FORMAT = 4
_MAX_CACHE_BYTES = 256 * 1024 * 1024
_KEPT_NAMES = frozenset({".gitignore", "CACHEDIR.TAG"})


def content_digest(data: bytes) -> str:
    """What a check records of the bytes it read."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def entry_key(digest: str, extra_inputs: Sequence[str] = ()) -> str:
    """The key of an answer: the checked bytes' digest, plus anything else the
    answer depends on (say, summaries of the modules the file imports)."""
    if not extra_inputs:
        return digest
    return hashlib.blake2b("\0".join((digest, *extra_inputs)).encode("utf-8", "surrogatepass"),
                           digest_size=16).hexdigest()


@functools.lru_cache(maxsize=None)
def build_fingerprint(package: str = os.path.dirname(os.path.abspath(__file__))) -> str:
    """A hash of every source file of mongolint: any change to the code is a new build."""
    digest = hashlib.blake2b(f"{_FORMAT}".encode(), digest_size=12)
    for path in sorted(Path(package).rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        digest.update(b"\0" + path.relative_to(package).as_posix().encode("utf-8", "surrogateescape") + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"unreadable")
    return digest.hexdigest()


def cache_directory(paths: Sequence[str], cache_dir: Optional[str] = None) -> str:
    """`cache_dir`, or `.mongolint_cache` in the project root: the directory of the
    pyproject.toml above the first path (whatever `--config` names), else the
    working directory."""
    if cache_dir:
        return cache_dir
    from mongolint.config import find_pyproject

    found = find_pyproject(Path(paths[0] if paths else "."))
    return os.path.join(str(found.parent) if found is not None else os.getcwd(), DIRECTORY)


def _today() -> int:
    return int(time.time() // 86400)


class ResultCache:
    def __init__(self, directory: str, settings) -> None:
        name = hashlib.blake2b(f"{_FORMAT}\0{build_fingerprint()}\0{settings.fingerprint()}".encode(),
                               digest_size=12).hexdigest()
        self.directory = directory
        self.path = os.path.join(directory, name + ".json")
        self.today = _today()
        self.max_file_size = getattr(settings, "max_file_size", 0)
        self.entries: Dict[str, list] = self._load()
        self.changed = False

    def _load(self) -> Dict[str, list]:
        data = read_regular_file(self.path, _MAX_CACHE_BYTES)
        if data is None:
            return {}
        try:
            document = json.loads(data)
        except (ValueError, RecursionError):
            return {}
        if isinstance(document, dict) and document.get("format") == _FORMAT \
                and isinstance(document.get("entries"), dict):
            return document["entries"]
        return {}

    def split(self, paths: Sequence[str],
              dependencies_unchanged: Optional[Callable[[str, Dict[str, Optional[str]]], bool]] = None
              ) -> Tuple[Dict[str, FileReport], List[str]]:
        """(reports answered from the cache, paths to check). An entry with
        dependencies answers only while `dependencies_unchanged(path, them)`."""
        hits: Dict[str, FileReport] = {}
        misses: List[str] = []
        for path in paths:
            digest = _digest_of_file(path, self.max_file_size)
            name = _entry_name(path)
            entry = self.entries.get(name)
            report = _report_from(path, entry, entry_key(digest)) if digest is not None else None
            if report is not None and report.dependencies and (
                    dependencies_unchanged is None or not dependencies_unchanged(path, report.dependencies)):
                report = None
            if report is None:
                misses.append(path)
                continue
            hits[path] = report
            if entry[1] != self.today:
                entry[1] = self.today
                self.changed = True
        return hits, misses

    def store(self, report: FileReport, extra_inputs: Sequence[str] = ()) -> None:
        if report.internal_errors or report.source_digest is None:
            return  # a crash is not a result; nothing was read
        self.entries[_entry_name(report.path)] = [
            entry_key(report.source_digest, extra_inputs), self.today, report.error,
            [_finding_to_json(f) for f in report.findings], list(report.warnings), dict(report.dependencies)]
        self.changed = True

    def save(self) -> None:
        """Write the entries (those unused for `KEEP_DAYS` go), and remove the cache
        files of other builds and configurations that no run has used for as long."""
        oldest = self.today - KEEP_DAYS
        kept = {name: entry for name, entry in self.entries.items()
                if isinstance(entry, list) and len(entry) == _ENTRY_LENGTH
                and isinstance(entry[1], int) and entry[1] >= oldest}
        if not self.changed and len(kept) == len(self.entries):
            return
        try:
            os.makedirs(self.directory, exist_ok=True)
            _create_gitignore(os.path.join(self.directory, ".gitignore"))
            handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as stream:
                    json.dump({"format": _FORMAT, "entries": kept}, stream)
                os.replace(temporary, self.path)
            except BaseException:
                os.unlink(temporary)
                raise
        except OSError:
            return
        self._prune_others(time.time() - KEEP_DAYS * 86400)

    def _prune_others(self, unused_since: float) -> None:
        try:
            with os.scandir(self.directory) as listing:
                others = [entry for entry in listing
                          if entry.name not in _KEPT_NAMES and entry.path != self.path]
        except OSError:
            return
        for entry in others:
            try:
                if entry.stat(follow_symlinks=False).st_mtime >= unused_since:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)  # the layout of older versions
                else:
                    os.unlink(entry.path)
            except OSError:
                continue


def read_regular_file(path: str, limit: int) -> Optional[bytes]:
    """The content of `path` if it is a regular file (not a symlink, FIFO or
    device, which could block or never end) of at most `limit` bytes."""
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    with os.fdopen(descriptor, "rb") as handle:
        try:
            status = os.fstat(descriptor)
            if not stat.S_ISREG(status.st_mode) or status.st_size > limit:
                return None
            return handle.read(limit + 1)[:limit]
        except OSError:
            return None


def _create_gitignore(path: str) -> None:
    """Created only where nothing is, not even a dangling symlink."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
    except OSError:
        return
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write("# Created by mongolint.\n*\n")


def _entry_name(path: str) -> str:
    return os.path.abspath(path)


def _digest_of_file(path: str, max_file_size: float) -> Optional[str]:
    """None (a miss) for a file that cannot be read, or that is too large to check."""
    try:
        return content_digest(limits.read_file(path, max_file_size))
    except (OSError, limits.TooLarge):
        return None


def _finding_to_json(finding: Finding) -> dict:
    data = asdict(finding)
    data.pop("path")
    if finding.fix is not None:
        data["fix"] = {"description": finding.fix.description, "applicability": finding.fix.applicability.value,
                       "edits": [[list(e.start), list(e.end), e.content] for e in finding.fix.edits]}
    return data


# [key, day, error, findings, warnings, dependencies]
_ENTRY_LENGTH = 6
_POSITIONS = ("line", "column", "end_line", "end_column")
_TEXTS = ("code", "message", "name")
_APPLICABILITIES = frozenset(a.value for a in Applicability)


def _report_from(path: str, entry, key: str) -> Optional[FileReport]:
    """The report an entry holds, or None (a miss) for any other entry or shape."""
    if not (isinstance(entry, list) and len(entry) == _ENTRY_LENGTH and entry[0] == key
            and isinstance(entry[3], list) and isinstance(entry[4], list) and _are_dependencies(entry[5])):
        return None
    error, warnings = entry[2], entry[4]
    if error is not None and not isinstance(error, str) or not all(isinstance(w, str) for w in warnings):
        return None
    report = FileReport(path, error=error, warnings=list(warnings), dependencies=dict(entry[5]))
    for data in entry[3]:
        finding = _finding_from(path, data)
        if finding is None:
            return None
        report.findings.append(finding)
    return report


def _are_dependencies(data) -> bool:
    return isinstance(data, dict) and all(
        isinstance(module, str) and (fingerprint is None or isinstance(fingerprint, str))
        for module, fingerprint in data.items())


def _finding_from(path: str, data) -> Optional[Finding]:
    if not isinstance(data, dict):
        return None
    if not all(type(data.get(name)) is int for name in _POSITIONS) \
            or not all(isinstance(data.get(name), str) for name in _TEXTS):
        return None
    fix = data.get("fix")
    summary = None
    if fix is not None:
        if not (isinstance(fix, dict) and isinstance(fix.get("description"), str)
                and fix.get("applicability") in _APPLICABILITIES):
            return None
        edits = _edits_from(fix.get("edits"))
        if edits is None:
            return None
        summary = FixSummary(fix["description"], Applicability(fix["applicability"]), edits)
    return Finding(path, *(data[name] for name in _POSITIONS), data["code"], data["message"], data["name"], summary)


def _edits_from(data) -> Optional[Tuple[Edit, ...]]:
    if not isinstance(data, list):
        return None
    edits = []
    for item in data:
        if not (isinstance(item, list) and len(item) == 3 and isinstance(item[2], str)
                and all(isinstance(p, list) and len(p) == 2 and all(type(n) is int for n in p) for p in item[:2])):
            return None
        edits.append(Edit(tuple(item[0]), tuple(item[1]), item[2]))
    return tuple(edits)
