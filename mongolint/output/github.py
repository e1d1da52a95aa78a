"""`--format github`: GitHub Actions workflow commands, one annotation per finding.

    ::error file=app.py,line=12,col=15,endLine=12,endColumn=37,title=MGL101 session-not-ended::message

Escaping follows the Actions toolkit (`@actions/core` command.ts): in the message
`%`, CR and LF are percent-encoded; in property values `:` and `,` are too.
"""

from __future__ import annotations

from typing import Sequence, TextIO

from mongolint.output.names import display_path, in_cell


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def command(properties: Sequence[tuple], message: str, kind: str = "error") -> str:
    rendered = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties)
    return f"::{kind} {rendered}::{escape_data(message)}\n"


def write_github(reports: Sequence, stream: TextIO, options) -> None:
    for report in reports:
        if report.error:
            shown = display_path(report.path)
            stream.write(command([("file", shown), ("title", "mongolint")], f"{shown}: {report.error}"))
        for finding in report.findings:
            properties = [
                ("file", display_path(finding.path)), ("line", finding.line), ("col", finding.column),
                ("endLine", finding.end_line), ("endColumn", finding.end_column),
                ("title", f"{finding.code} {finding.name}".strip()),
            ]
            stream.write(command(properties, in_cell(finding) + finding.message))
