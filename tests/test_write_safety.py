"""`--fix` never loses an edit, never writes out of the project through a link
unless asked, fixes each real file once, and keeps what the file was: owner and
group, extended attributes, hard links (docs/reliability.md, "Fixes never lose code")."""

from __future__ import annotations

import errno
import os
import sys

import pytest

from mongolint import cli, fixes, writing
from mongolint.config import Settings

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX links, owners and xattrs")

LEAK = ("from pymongo import MongoClient\n\ndef leak(uri):\n    c = MongoClient(uri)\n"
        "    c.shop.orders.find_one()\n")
FIXED = ("from pymongo import MongoClient\n\ndef leak(uri):\n    with MongoClient(uri) as c:\n"
         "        c.shop.orders.find_one()\n")
EDIT = "\n\ndef added_by_the_user_meanwhile():\n    pass\n"


@pytest.fixture
def project(tmp_path, monkeypatch):
    root = tmp_path / "project"
    root.mkdir()
    (root / "pyproject.toml").write_text("[tool.mongolint]\n")
    monkeypatch.chdir(root)
    return root


def _fix(capsys, *args):
    code = cli.main(["--no-cache", "--fix", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _fix_file(path):
    return fixes.fix_file(str(path), Settings(project_root=str(path.parent)), unsafe=False, diff_only=False)


def _edit_while_fixing(monkeypatch, edit):
    original = fixes.fix_text

    def fix_text_then_edit(path, *args, **kwargs):
        outcome = original(path, *args, **kwargs)
        edit(path)
        return outcome

    monkeypatch.setattr(fixes, "fix_text", fix_text_then_edit)


# -- edits made while --fix runs -----------------------------------------------------

def test_an_edit_made_while_fixing_is_kept(project, monkeypatch):
    target = project / "app.py"
    target.write_text(LEAK)
    _edit_while_fixing(monkeypatch, lambda path: open(path, "a").write(EDIT))
    report = _fix_file(target)
    assert report.error == "not fixed: the file changed while it was being fixed; run again"
    assert target.read_text() == LEAK + EDIT


def test_an_edit_of_the_same_size_and_mtime_is_caught_by_the_content(project, monkeypatch):
    target = project / "app.py"
    target.write_text(LEAK)
    before = os.stat(target)
    edited = LEAK.replace("leak", "lake")

    def same_size_same_mtime(path):
        with open(path, "r+") as handle:
            handle.write(edited)
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))

    _edit_while_fixing(monkeypatch, same_size_same_mtime)
    assert _fix_file(target).error == writing.CHANGED
    assert target.read_text() == edited


def test_a_file_replaced_while_fixing_is_kept(project, monkeypatch):
    target = project / "app.py"
    target.write_text(LEAK)

    def editor_save(path):  # editors write a new file and rename it over the old one
        (project / "new.tmp").write_text(LEAK)
        os.replace(project / "new.tmp", path)

    _edit_while_fixing(monkeypatch, editor_save)
    assert _fix_file(target).error == writing.CHANGED
    assert target.read_text() == LEAK


def test_the_cli_reports_the_changed_file_and_fixes_the_others(project, capsys, monkeypatch):
    (project / "a.py").write_text(LEAK)
    (project / "b.py").write_text(LEAK)
    _edit_while_fixing(monkeypatch, lambda path: os.path.basename(path) == "a.py" and open(path, "a").write(EDIT))
    code, _, err = _fix(capsys, "a.py", "b.py")
    assert "mongolint: a.py: not fixed: the file changed while it was being fixed; run again" in err.splitlines()
    assert (project / "a.py").read_text() == LEAK + EDIT and (project / "b.py").read_text() == FIXED


# -- symbolic links --------------------------------------------------------------------

@pytest.fixture
def outside(tmp_path):
    directory = tmp_path / "outside"
    (directory / "vendor").mkdir(parents=True)
    (directory / "shared.py").write_text(LEAK)
    (directory / "vendor" / "lib.py").write_text(LEAK)
    return directory


def test_fix_does_not_write_through_a_link_out_of_the_project(project, outside, capsys):
    (project / "link.py").symlink_to(outside / "shared.py")
    (project / "vendor").symlink_to(outside / "vendor", target_is_directory=True)
    code, _, err = _fix(capsys, ".")
    assert (outside / "shared.py").read_text() == LEAK and (outside / "vendor" / "lib.py").read_text() == LEAK
    lines = sorted(err.splitlines())
    assert lines[1:] == sorted([
        f"mongolint: link.py: not fixed: a symbolic link leads outside the project, to {outside / 'shared.py'} "
        "(--fix-through-symlinks writes there)",
        f"mongolint: vendor/lib.py: not fixed: a symbolic link leads outside the project, to "
        f"{outside / 'vendor' / 'lib.py'} (--fix-through-symlinks writes there)"])
    assert code == 1 and (project / "link.py").is_symlink()


def test_fix_through_symlinks_writes_there_when_asked(project, outside, capsys):
    (project / "link.py").symlink_to(outside / "shared.py")
    code, _, err = _fix(capsys, "--fix-through-symlinks", "link.py")
    assert (outside / "shared.py").read_text() == FIXED and (project / "link.py").is_symlink()
    assert code == 0


def test_a_link_inside_the_project_is_followed(project, capsys):
    (project / "real.py").write_text(LEAK)
    (project / "alias.py").symlink_to("real.py")
    _fix(capsys, "alias.py")
    assert (project / "real.py").read_text() == FIXED and (project / "alias.py").is_symlink()


@pytest.mark.parametrize("how", ["symlink", "hard link"])
def test_a_file_reached_by_two_paths_is_fixed_and_counted_once(project, capsys, how):
    (project / "a.py").write_text(LEAK)
    if how == "symlink":
        (project / "b.py").symlink_to("a.py")
    else:
        os.link(project / "a.py", project / "b.py")
    code, _, err = _fix(capsys, "--show-fixes", ".")
    assert err.splitlines()[-1] == "Fixed 1 finding, 0 remaining."
    assert len([line for line in err.splitlines() if ": fixed MGL" in line]) == 1
    assert (project / "a.py").read_text() == FIXED


# -- what the file was ---------------------------------------------------------------------

@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="only root can give a file away")
def test_owner_and_group_are_kept(project):
    target = project / "app.py"
    target.write_text(LEAK)
    os.chown(target, 65534, 65534)
    assert _fix_file(target).error is None
    status = os.stat(target)
    assert (status.st_uid, status.st_gid) == (65534, 65534) and target.read_text() == FIXED


def test_extended_attributes_are_kept(project):
    target = project / "app.py"
    target.write_text(LEAK)
    try:
        os.setxattr(target, "user.mongolint-test", b"kept")
    except OSError as error:
        pytest.skip(f"no user extended attributes here: {error}")
    assert _fix_file(target).error is None
    assert os.getxattr(target, "user.mongolint-test") == b"kept" and target.read_text() == FIXED


def test_hard_links_stay_one_file(project, tmp_path):
    target = project / "app.py"
    target.write_text(LEAK)
    other = tmp_path / "other-name.py"
    os.link(target, other)
    inode = os.stat(target).st_ino
    assert _fix_file(target).error is None
    assert os.stat(target).st_ino == inode and os.stat(other).st_ino == inode
    assert other.read_text() == FIXED


def test_a_write_in_place_that_fails_midway_leaves_the_original(project, tmp_path, monkeypatch):
    target = project / "app.py"
    target.write_text(LEAK)
    os.link(target, tmp_path / "other-name.py")
    real_write = os.write
    calls = []

    def disk_fills_up(descriptor, data):
        calls.append(len(data))
        if len(calls) == 1:
            return real_write(descriptor, data[:10])
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(descriptor, data)

    monkeypatch.setattr(os, "write", disk_fills_up)
    assert _fix_file(target).error == "not fixed: cannot write: No space left on device"
    assert target.read_text() == LEAK and not list(project.glob(".mongolint-*"))


def test_a_replacing_write_leaves_no_temporary_file(project):
    target = project / "app.py"
    target.write_text(LEAK)
    os.chmod(target, 0o640)
    assert _fix_file(target).error is None
    assert sorted(p.name for p in project.iterdir()) == ["app.py", "pyproject.toml"]
    assert os.stat(target).st_mode & 0o777 == 0o640


def test_a_replacing_write_that_fails_leaves_the_file_and_no_temporary(project, monkeypatch):
    target = project / "app.py"
    target.write_text(LEAK)

    def rename_fails(source, destination):
        raise OSError(errno.EXDEV, os.strerror(errno.EXDEV))

    monkeypatch.setattr(os, "replace", rename_fails)
    assert _fix_file(target).error == f"not fixed: cannot write: {os.strerror(errno.EXDEV)}"
    assert target.read_text() == LEAK
    assert sorted(p.name for p in project.iterdir()) == ["app.py", "pyproject.toml"]


def test_a_file_named_twice_is_checked_and_fixed_once(project, capsys):
    (project / "a.py").write_text(LEAK)
    (project / "alias.py").symlink_to("a.py")
    assert cli.main(["--no-cache", "--format", "concise", "--quiet", "a.py", "./a.py", "alias.py", "."]) == 1
    assert len(capsys.readouterr().out.splitlines()) == 1
    code, _, err = _fix(capsys, "--show-fixes", "a.py", "./a.py", ".")
    assert err.splitlines() == ["a.py: fixed MGL102: manage the client with `with`",
                                "Fixed 1 finding, 0 remaining."]
