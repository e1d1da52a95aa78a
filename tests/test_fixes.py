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
    assert any(f.fix is not None for f in before), "the fixture has no fixable case"
    assert all(f.fix is None for f in after), [f for f in after if f.fix is not None]
    assert len(after) <= len([f for f in before if f.fix is None])


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
    monkeypatch.setattr(fixes, "_apply", lambda module, chosen: real_apply(module, chosen).replace(
        "  # keep this comment", ""))
    outcome = fixes.fix_text("x.py", BAD, Settings(), unsafe=True)
    assert outcome.text == BAD and outcome.internal_errors
    assert "drop the comment" in outcome.internal_errors[0]
