"""Reports for CI services: `junit` (test reports), `gitlab` (GitLab Code
Quality) and `rdjson` (reviewdog's diagnostic format)."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from typing import Any, Dict, List, Sequence, TextIO
from xml.etree import ElementTree

from mongolint.output.json_format import finding_url
from mongolint.output.names import ascii_only, display_path, in_cell, without_undecodable_bytes


def write_junit(reports: Sequence, stream: TextIO, options) -> None:
    """One test suite a file with findings, one failed test case a finding; a
    clean run is one suite with one passing case (an empty report reads as
    "no tests ran" in most CI services)."""
    findings = [f for report in reports for f in report.findings]
    root = ElementTree.Element("testsuites", name="mongolint", tests=str(max(1, len(findings))),
                               failures=str(len(findings)))
    if not findings:
        suite = ElementTree.SubElement(root, "testsuite", name="mongolint", tests="1", failures="0")
        ElementTree.SubElement(suite, "testcase", name="mongolint", classname="mongolint")
    for report in reports:
        if not report.findings:
            continue
        path = display_path(report.path)  # XML cannot carry control characters
        suite = ElementTree.SubElement(root, "testsuite", name=path, tests=str(len(report.findings)),
                                       failures=str(len(report.findings)))
        for finding in report.findings:
            case = ElementTree.SubElement(suite, "testcase", name=f"org.mongolint.{finding.code}",
                                          classname=path, file=path, line=str(finding.line))
            failure = ElementTree.SubElement(case, "failure", message=in_cell(finding) + finding.message,
                                             type=finding.code)
            failure.text = f"{in_cell(finding)}line {finding.line}, col {finding.column}, {finding.message}"
    ElementTree.indent(root)
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    stream.write(ElementTree.tostring(root, encoding="unicode"))
    stream.write("\n")


def write_gitlab(reports: Sequence, stream: TextIO, options) -> None:
    """GitLab Code Quality: a JSON array of issues with a stable fingerprint (a
    finding keeps its fingerprint when lines above it move)."""
    issues: List[Dict[str, Any]] = []
    seen: Counter = Counter()
    for report in reports:
        for finding in report.findings:
            identity = (finding.path, finding.code, finding.message)
            seen[identity] += 1
            fingerprint = hashlib.sha256("\0".join(identity + (str(seen[identity]),)).encode()).hexdigest()
            issues.append({
                "description": f"{finding.code} {in_cell(finding)}{finding.message}",
                "check_name": finding.code,
                "fingerprint": fingerprint,
                "severity": "major",
                "location": {"path": without_undecodable_bytes(finding.path),
                             "lines": {"begin": finding.line, "end": finding.end_line}},
            })
    json.dump(issues, stream, indent=2, ensure_ascii=ascii_only(stream))
    stream.write("\n")


def write_rdjson(reports: Sequence, stream: TextIO, options) -> None:
    """reviewdog's rdjson: positions 1-based, columns in characters; a fix is a
    suggestion reviewdog can apply."""
    diagnostics = []
    for report in reports:
        for finding in report.findings:
            diagnostic: Dict[str, Any] = {
                "message": in_cell(finding) + finding.message,
                "location": {"path": without_undecodable_bytes(finding.path),
                             "range": _range((finding.line, finding.column),
                                                                   (finding.end_line, finding.end_column))},
                "severity": "ERROR",
                "code": {"value": finding.code},
            }
            url = finding_url(finding.code)
            if url:
                diagnostic["code"]["url"] = url
            if finding.fix is not None and finding.fix.edits:
                diagnostic["suggestions"] = [{"range": _range(edit.start, edit.end), "text": edit.content}
                                             for edit in finding.fix.edits]
            diagnostics.append(diagnostic)
    json.dump({"source": {"name": "mongolint"}, "severity": "ERROR", "diagnostics": diagnostics}, stream,
              indent=2, ensure_ascii=ascii_only(stream))
    stream.write("\n")


def _range(start, end) -> Dict[str, Dict[str, int]]:
    return {"start": {"line": start[0], "column": start[1]}, "end": {"line": end[0], "column": end[1]}}
