"""`--format json`: one JSON array, one object per finding.

Schema (all positions 1-based; `end_location` is exclusive):

    [
      {
        "code": "MGL101",
        "name": "session-not-ended",
        "message": "...",
        "filename": "src/app.py",            # the path as mongolint reports it
        "location": {"row": 12, "column": 15},
        "end_location": {"row": 12, "column": 37},
        "fix": null | {
          "applicability": "safe" | "unsafe" | "display-only",
          "message": "...",                  # what the fix does
          "edits": [{"content": "...", "location": {...}, "end_location": {...}}]
        },
        "url": "https://.../docs/rules/MGL101.md"   # null for MGL000 (syntax error)
      }
    ]

Files that could not be read are not findings: they are reported on stderr.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Sequence, TextIO

from mongolint.rule_pages import rule_url
from mongolint.output.names import ascii_only, without_undecodable_bytes


def location(row: int, column: int) -> Dict[str, int]:
    return {"row": row, "column": column}


def finding_object(finding) -> Dict[str, Any]:
    return {
        "code": finding.code,
        "name": finding.name,
        "message": finding.message,
        "filename": without_undecodable_bytes(finding.path),
        "location": location(finding.line, finding.column),
        "end_location": location(finding.end_line, finding.end_column),
        "fix": fix_object(finding.fix),
        "url": finding_url(finding.code),
    }


def fix_object(fix) -> Optional[Dict[str, Any]]:
    if fix is None:
        return None
    edits: List[Dict[str, Any]] = [
        {"content": edit.content, "location": location(*edit.start), "end_location": location(*edit.end)}
        for edit in fix.edits
    ]
    applicability = getattr(fix.applicability, "value", fix.applicability)
    return {"applicability": applicability, "message": fix.description, "edits": edits}


def finding_url(code: str) -> Optional[str]:
    from mongolint.rules import RULES_BY_CODE

    return rule_url(code) if code in RULES_BY_CODE else None


def write_json(reports: Sequence, stream: TextIO, options) -> None:
    objects = [finding_object(finding) for report in reports for finding in report.findings]
    json.dump(objects, stream, indent=2, ensure_ascii=ascii_only(stream))
    stream.write("\n")


def write_json_lines(reports: Sequence, stream: TextIO, options) -> None:
    """`--format json-lines`: the `json` objects, one a line."""
    for report in reports:
        for finding in report.findings:
            stream.write(json.dumps(finding_object(finding), ensure_ascii=ascii_only(stream)) + "\n")
