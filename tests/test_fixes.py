"""Fixes: snapshots, re-parse, idempotence, and files that must come back intact."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import libcst as cst
import pytest

from fixture_markers import FIXTURES, fixture_selection
from mongolint.config import Settings
from mongolint.engine import check_text
from mongolint.fixes import fix_file, fix_text

SNAPSHOTS = sorted(FIXTURES.glob("MGL[0-9][0-9][0-9].py.fixed"))


def _fixture_of(snapshot: Path) -> Path:
    return snapshot.with_suffix("")


@pytest.mark.parametrize("snapshot", SNAPSHOTS, ids=lambda p: p.name.split(".")[0])
def test_fixes_give_the_snapshot(snapshot):
    fixture = _fixture_of(snapshot)
    settings = Settings(select=fixture_selection(fixture))
    outcome = fix_text(str(fixture), fixture.read_text(encoding="utf-8"), settings, unsafe=True)
    assert not outcome.internal_errors
    assert outcome.text == snapshot.read_text(encoding="utf-8"), (
        f"regenerate with: python -c \"...\" or compare `mongolint --diff --unsafe-fixes --select "
        f"{fixture.stem} {fixture}`")


@pytest.mark.parametrize("snapshot", SNAPSHOTS, ids=lambda p: p.name.split(".")[0])
def test_snapshot_parses_and_keeps_only_unfixable_findings(snapshot):
    fixture = _fixture_of(snapshot)
    settings = Settings(select=fixture_selection(fixture))
    fixed_text = snapshot.read_text(encoding="utf-8")
    cst.parse_module(fixed_text)
    compile(fixed_text, str(snapshot), "exec")
    before = check_text(str(fixture), fixture.read_text(encoding="utf-8"), settings).findings
    after = check_text(str(snapshot), fixed_text, settings).findings
    applied = [f for f in before if f.fix is not None and f.fix.applicability != "display-only"]
    assert applied, "the fixture has no fixable case"
    assert all(f.fix is None or f.fix.applicability == "display-only" for f in after), [
        f for f in after if f.fix is not None]
    assert len(after) <= len(before) - len(applied)


@pytest.mark.parametrize("snapshot", SNAPSHOTS, ids=lambda p: p.name.split(".")[0])
def test_second_fix_changes_nothing(snapshot):
    fixture = _fixture_of(snapshot)
    text = snapshot.read_text(encoding="utf-8")
    again = fix_text(str(snapshot), text, Settings(select=fixture_selection(fixture)), unsafe=True)
    assert again.text == text and not again.applied


BAD = (
    "import pymongo\n"
    "\n"
    "def report(uri):\n"
    "    # the summary\n"
    "    client = pymongo.MongoClient(uri)  # keep this comment\n"
    "    client.shop.orders.find_one()\n"
    "    client.close()\n"
)


def _fix(path: Path, **kwargs):
    return fix_file(str(path), Settings(), unsafe=True, diff_only=False, **kwargs)


def test_crlf_stays_crlf(tmp_path):
    path = tmp_path / "crlf.py"
    path.write_bytes(BAD.replace("\n", "\r\n").encode())
    report = _fix(path)
    data = path.read_bytes()
    assert report.fixed and b"with pymongo.MongoClient(uri) as client:" in data
    assert data.count(b"\r\n") == data.count(b"\n"), "a line lost its CR"


def test_latin1_with_coding_cookie(tmp_path):
    path = tmp_path / "latin.py"
    text = "# -*- coding: latin-1 -*-\n" + BAD.replace("the summary", "résumé")
    path.write_bytes(text.encode("latin-1"))
    _fix(path)
    data = path.read_bytes()
    assert "résumé".encode("latin-1") in data and b"as client:" in data
    data.decode("latin-1")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")


def test_bom_is_kept(tmp_path):
    path = tmp_path / "bom.py"
    path.write_bytes(b"\xef\xbb\xbf" + BAD.encode())
    _fix(path)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and not data.startswith(b"\xef\xbb\xbf\xef\xbb\xbf")
    assert b"as client:" in data


def test_mode_is_kept(tmp_path):
    path = tmp_path / "script.py"
    path.write_text(BAD)
    path.chmod(0o750)
    _fix(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o750 and "as client:" in path.read_text()


def test_read_only_file_is_left_alone(tmp_path):
    path = tmp_path / "locked.py"
    path.write_text(BAD)
    path.chmod(0o444)
    report = _fix(path)
    assert path.read_text() == BAD
    assert report.error and "read-only" in report.error
    assert report.findings, "the findings that remain are still reported"


def test_symlink_target_is_fixed_and_link_kept(tmp_path):
    target = tmp_path / "real.py"
    target.write_text(BAD)
    link = tmp_path / "link.py"
    link.symlink_to(target)
    _fix(link)
    assert link.is_symlink() and "as client:" in target.read_text()


def _cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "mongolint", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


def test_cli_diff_writes_nothing_and_exits_1(tmp_path):
    path = tmp_path / "app.py"
    path.write_text(BAD)
    result = _cli("--diff", str(path), cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "+    with pymongo.MongoClient(uri) as client:  # keep this comment" in result.stdout
    assert path.read_text() == BAD


def test_cli_fix_then_nothing_left(tmp_path):
    path = tmp_path / "app.py"
    path.write_text(BAD)
    first = _cli("--fix", "--show-fixes", str(path), cwd=tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "Fixed 1 finding, 0 remaining." in first.stderr
    assert "fixed MGL102" in first.stderr
    fixed = path.read_text()
    second = _cli("--fix", str(path), cwd=tmp_path)
    assert second.returncode == 0 and path.read_text() == fixed


def test_unsafe_fixes_need_the_flag(tmp_path):
    path = tmp_path / "loop.py"
    source = ("import pymongo\n\ndef load(uri, docs):\n    for doc in docs:\n"
              "        client = pymongo.MongoClient(uri)\n        client.shop.orders.insert_one(doc)\n"
              "        client.close()\n")
    path.write_text(source)
    safe = _cli("--fix", "--select", "MGL103", str(path), cwd=tmp_path)
    assert safe.returncode == 1 and path.read_text() == source
    unsafe = _cli("--fix", "--unsafe-fixes", "--select", "MGL103", str(path), cwd=tmp_path)
    assert unsafe.returncode == 0, unsafe.stdout + unsafe.stderr
    assert path.read_text().index("MongoClient(uri)") < path.read_text().index("for doc in docs")


def test_a_fix_that_would_drop_a_comment_is_refused(monkeypatch):
    from mongolint import fixes

    real_apply = fixes._apply
    monkeypatch.setattr(fixes, "_apply", lambda analysis, chosen: real_apply(
        analysis, chosen).replace("  # keep this comment", ""))
    outcome = fixes.fix_text("x.py", BAD, Settings(), unsafe=True)
    assert outcome.text == BAD and not outcome.internal_errors and not outcome.applied
    assert any("fix not applied" in note and "drop the comment" in note for note in outcome.notes), outcome.notes


ASYNC_SUITE = (
    "import pymongo\n"
    "\n"
    "async def test_end(client, doc):\n"
    "    s = client.start_session()\n"
    "    await client.db.c.insert_one(doc, session=s)\n"
    "    await s.end_session()\n"
    "\n"
    "async def test_transaction(client, doc):\n"
    "    s = client.start_session()\n"
    "    await s.start_transaction()\n"
    "    await client.db.c.insert_one(doc, session=s)\n"
)


def test_awaited_session_of_a_pymongo_only_module_is_not_taken_for_sync():
    """Cause 4: an awaited release or start says the object is async: no sync
    `with` fix, no MGL301 "of the synchronous driver" finding."""
    report = check_text("t.py", ASYNC_SUITE, Settings())
    assert {f.code for f in report.findings} == {"MGL101", "MGL201"}, report.findings
    assert all(f.fix is None for f in report.findings)
    assert fix_text("t.py", ASYNC_SUITE, Settings(), unsafe=True).text == ASYNC_SUITE


def test_a_refused_fix_is_a_note_and_the_exit_follows_the_findings(tmp_path):
    """Cause 11: a fix the compile check refuses is "fix not applied", not an
    internal error (exit 2 failed the mongolint-fix hook); the other fixes of
    the file are still applied."""
    path = tmp_path / "app.py"
    path.write_text(BAD + "\n\nasync def later(uri):\n    client = pymongo.AsyncMongoClient(uri)\n"
                    "    await client.shop.orders.find_one()\n")
    script = ("import sys, runpy\n"
              "from mongolint import fixes\n"
              "real = fixes._apply\n"
              "def broken(analysis, chosen):\n"
              "    text = real(analysis, chosen)\n"
              "    breaks = any('async' in d.fix.description for d in chosen)\n"
              "    return text.replace('async with', 'with async') if breaks else text\n"
              "fixes._apply = broken\n"
              "sys.argv = ['mongolint', '--fix', sys.argv[1]]\n"
              "runpy.run_module('mongolint', run_name='__main__')\n")
    result = subprocess.run([sys.executable, "-c", script, str(path)], cwd=tmp_path, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "note: fix not applied: MGL102" in result.stderr and "internal error" not in result.stderr
    fixed = path.read_text()
    assert "with pymongo.MongoClient(uri) as client:" in fixed and "client = pymongo.AsyncMongoClient" in fixed


NESTED_LOOPS = 12


def _client_in_nested_loops(depth: int) -> str:
    lines = ["import pymongo", "", "def run(uri, items):"]
    for level in range(depth):
        lines.append("    " * (level + 1) + f"for i{level} in items:")
    body = "    " * (depth + 1)
    lines += [body + "client = pymongo.MongoClient(uri)", body + "client.db.c.insert_one({})",
              body + "client.close()"]
    return "\n".join(lines) + "\n"


def test_fix_goes_on_while_the_text_changes():
    """Cause 10: a client in 12 nested loops is hoisted one level per pass; the
    passes go on (ten used to stop half-way, so a second --fix changed the file)."""
    text = _client_in_nested_loops(NESTED_LOOPS)
    settings = Settings(select=("MGL103",))
    outcome = fix_text("loops.py", text, settings, unsafe=True)
    assert outcome.applied == [("MGL103", "build the client once, before the loop")], "one finding, fixed once"
    assert not outcome.notes, outcome.notes
    assert outcome.text.index("MongoClient(uri)") < outcome.text.index("for i0 in items")
    again = fix_text("loops.py", outcome.text, settings, unsafe=True)
    assert again.text == outcome.text


def test_a_pass_bound_is_said():
    text = _client_in_nested_loops(3)
    outcome = fix_text("loops.py", text, Settings(select=("MGL103",)), unsafe=True, time_budget=0.0)
    assert len(outcome.applied) == 1
    assert any("stopped after 1 pass" in note and "run --fix again" in note for note in outcome.notes)


def test_findings_a_fix_moves_are_reported(monkeypatch):
    """Cause 9: after the fixes, the findings are checked again; one that a fix
    created, or made disappear without fixing it, is reported."""
    from mongolint import fixes

    real_apply = fixes._apply
    source = BAD + "\n\ndef other(uri):\n    return pymongo.MongoClient(uri).shop.name\n"
    monkeypatch.setattr(fixes, "_apply", lambda analysis, chosen: real_apply(
        analysis, chosen).replace("    return pymongo.MongoClient(uri).shop.name\n", "    return 'shop'\n"))
    outcome = fixes.fix_text("x.py", source, Settings(), unsafe=True)
    assert outcome.applied == [("MGL102", "manage the client with `with`")]
    assert any("1 MGL102 finding disappeared without being fixed" in note for note in outcome.notes), outcome.notes


TRANSACTION_THEN_WRITE = (
    "from pymongo import MongoClient\n"
    "\n"
    "client = MongoClient()\n"
    "orders = client.shop.orders\n"
    "\n"
    "def place(doc, event):\n"
    "    with client.start_session() as s:\n"
    "        s.start_transaction()\n"
    "        orders.insert_one(doc, session=s)\n"
    "        orders.insert_one(event)\n"
)


def test_the_transaction_fix_keeps_the_writes_mgl202_sees():
    """Cause 9: MGL201's `with` used to end at the last use of `s`, leaving the
    write without `session=` outside: its MGL202 vanished unfixed ("Fixed 1
    finding, 0 remaining")."""
    settings = Settings(select=("MGL201", "MGL202"))
    outcome = fix_text("t.py", TRANSACTION_THEN_WRITE, settings, unsafe=True)
    assert "            orders.insert_one(event" in outcome.text, outcome.text
    assert not [n for n in outcome.notes if "disappeared" in n], outcome.notes
    assert [c for c, _ in outcome.applied] == ["MGL201", "MGL202"]


def test_form_feeds_survive_an_unrelated_fix():
    """Cause 12: LibCST drops a form feed before a statement on its line; the
    fix puts back the ones on lines it did not touch."""
    text = "\f" + BAD.replace("\ndef report", "\n\fdef report")
    outcome = fix_text("x.py", text, Settings(), unsafe=False)
    assert outcome.applied
    assert outcome.text.startswith("\fimport pymongo\n") and "\n\fdef report(uri):\n" in outcome.text


def test_a_display_only_fix_is_shown_and_never_applied(tmp_path):
    path = tmp_path / "app.py"
    source = ("from pymongo import MongoClient\n\nasync def load(client: MongoClient):\n"
              "    return await client.shop.orders.find_one({})\n")
    path.write_text(source)
    result = _cli("--fix", "--unsafe-fixes", "--show-fixes", str(path), cwd=tmp_path)
    assert result.returncode == 1 and path.read_text() == source
    assert "suggestion for MGL301 (not applied): remove `await`" in result.stderr, result.stderr


def test_a_fixed_finding_does_not_make_its_neighbour_look_vanished():
    source = ("import pymongo\n\ndef report(uri):\n    client = pymongo.MongoClient(uri)\n"
              "    client.shop.orders.find_one()\n    pymongo.MongoClient(uri).admin.command('ping')\n")
    outcome = fix_text("x.py", source, Settings(), unsafe=False)
    assert outcome.applied == [("MGL102", "manage the client with `with`")]
    assert not outcome.notes, outcome.notes
