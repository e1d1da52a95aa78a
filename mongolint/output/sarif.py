"""`--format sarif`: SARIF 2.1.0, the format GitHub code scanning uploads.

One run. `tool.driver.rules` has one descriptor per rule (every rule mongolint
has, plus MGL000 when a file did not parse), with the rule's documentation page
as help text. Result locations are relative to the working directory
(`%SRCROOT%`), with forward slashes; columns count Unicode code points and
`endColumn` is exclusive, as SARIF's regions are.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, TextIO
from urllib.parse import quote

from mongolint import __version__, rule_pages
from mongolint.output.names import ascii_only, display_path, in_cell

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
LEVEL = "error"

_SYNTAX_ERROR = {
    "id": "MGL000",
    "name": "syntax-error",
    "shortDescription": {"text": "The file could not be parsed, so it was not checked."},
    "fullDescription": {"text": "mongolint could not parse the file with LibCST, so no rule ran on it."},
    "help": {"text": "Fix the syntax error; until then nothing in the file is checked.",
             "markdown": "Fix the syntax error; until then nothing in the file is checked."},
    "defaultConfiguration": {"level": LEVEL},
}


def rule_descriptor(rule) -> Dict[str, Any]:
    page = _page(rule.code)
    summary = page.summary if page and page.summary else rule.name
    full = page.sections.get("What it does", summary) if page else summary
    markdown = page.text if page else f"See {rule_pages.rule_url(rule.code)}."
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": summary},
        "fullDescription": {"text": full, "markdown": full},
        "help": {"text": markdown, "markdown": markdown},
        "helpUri": rule_pages.rule_url(rule.code),
        "defaultConfiguration": {"level": LEVEL, "enabled": bool(rule.enabled_by_default)},
        "properties": {"fix": rule_pages.fix_availability(rule)},
    }


def _page(code: str) -> Optional[rule_pages.RulePage]:
    try:
        return rule_pages.load_page(code)
    except rule_pages.PageError:
        return None


def artifact_uri(path: str, root: str) -> Dict[str, str]:
    """Relative (to `root`) with forward slashes when the file is under `root`,
    an absolute file URI otherwise."""
    absolute = os.path.abspath(path)
    relative = os.path.relpath(absolute, root) if _is_under(absolute, root) else None
    if relative is not None:
        return {"uri": quote(os.fsencode(Path(relative).as_posix())), "uriBaseId": SRCROOT}  # the bytes, as in a URI
    return {"uri": Path(absolute).as_uri()}


def _is_under(path: str, root: str) -> bool:
    return (path + os.sep).startswith(root.rstrip(os.sep) + os.sep)


def result(finding, rule_index: Dict[str, int], root: str) -> Dict[str, Any]:
    region = {"startLine": finding.line, "startColumn": finding.column,
              "endLine": finding.end_line, "endColumn": finding.end_column}
    entry: Dict[str, Any] = {
        "ruleId": finding.code,
        "level": LEVEL,
        "message": {"text": in_cell(finding) + finding.message},
        "locations": [{"physicalLocation": {"artifactLocation": artifact_uri(finding.path, root),
                                            "region": region}}],
    }
    if finding.code in rule_index:
        entry["ruleIndex"] = rule_index[finding.code]
    return entry


def sarif_log(reports: Sequence, root: Optional[str] = None) -> Dict[str, Any]:
    from mongolint.rules import ALL_RULES

    root = os.path.abspath(root or os.getcwd())
    findings = [finding for report in reports for finding in report.findings]
    rules: List[Dict[str, Any]] = [rule_descriptor(rule) for rule in ALL_RULES]
    if any(finding.code == _SYNTAX_ERROR["id"] for finding in findings):
        rules.append(dict(_SYNTAX_ERROR))
    rule_index = {rule["id"]: index for index, rule in enumerate(rules)}
    notifications = [
        {"level": "error", "message": {"text": f"{display_path(report.path)}: {problem}"},
         "locations": [{"physicalLocation": {"artifactLocation": artifact_uri(report.path, root)}}]}
        for report in reports for problem in ([report.error] if report.error else []) + report.internal_errors
    ]
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "mongolint", "version": __version__, "semanticVersion": __version__,
                                "informationUri": rule_pages.REPOSITORY_URL, "rules": rules}},
            "invocations": [{"executionSuccessful": not notifications,
                             "toolExecutionNotifications": notifications}],
            "originalUriBaseIds": {SRCROOT: {"uri": _directory_uri(root)}},
            "columnKind": "unicodeCodePoints",
            "results": [result(finding, rule_index, root) for finding in findings],
        }],
    }


def _directory_uri(root: str) -> str:
    uri = Path(root).as_uri()
    return uri if uri.endswith("/") else uri + "/"


def write_sarif(reports: Sequence, stream: TextIO, options) -> None:
    json.dump(sarif_log(reports), stream, indent=2, ensure_ascii=ascii_only(stream))
    stream.write("\n")
