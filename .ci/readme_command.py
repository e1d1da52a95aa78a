"""Print one of README.md's two set-up commands: `example` or `test`.

They are the shell blocks right after the lines that start "Run it on the bundled example"
and "Run the test suite"; CI runs the second one so the README cannot drift.
"""

import re
import sys

LEADS = {"example": "Run it on the bundled example", "test": "Run the test suite"}


def command(which: str, readme: str) -> str:
    lead = re.escape(LEADS[which])
    match = re.search(lead + r"[^\n]*\n\s*```(?:sh|bash|console)?\n(.+?)\n```", readme, re.DOTALL)
    if match is None:
        raise SystemExit(f"README.md has no command after {LEADS[which]!r}")
    return match.group(1).strip()


if __name__ == "__main__":
    with open(sys.argv[2], encoding="utf-8") as handle:
        print(command(sys.argv[1], handle.read()))
