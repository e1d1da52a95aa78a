"""Property-based tests: no program makes the linter crash, and fixes always leave
valid code that a second run does not change (docs/reliability.md).

(a) Programs from hypothesmith (Python's grammar, and LibCST's node types),
    prefixed with `import pymongo` so the pre-filter lets them through.
(b) Programs from `program_generator`, composed from driver-using snippets.

The example budget is fixed and derandomized so the file stays within about a
minute on two cores and every run tries the same programs.
"""

from __future__ import annotations

import importlib.util
import io
import tokenize
from collections import Counter

import hypothesmith
import libcst as cst
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from mongolint import engine, noqa
from mongolint.config import Settings
from program_generator import programs

pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning", "ignore::DeprecationWarning")
ALL_RULES = Settings(select=("ALL",))
FUZZ = settings(deadline=None, derandomize=True, database=None, print_blob=True,
                suppress_health_check=list(HealthCheck))
HAS_FIXES = importlib.util.find_spec("mongolint.fixes") is not None


def check_never_crashes(text: str) -> engine.FileReport:
    report = engine.check_text("fuzz.py", text, ALL_RULES)
    assert report.internal_errors == [], (report.internal_errors, text)
    lines = text.splitlines() or [""]
    for finding in report.findings:
        assert 1 <= finding.line <= len(lines) + 1, (finding, text)
        assert finding.column >= 1
    return report


def _with_driver(code: str) -> str:
    return "import pymongo\n" + code


def _compiles(text: str) -> bool:
    try:
        compile(text, "fuzz.py", "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return False
    return True


# -- (a) hypothesmith ---------------------------------------------------------------

@settings(FUZZ, max_examples=150)
@given(hypothesmith.from_grammar())
def test_grammar_programs_never_crash(code):
    report = check_never_crashes(_with_driver(code))
    if _compiles(_with_driver(code)):
        assert all(f.code != "MGL000" for f in report.findings), report.findings


@settings(FUZZ, max_examples=50)
@given(hypothesmith.from_node(cst.Module))
def test_libcst_node_programs_never_crash(code):
    check_never_crashes(_with_driver(code))


# -- (b) generated driver programs ---------------------------------------------------

@settings(FUZZ, max_examples=150)
@given(programs())
@example("import pymongo\n\ndef f(items):\n    for i in items:\n        c = pymongo.MongoClient()\n")
def test_driver_programs_never_crash(program):
    assert _compiles(program), program  # the generator writes valid Python only
    report = check_never_crashes(program)
    assert report.parsed
    assert all(f.code != "MGL000" for f in report.findings), report.findings


def _comments(text: str):
    tokens = tokenize.generate_tokens(io.StringIO(text).readline)
    return sorted(t.string for t in tokens if t.type == tokenize.COMMENT)


def _lost_comments(program: str, fixed: str, applied) -> list:
    """Comments of `program` that `fixed` does not keep. MGL001's fix removes
    `# noqa` directives on purpose: a comment that held one is not lost when
    that fix ran and the rest of the comment (if any) is still there."""
    kept = Counter(_comments(fixed))
    missing = Counter(_comments(program)) - kept
    removes_noqa = any(code == "MGL001" for code, _ in applied)
    return [comment for comment in missing.elements() if not (removes_noqa and _rest_kept(comment, kept))]


def _rest_kept(comment: str, kept) -> bool:
    rest = _without_noqa(comment)
    return rest is not None and all(any(part in other for other in kept) for part in rest)


def _without_noqa(comment: str):
    """The parts of `comment` around its `# noqa` directives (None: it has none)."""
    directives = list(noqa.suppressions(comment).directives())
    if not directives:
        return None
    parts, position = [], 0
    for directive in sorted(directives, key=lambda d: d.start):
        parts.append(comment[position:directive.start])
        position = directive.end
    parts.append(comment[position:])
    return [part.strip(" #") for part in parts if part.strip(" #")]


@pytest.mark.skipif(not HAS_FIXES, reason="mongolint/fixes.py (the fix machinery) does not exist yet")
@settings(FUZZ, max_examples=60)
@given(programs(), st.sampled_from(["", "  # keep me\n", "# noqa: MGL999\n"]))
def test_fixes_leave_valid_code_with_nothing_left_to_fix_and_are_stable(program, comment):
    from mongolint import fixes

    program = program.replace("\n", "\n" + comment, 1) if comment else program
    outcome = fixes.fix_text("fuzz.py", program, ALL_RULES, unsafe=True)
    assert outcome.internal_errors == [], (outcome.internal_errors, program)
    fixed = outcome.text
    assert _compiles(fixed), (program, fixed)
    cst.parse_module(fixed)
    # Fixes never lose a comment (MGL001 removes unused `# noqa` directives on purpose).
    assert _lost_comments(program, fixed, outcome.applied) == [], (program, fixed)
    # None of the fixable findings is left, and fixing again changes nothing.
    report = check_never_crashes(fixed)
    applicable = [f for f in report.findings if f.fix is not None and f.fix.applicability != "display-only"]
    assert applicable == [], (program, fixed)
    again = fixes.fix_text("fuzz.py", fixed, ALL_RULES, unsafe=True)
    assert again.text == fixed and again.applied == [], (fixed, again.text)
    if outcome.applied:
        assert fixed != program


@pytest.mark.skipif(not HAS_FIXES, reason="mongolint/fixes.py (the fix machinery) does not exist yet")
@settings(FUZZ, max_examples=15)
@given(programs(), st.sampled_from(["utf-8", "utf-8-sig", "latin-1"]))
def test_fixing_files_keeps_encoding_bom_and_line_endings(tmp_path_factory, program, encoding):
    from mongolint import fixes

    directory = tmp_path_factory.mktemp("fix")
    path = directory / "fuzz.py"
    ending = "\r\n" if "\r\n" in program else "\n"
    header = "# -*- coding: latin-1 -*-" + ending if encoding == "latin-1" else ""
    data = (header + program.replace("import functools", "import functools  # caf\u00e9", 1)).encode(encoding)
    path.write_bytes(data)
    path.chmod(0o640)
    fixes.fix_file(str(path), ALL_RULES, unsafe=True, diff_only=False)
    after = path.read_bytes()
    assert (path.stat().st_mode & 0o777) == 0o640
    text = after.decode(encoding)
    assert _compiles(after)
    assert "caf\u00e9" in text
    assert after.startswith(b"\xef\xbb\xbf") == data.startswith(b"\xef\xbb\xbf")
    assert ("\r\n" in text) == ("\r\n" in program)
    if "\r\n" in program:
        assert "\n" not in text.replace("\r\n", "")
    assert [p.name for p in directory.iterdir()] == ["fuzz.py"]  # no temporary file left
