"""The formats a ruff user reaches for: full (with source), grouped, concise with
`[*]`, the closing summary, json-lines, junit, gitlab, rdjson, pylint; real edits
in JSON fixes; colour, --quiet and --silent."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys

import junitparser
import libcst as cst
import pytest

SESSION_LEAK = ("from pymongo import MongoClient\n\nclient = MongoClient()\n\n\ndef archive(order_id):\n"
                "    session = client.start_session()\n"
                "    client.shop.orders.find_one({'_id': order_id}, session=session)\n")
# MGL202's fix is unsafe; MGL303 has none.
UNSAFE_AND_NONE = ("import pymongo\n\nclient = pymongo.MongoClient()\n\n\ndef move(s: pymongo.client_session.ClientSession):\n"
                   "    with s.start_transaction():\n        client.shop.orders.insert_one({})\n\n\n"
                   "async def read(coll: pymongo.collection.Collection):\n    return coll.find_one({})\n")


def mongolint(*args, cwd, env=None):
    return subprocess.run([sys.executable, "-m", "mongolint", "--no-cache", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120, env={**os.environ, **(env or {})})


@pytest.fixture
def project(tmp_path):
    (tmp_path / "orders.py").write_text(SESSION_LEAK)
    (tmp_path / "mixed.py").write_text(UNSAFE_AND_NONE)
    (tmp_path / "clean.py").write_text("x = 1\n")
    return tmp_path


def test_default_format_shows_the_source_in_a_pipe_and_ends_with_a_summary(project):
    out = mongolint("orders.py", cwd=project).stdout
    assert "     7 |     session = client.start_session()\n" in out
    assert "       |               ^^^^^^^^^^^^^^^^^^^^^^\n" in out
    assert out.endswith("Found 1 error.\n[*] 1 fixable with the `--fix` option.\n")
    assert mongolint("--format", "full", "orders.py", cwd=project).stdout == out


def test_summary_counts_hidden_fixes_and_marks_only_applicable_ones(project):
    out = mongolint("--format", "concise", "mixed.py", cwd=project).stdout
    assert "[*]" not in out  # MGL202's fix is unsafe: --fix alone would not apply it
    assert out.endswith("Found 2 errors.\nNo fixes available (1 hidden fix can be enabled with the "
                        "`--unsafe-fixes` option).\n")
    unsafe = mongolint("--format", "concise", "--unsafe-fixes", "mixed.py", cwd=project).stdout
    assert re.search(r"MGL202 \[\*\] ", unsafe) and unsafe.endswith("[*] 1 fixable with the `--fix` option.\n")
    assert mongolint("clean.py", cwd=project).stdout == "All checks passed!\n"


def test_fixable_marks_follow_each_files_own_unsafe_fixes_setting(project):
    """A monorepo: `unsafe-fixes = true` in one package's configuration marks
    and counts that package's unsafe fixes, not the others'."""
    (project / "pkg").mkdir()
    (project / "pkg" / "pyproject.toml").write_text("[tool.mongolint]\nunsafe-fixes = true\n")
    (project / "pkg" / "mixed.py").write_text(UNSAFE_AND_NONE)
    out = mongolint("--format", "concise", "mixed.py", "pkg/mixed.py", cwd=project).stdout
    assert re.search(r"^pkg/mixed\.py:\d+:\d+: MGL202 \[\*\] ", out, re.M), out
    assert re.search(r"^mixed\.py:\d+:\d+: MGL202 [^[]", out, re.M), out
    assert out.endswith("Found 4 errors.\n[*] 1 fixable with the `--fix` option (1 hidden fix can be enabled "
                        "with the `--unsafe-fixes` option).\n")
    fix_only = mongolint("--fix-only", "mixed.py", "pkg/mixed.py", cwd=project)
    assert fix_only.stderr.splitlines()[-1] == ("Fixed 1 finding (1 additional fix available with "
                                                "`--unsafe-fixes`).")


def test_grouped(project):
    out = mongolint("--format", "grouped", "orders.py", "mixed.py", cwd=project).stdout
    assert out.startswith("orders.py:\n  7:15 MGL101 [*] session")
    assert "\nmixed.py:\n" in out


def test_quiet_and_silent(project):
    quiet = mongolint("--quiet", "--format", "concise", "orders.py", cwd=project)
    assert quiet.stdout.splitlines()[0].startswith("orders.py:7:15: MGL101") and "Found" not in quiet.stdout
    silent = mongolint("--silent", "orders.py", "missing.py", cwd=project)
    assert (silent.returncode, silent.stdout, silent.stderr) == (2, "", "")
    assert mongolint("--silent", "orders.py", cwd=project).returncode == 1


@pytest.mark.parametrize("env, colored", [({"FORCE_COLOR": "1"}, True), ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
                                          ({}, False)])
def test_colour_in_a_pipe(project, env, colored):
    out = mongolint("orders.py", cwd=project, env=env).stdout
    assert ("\033[" in out) is colored


@pytest.mark.parametrize("term, colored", [("xterm-256color", True), ("dumb", False)])
def test_colour_on_a_terminal(project, term, colored):
    env = {key: value for key, value in os.environ.items() if key not in ("NO_COLOR", "FORCE_COLOR")}
    env["TERM"] = term
    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "mongolint", "--no-cache", "orders.py"], cwd=project,
                               stdout=follower, stderr=subprocess.DEVNULL, env=env)
    os.close(follower)
    output = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed
            break
        if not chunk:
            break
        output += chunk
    process.wait(timeout=120)
    os.close(leader)
    assert (b"\033[" in output) is colored


def test_json_lines(project):
    lines = mongolint("--format", "json-lines", "orders.py", "mixed.py", cwd=project).stdout.splitlines()
    objects = [json.loads(line) for line in lines]
    whole = json.loads(mongolint("--format", "json", "orders.py", "mixed.py", cwd=project).stdout)
    assert objects == whole and len(objects) == 3


def _apply(text: str, edits) -> str:
    lines = text.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))

    def offset(position):
        return offsets[position["row"] - 1] + position["column"] - 1

    for edit in sorted(edits, key=lambda e: offset(e["location"]), reverse=True):
        text = text[:offset(edit["location"])] + edit["content"] + text[offset(edit["end_location"]):]
    return text


def test_json_fix_edits_are_real_edits(project):
    (finding,) = json.loads(mongolint("--format", "json", "orders.py", cwd=project).stdout)
    fixed = _apply(SESSION_LEAK, finding["fix"]["edits"])
    mongolint("--fix", "orders.py", cwd=project)
    assert fixed == (project / "orders.py").read_text()


def test_rdjson_suggestions_apply_like_the_fix(project):
    report = json.loads(mongolint("--format", "rdjson", "orders.py", "mixed.py", cwd=project).stdout)
    assert report["source"]["name"] == "mongolint"
    by_code = {d["code"]["value"]: d for d in report["diagnostics"]}
    assert set(by_code) == {"MGL101", "MGL202", "MGL303"}
    for diagnostic in report["diagnostics"]:
        assert diagnostic["location"]["range"]["start"]["line"] >= 1 and diagnostic["severity"] == "ERROR"
    suggestion = by_code["MGL101"]["suggestions"][0]
    edit = {"content": suggestion["text"],
            "location": {"row": suggestion["range"]["start"]["line"], "column": suggestion["range"]["start"]["column"]},
            "end_location": {"row": suggestion["range"]["end"]["line"], "column": suggestion["range"]["end"]["column"]}}
    cst.parse_module(_apply(SESSION_LEAK, [edit]))
    assert "suggestions" not in by_code["MGL303"]


def test_gitlab_code_quality(project):
    issues = json.loads(mongolint("--format", "gitlab", "orders.py", "mixed.py", cwd=project).stdout)
    assert len(issues) == 3
    for issue in issues:  # the fields GitLab's Code Quality report requires
        assert set(issue) >= {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["severity"] in ("info", "minor", "major", "critical", "blocker")
        assert isinstance(issue["location"]["lines"]["begin"], int) and issue["location"]["path"]
    assert len({issue["fingerprint"] for issue in issues}) == 3
    # A fingerprint does not move with the line: a line added above keeps it.
    (project / "orders.py").write_text("# a new first line\n" + SESSION_LEAK)
    again = json.loads(mongolint("--format", "gitlab", "orders.py", "mixed.py", cwd=project).stdout)
    assert {i["fingerprint"] for i in again} == {i["fingerprint"] for i in issues}


def test_junit_reads_as_a_junit_report(project, tmp_path):
    report = tmp_path / "report.xml"
    mongolint("--format", "junit", "-o", str(report), "orders.py", "mixed.py", cwd=project)
    xml = junitparser.JUnitXml.fromfile(str(report))
    cases = [case for suite in xml for case in suite]
    assert len(cases) == 3 and all(not case.is_passed for case in cases)
    assert {case.name for case in cases} == {"org.mongolint.MGL101", "org.mongolint.MGL202", "org.mongolint.MGL303"}
    clean = tmp_path / "clean.xml"
    mongolint("--format", "junit", "-o", str(clean), "clean.py", cwd=project)
    cases = [case for suite in junitparser.JUnitXml.fromfile(str(clean)) for case in suite]
    assert len(cases) == 1 and cases[0].is_passed


def test_pylint(project):
    out = mongolint("--format", "pylint", "orders.py", cwd=project).stdout
    assert out == ("orders.py:7: [MGL101] session from `start_session()` is never ended; use "
                   "`with ... start_session() as session:`\n")
