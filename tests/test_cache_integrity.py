"""The result cache never gives a stale answer, never fails a run, never hangs one."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mongolint import cli, runner
from mongolint.cache import ResultCache

LEAK = ("from pymongo import MongoClient\n\ndef leak(uri):\n    c = MongoClient(uri)\n"
        "    c.shop.orders.find_one()\n")
CLEAN = ("from pymongo import MongoClient\n\ndef fine(uri):\n    with MongoClient(uri) as c:\n"
         "        c.shop.orders.find_one()\n")
PACKAGE = Path(cli.__file__).resolve().parent


@pytest.fixture
def project(tmp_path, monkeypatch):
    root = tmp_path / "project"
    root.mkdir()
    (root / "pyproject.toml").write_text("[tool.mongolint]\n")
    (root / "a.py").write_text(LEAK)
    (root / "b.py").write_text(LEAK.replace("leak", "other_leak"))
    monkeypatch.chdir(root)
    return root


def _lint(capsys, *args):
    code = cli.main(["--format", "concise", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _cache_files(root: Path):
    """The result cache files (not the project index's summaries)."""
    return sorted(path for path in (root / ".mongolint_cache").rglob("*.json")
                  if not path.name.startswith("summaries-"))


def _never_check(monkeypatch):
    def refuse(paths, *args, **kwargs):
        if paths:
            raise AssertionError(f"checked again: {paths}")
        return []

    monkeypatch.setattr(runner, "check_paths", refuse)


def test_a_file_edited_while_it_is_checked_does_not_poison_the_cache(project, capsys, monkeypatch):
    """The answer is stored under the bytes the check read, not an earlier read."""
    split = ResultCache.split

    def split_then_edit(self, paths, *args):
        answer = split(self, paths, *args)
        (project / "a.py").write_text(CLEAN)  # the user saves between the two reads
        return answer

    monkeypatch.setattr(ResultCache, "split", split_then_edit)
    assert _lint(capsys, "a.py")[0] == 0  # CLEAN was checked
    monkeypatch.setattr(ResultCache, "split", split)
    (project / "a.py").write_text(LEAK)  # undo, `git checkout`, `git stash pop`
    code, out, _ = _lint(capsys, "a.py")
    assert code == 1 and "MGL102" in out


def test_a_run_on_one_file_keeps_the_answers_for_the_others(project, capsys, monkeypatch):
    everything = _lint(capsys, ".")
    assert everything[0] == 1
    _lint(capsys, "a.py")
    _never_check(monkeypatch)
    assert _lint(capsys, ".") == everything


def test_a_different_build_with_the_same_version_does_not_reuse_results(tmp_path):
    """The key holds a fingerprint of mongolint's own files, not just its version."""
    build = tmp_path / "build"
    shutil.copytree(PACKAGE, build / "mongolint", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "pyproject.toml").write_text("[tool.mongolint]\n")
    (tmp_path / "a.py").write_text(LEAK)
    environment = dict(os.environ, PYTHONPATH=str(build), PYTHONDONTWRITEBYTECODE="1")

    def run():
        return subprocess.run([sys.executable, "-m", "mongolint", "--format", "concise", "a.py"], cwd=tmp_path,
                              env=environment, capture_output=True, text=True, timeout=120).stdout

    assert "is never closed" in run()
    rule = next(p for p in sorted((build / "mongolint").rglob("*.py")) if "is never closed" in p.read_text())
    rule.write_text(rule.read_text().replace("is never closed", "is left open"))
    assert "is left open" in run()


def test_cache_files_no_run_uses_are_removed(project, capsys):
    stale_folder = project / ".mongolint_cache" / "0.0.1"
    stale_folder.mkdir(parents=True)
    (stale_folder / "0123.json").write_text("{}")
    old = project / ".mongolint_cache" / "old-build.json"
    old.write_text("{}")
    recent = project / ".mongolint_cache" / "recent-build.json"
    recent.write_text("{}")
    month_ago = time.time() - 40 * 86400
    for path in (stale_folder / "0123.json", stale_folder, old):
        os.utime(path, (month_ago, month_ago))
    _lint(capsys, ".")
    assert not stale_folder.exists() and not old.exists()
    assert recent.exists() and (project / ".mongolint_cache" / ".gitignore").exists()
    assert len(_cache_files(project)) == 2


def test_a_config_outside_the_project_keeps_the_cache_in_the_project(project, capsys, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "pyproject.toml").write_text("[tool.mongolint]\n")
    _lint(capsys, "--config", str(outside / "pyproject.toml"), ".")
    assert not (outside / ".mongolint_cache").exists()
    assert _cache_files(project)


def test_cache_dir_puts_the_cache_where_asked(project, capsys, tmp_path, monkeypatch):
    elsewhere = tmp_path / "caches" / "mongolint"
    first = _lint(capsys, "--cache-dir", str(elsewhere), ".")
    assert not (project / ".mongolint_cache").exists()
    assert list(elsewhere.glob("*.json")) and (elsewhere / ".gitignore").exists()
    _never_check(monkeypatch)
    assert _lint(capsys, "--cache-dir", str(elsewhere), ".") == first


def _damaged(finding):
    """Valid JSON, wrong shapes: each must be a miss."""
    return [5, "x", None, [], {}, dict(finding, line="x"), dict(finding, fix={"applicability": 3}),
            dict(finding, code=None), dict(finding, line=True)]


@pytest.mark.parametrize("damage", range(9))
def test_a_malformed_entry_is_a_miss(project, capsys, damage):
    expected = _lint(capsys, ".")
    for cache_file in _cache_files(project):
        document = json.loads(cache_file.read_text())
        for entry in document["entries"].values():
            findings = entry[3]
            entry[3] = [_damaged(finding)[damage] for finding in findings]
        cache_file.write_text(json.dumps(document))
    assert _lint(capsys, ".") == expected
    assert _lint(capsys, ".") == expected  # and the entry was mended


@pytest.mark.parametrize("shape", [5, "x", None, [], {}, [None], ["k", 1, None, 7]])
def test_a_malformed_entry_of_any_shape_is_a_miss(project, capsys, shape):
    expected = _lint(capsys, ".")
    for cache_file in _cache_files(project):
        document = json.loads(cache_file.read_text())
        document["entries"] = {key: shape for key in document["entries"]}
        cache_file.write_text(json.dumps(document))
    assert _lint(capsys, ".") == expected


@pytest.mark.parametrize("damage", [5, {"names": 5, "functions": [1], "classes": "x", "imports": {"a": 3},
                                     "stars": 7}, {"imports": {}, "stars": [], "names": {"client": ["call"]},
                                                   "functions": {}, "classes": {}}])
def test_damaged_summaries_of_the_project_are_read_again(project, capsys, damage):
    (project / "database.py").write_text("from pymongo import MongoClient\nclient = MongoClient()\n"
                                         "orders = client.shop.orders\n")
    (project / "routes.py").write_text("from database import orders\n\nasync def show(id):\n"
                                       "    return orders.find_one({'_id': id})\n")
    expected = _lint(capsys, ".")
    assert "MGL303" in expected[1]
    for summaries in (project / ".mongolint_cache").glob("summaries-*.json"):
        summaries.write_text(json.dumps({digest: damage for digest in json.loads(summaries.read_text())}))
    for cache_file in _cache_files(project):
        cache_file.unlink()
    assert _lint(capsys, ".") == expected


def _run_bounded(root: Path):
    """A hang fails the test instead of stopping the suite."""
    return subprocess.run([sys.executable, "-m", "mongolint", "--format", "concise", "."], cwd=root,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("kind", ["fifo", "link-to-dev-zero", "symlink"])
def test_a_cache_file_that_is_not_a_regular_file_is_not_read(project, capsys, kind, tmp_path):
    expected = _lint(capsys, ".")
    for cache_file in _cache_files(project):
        real = tmp_path / "real.json"
        shutil.copy(cache_file, real)
        cache_file.unlink()
        if kind == "fifo":
            os.mkfifo(cache_file)
        else:
            cache_file.symlink_to("/dev/zero" if kind == "link-to-dev-zero" else real)
    result = _run_bounded(project)
    assert (result.returncode, result.stdout, result.stderr) == expected
    assert all(path.is_file() and not path.is_symlink() for path in _cache_files(project))


def test_the_cache_gitignore_is_not_created_through_a_dangling_symlink(project, capsys, tmp_path):
    (project / ".mongolint_cache").mkdir()
    target = tmp_path / "elsewhere" / "created"
    (tmp_path / "elsewhere").mkdir()
    (project / ".mongolint_cache" / ".gitignore").symlink_to(target)
    assert _lint(capsys, ".")[0] == 1
    assert not target.exists()


def test_a_file_that_was_not_checked_is_not_cached(project, capsys):
    (project / "pyproject.toml").write_text("[tool.mongolint]\nmax-file-size = 0.00003\n")
    code, out, err = _lint(capsys, "a.py")
    assert "not checked: too large" in err and out == ""
    (project / "pyproject.toml").write_text("[tool.mongolint]\n")
    code, out, err = _lint(capsys, "a.py")
    assert code == 1 and "MGL102" in out and err == ""


def test_a_file_whose_check_crashed_is_not_cached(project, capsys, monkeypatch):
    from mongolint.rules.lifetimes.client_not_closed import ClientNotClosed

    def crash(self):
        raise RuntimeError("boom")

    monkeypatch.setattr(ClientNotClosed, "check", crash)
    code, out, err = _lint(capsys, "a.py")
    assert code == 2 and "RuntimeError: boom" in err
    monkeypatch.undo()
    monkeypatch.chdir(project)
    code, out, err = _lint(capsys, "a.py")
    assert code == 1 and "MGL102" in out


def test_entries_no_run_used_for_a_month_are_removed(project, capsys):
    _lint(capsys, ".")
    (cache_file,) = _cache_files(project)
    document = json.loads(cache_file.read_text())
    for name, entry in document["entries"].items():
        if name.endswith("b.py"):
            entry[1] -= 31
    cache_file.write_text(json.dumps(document))
    _lint(capsys, "a.py")
    names = json.loads(cache_file.read_text())["entries"]
    assert [os.path.basename(name) for name in names] == ["a.py"]


def test_without_a_pyproject_the_cache_is_in_the_working_directory(tmp_path, capsys, monkeypatch):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.py").write_text(LEAK)
    monkeypatch.chdir(tmp_path)
    if any((parent / "pyproject.toml").exists() for parent in tmp_path.parents):
        pytest.skip("a pyproject.toml above the temporary directory")
    assert _lint(capsys, "src")[0] == 1
    assert _cache_files(tmp_path) and not (tmp_path / "src" / ".mongolint_cache").exists()
