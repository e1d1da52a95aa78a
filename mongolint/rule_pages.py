"""Rule pages: each rule's documentation and metadata, as the `rule` command and
the output formats (SARIF's rule descriptors, JSON's `url`) use them.

The one source of a rule's documentation is its page, `docs/rules/<CODE>.md`. A
wheel ships the pages as `mongolint/_rule_docs/` (pyproject.toml force-includes
them); a source or editable checkout reads them from `<repo>/docs/rules`.

A page starts with `# MGL101: session-not-ended`, then a one-row metadata table
`| Code | Name | Fix | Default |`, a one-sentence summary, and `## ` sections.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence

# The project's repository: the one place its address is written down.
REPOSITORY_URL = "https://github.com/mongolint/mongolint"
RULE_DOCS_URL = REPOSITORY_URL + "/blob/main/docs/rules/{code}.md"

_PACKAGE = Path(__file__).resolve().parent
DOCS_DIRECTORIES = (_PACKAGE / "_rule_docs", _PACKAGE.parent / "docs" / "rules")
METADATA_COLUMNS = ("Code", "Name", "Fix", "Default")
REQUIRED_SECTIONS = ("What it does", "Why is this bad?", "Example", "Fix safety")

_TITLE = re.compile(r"^# (?P<code>MGL\d+): (?P<name>[a-z0-9-]+)\s*$")


class PageError(Exception):
    """A rule page that does not have the expected shape."""


@dataclass(frozen=True)
class RulePage:
    code: str
    name: str
    fix: str  # safe, unsafe or none
    default: str  # on or off
    summary: str  # the sentence after the table
    text: str  # the whole page, markdown
    sections: Dict[str, str]  # `## ` heading -> its markdown body

    @property
    def url(self) -> str:
        return rule_url(self.code)


def rule_url(code: str) -> str:
    return RULE_DOCS_URL.format(code=code)


def page_path(code: str) -> Optional[Path]:
    """Where `code`'s page is: the packaged copy first, then the source tree."""
    for directory in DOCS_DIRECTORIES:
        candidate = directory / f"{code}.md"
        if candidate.is_file():
            return candidate
    return None


def load_text(code: str) -> Optional[str]:
    path = page_path(code.upper())
    return path.read_text(encoding="utf-8") if path is not None else None


def load_page(code: str) -> Optional[RulePage]:
    """The parsed page of `code`, or None when there is no page."""
    text = load_text(code)
    return parse_page(text, f"{code.upper()}.md") if text is not None else None


def parse_page(text: str, origin: str = "rule page") -> RulePage:
    lines = text.splitlines()
    title = _TITLE.match(lines[0]) if lines else None
    if title is None:
        raise PageError(f"{origin}: the first line must be `# MGLnnn: rule-name`")
    metadata = _metadata(lines, origin)
    if metadata["Code"] != title["code"] or metadata["Name"] != title["name"]:
        raise PageError(f"{origin}: the title says {title['code']} {title['name']} but the table says "
                        f"{metadata['Code']} {metadata['Name']}")
    return RulePage(code=metadata["Code"], name=metadata["Name"], fix=metadata["Fix"],
                    default=metadata["Default"], summary=_summary(lines), text=text,
                    sections=_sections(lines))


def _metadata(lines: Sequence[str], origin: str) -> Dict[str, str]:
    rows = [_cells(line) for line in lines[1:8] if line.startswith("|")]
    if len(rows) < 3 or tuple(rows[0]) != METADATA_COLUMNS:
        raise PageError(f"{origin}: expected the table `| {' | '.join(METADATA_COLUMNS)} |` "
                        "with one row under the title")
    values = dict(zip(METADATA_COLUMNS, rows[2]))
    if values.get("Fix") not in ("safe", "unsafe", "none"):
        raise PageError(f"{origin}: Fix must be safe, unsafe or none, not {values.get('Fix')!r}")
    if values.get("Default") not in ("on", "off"):
        raise PageError(f"{origin}: Default must be on or off, not {values.get('Default')!r}")
    return values


def _cells(line: str) -> List[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _summary(lines: Sequence[str]) -> str:
    """The first paragraph after the metadata table, joined into one line."""
    index = 1
    while index < len(lines) and (not lines[index].strip() or lines[index].startswith("|")):
        index += 1
    paragraph = []
    while index < len(lines) and lines[index].strip() and not lines[index].startswith("#"):
        paragraph.append(lines[index].strip())
        index += 1
    return " ".join(paragraph)


def _sections(lines: Sequence[str]) -> Dict[str, str]:
    sections: Dict[str, List[str]] = {}
    current: Optional[List[str]] = None
    fenced = False
    for line in lines:
        if line.startswith("```"):
            fenced = not fenced
        if not fenced and line.startswith("## "):
            current = sections.setdefault(line[3:].strip(), [])
        elif current is not None:
            current.append(line)
    return {heading: "\n".join(body).strip() for heading, body in sections.items()}


def fix_availability(rule) -> str:
    return rule.fix_applicability.value if rule.fix_applicability is not None else "none"
