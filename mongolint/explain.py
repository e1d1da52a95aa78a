"""`mongolint rule MGL101` and `mongolint rule --all`: a rule's page, or every rule."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Dict, Optional, Sequence

from mongolint.rule_pages import DOCS_DIRECTORIES, PageError, RulePage, load_page, load_text, rule_url


# --- the `mongolint rule` command -------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mongolint rule",
                                     description="Print a rule's page, or every rule's page.")
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("code", nargs="?", metavar="CODE", help="a rule code, such as MGL101")
    target.add_argument("--all", action="store_true", help="every rule's page, in code order")
    parser.add_argument("--output-format", "--format", dest="format", choices=("text", "json"), default="text",
                        help="text: the pages as markdown; json: one object per rule")
    return parser


def main(argv: Sequence[str], stdout=None, stderr=None) -> int:
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    args = build_parser().parse_args(list(argv))
    known = _known_codes()
    codes = list(known) if args.all else [args.code.upper()]
    if codes[0] not in known:
        print(f"mongolint: error: unknown rule code `{args.code}` (known: {', '.join(known)})", file=stderr)
        return 2
    pages = {code: load_text(code) for code in codes}
    missing = [code for code, text in pages.items() if text is None]
    if missing:
        where = " or ".join(str(d) for d in DOCS_DIRECTORIES)
        print(f"mongolint: error: no documentation page for {', '.join(missing)} (looked in {where}); "
              f"see {rule_url(missing[0])}", file=stderr)
        return 2
    if args.format == "json":
        objects = [_rule_object(code, known[code], text) for code, text in pages.items()]
        json.dump(objects if args.all else objects[0], stdout, indent=2, ensure_ascii=False)
        stdout.write("\n")
    else:
        stdout.write("\n".join(text if text.endswith("\n") else text + "\n" for text in pages.values()))
    return 0


def _known_codes() -> Dict[str, str]:
    """Code -> name of every rule and of MGL000 (syntax errors), in code order."""
    from mongolint.rules import ALL_RULES, SYNTAX_ERROR_CODE, SYNTAX_ERROR_NAME

    known = {SYNTAX_ERROR_CODE: SYNTAX_ERROR_NAME}
    known.update((rule.code, rule.name) for rule in sorted(ALL_RULES, key=lambda rule: rule.code))
    return known


def _rule_object(code: str, name: str, text: str) -> Dict[str, object]:
    page = _page_or_none(code)
    return {"code": code, "name": name, "fix": page.fix if page else None,
            "default": page.default if page else None, "summary": page.summary if page else "",
            "url": rule_url(code), "explanation": text}


def _page_or_none(code: str) -> Optional[RulePage]:
    try:
        return load_page(code)
    except PageError:
        return None
