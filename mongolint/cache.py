"""Results of unchanged files, keyed by their content, the tool's version and the
configuration, in `.mongolint_cache/` at the project root.

A warm run reads and hashes each file and answers from here without parsing
(or importing LibCST). A cache that is missing, corrupt, foreign or unwritable
is ignored: it can make a run faster, never make it fail.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict
from typing import Dict, List, Optional, Sequence, Tuple

from mongolint import __version__
from mongolint.findings import Applicability, Edit, FileReport, Finding, FixSummary

DIRECTORY = ".mongolint_cache"
_FORMAT = 2


class ResultCache:
    def __init__(self, directory: str, settings) -> None:
        key = hashlib.blake2b(f"{_FORMAT}\0{__version__}\0{settings.fingerprint()}".encode(),
                              digest_size=12).hexdigest()
        self.directory = directory
        self.path = os.path.join(directory, __version__, key + ".json")
        self.entries: Dict[str, list] = self._load()
        self.used: Dict[str, list] = {}

    @classmethod
    def for_project(cls, settings) -> "ResultCache":
        root = settings.project_root or os.getcwd()
        return cls(os.path.join(root, DIRECTORY), settings)

    def _load(self) -> Dict[str, list]:
        try:
            with open(self.path, encoding="utf-8") as handle:
                data = json.load(handle)
            if isinstance(data, dict) and data.get("format") == _FORMAT and isinstance(data.get("entries"), dict):
                return data["entries"]
        except (OSError, ValueError):
            pass
        return {}

    def split(self, paths: Sequence[str]) -> Tuple[Dict[str, FileReport], List[str], Dict[str, str]]:
        """(reports answered from the cache, paths to check, path -> key)."""
        hits: Dict[str, FileReport] = {}
        misses: List[str] = []
        keys: Dict[str, str] = {}
        for path in paths:
            key = _key(path)
            if key is None:
                misses.append(path)
                continue
            keys[path] = key
            entry = self.entries.get(key)
            report = _report_from(path, entry) if entry is not None else None
            if report is None:
                misses.append(path)
            else:
                hits[path] = report
                self.used[key] = entry
        return hits, misses, keys

    def store(self, key: str, report: FileReport) -> None:
        if report.internal_errors:
            return  # a crash is not a result
        self.used[key] = [report.error, [_finding_to_json(f) for f in report.findings], list(report.warnings)]

    def save(self) -> None:
        """Keep what this run used (entries of deleted or changed files go)."""
        if self.used == self.entries:
            return
        try:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            ignore = os.path.join(self.directory, ".gitignore")
            if not os.path.exists(ignore):
                with open(ignore, "w", encoding="utf-8") as handle:
                    handle.write("# Created by mongolint.\n*\n")
            handle, temporary = tempfile.mkstemp(dir=os.path.dirname(self.path), suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump({"format": _FORMAT, "entries": self.used}, stream)
            os.replace(temporary, self.path)
        except OSError:
            pass


def _key(path: str) -> Optional[str]:
    try:
        with open(path, "rb") as handle:
            content = handle.read()
    except OSError:
        return None
    digest = hashlib.blake2b(content, digest_size=16)
    digest.update(b"\0" + os.path.abspath(path).encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def _finding_to_json(finding: Finding) -> dict:
    data = asdict(finding)
    data.pop("path")
    if finding.fix is not None:
        data["fix"] = {"description": finding.fix.description, "applicability": finding.fix.applicability.value,
                       "edits": [[list(e.start), list(e.end), e.content] for e in finding.fix.edits]}
    return data


def _report_from(path: str, entry) -> Optional[FileReport]:
    try:
        error, findings, warnings = entry
        report = FileReport(path, error=error, warnings=[str(warning) for warning in warnings])
        for data in findings:
            fix = data.get("fix")
            summary = FixSummary(fix["description"], Applicability(fix["applicability"]), tuple(
                Edit(tuple(start), tuple(end), content) for start, end, content in fix["edits"])) if fix else None
            report.findings.append(Finding(
                path, data["line"], data["column"], data["end_line"], data["end_column"], data["code"],
                data["message"], data["name"], summary))
        return report
    except (TypeError, ValueError, KeyError):
        return None
