"""The design choices that make mongolint fast must not change its answers."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from fixture_markers import FIXTURES, ROOT, expected_findings, rule_fixtures, seed_fixtures
from mongolint import prefilter, runner
from mongolint.config import Settings


def _run(*args, cwd):
    return subprocess.run([sys.executable, "-m", "mongolint", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


@pytest.fixture
def project(tmp_path):
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    (tmp_path / "pyproject.toml").write_text("[tool.mongolint]\n")
    return tmp_path


@pytest.mark.parametrize("path", rule_fixtures() + seed_fixtures(), ids=lambda p: p.stem)
def test_prefilter_never_skips_a_file_with_an_expected_finding(path):
    text = path.read_text(encoding="utf-8")
    if expected_findings(text):
        assert prefilter.may_have_findings(text)


def test_prefilter_is_word_bounded():
    assert not prefilter.may_have_findings("sql = connection.ops.start_transaction_sql()\n")
    assert not prefilter.may_have_findings("import pymongoose\nclient = pymongoose.connect()\n")
    assert prefilter.may_have_findings("from pymongo import MongoClient\n")
    assert prefilter.may_have_findings("x = get_client()\n", prefilter.build_pattern({"app.db.get_client"}))


def test_jobs_give_the_same_reports_in_the_same_order():
    paths = [str(p) for p in sorted(FIXTURES.rglob("*.py"))]
    serial = runner.check_paths(paths, Settings(), jobs=1)
    parallel = runner.check_paths(paths, Settings(), jobs=2)
    assert [r.path for r in parallel] == paths
    assert [(r.path, r.findings) for r in serial] == [(r.path, r.findings) for r in parallel]


def test_warm_run_answers_from_the_cache_without_parsing(project):
    cold = _run("examples", "--format", "concise", cwd=project)
    assert (project / ".mongolint_cache" / ".gitignore").is_file()
    probe = ("import sys\nfrom mongolint.cli import main\ncode = main(['examples', '--format', 'concise'])\n"
             "print('LIBCST' if 'libcst' in sys.modules else 'NO-LIBCST', code)\n")
    warm = subprocess.run([sys.executable, "-c", probe], cwd=project, capture_output=True, text=True, timeout=120)
    assert warm.stdout.splitlines()[-1] == "NO-LIBCST 1", warm.stdout + warm.stderr
    assert "\n".join(warm.stdout.splitlines()[:-1]) + "\n" == cold.stdout


def test_a_changed_file_is_checked_again(project):
    _run("examples", cwd=project)
    target = project / "examples" / "correct" / "sync_store.py"
    target.write_text(target.read_text() + "\n\ndef leak(uri):\n    c = MongoClient(uri)\n"
                      "    c.shop.orders.find_one()\n")
    result = _run("examples/correct", "--format", "concise", cwd=project)
    assert "MGL102" in result.stdout


def test_configuration_is_part_of_the_key(project):
    first = _run("examples", "--format", "concise", cwd=project)
    (project / "pyproject.toml").write_text('[tool.mongolint]\nignore = ["MGL3"]\n')
    second = _run("examples", "--format", "concise", cwd=project)
    assert "MGL301" in first.stdout and "MGL301" not in second.stdout


@pytest.mark.parametrize("garbage", [b"", b"{not json", b'{"format": 999, "entries": {}}',
                                     b'{"format": 1, "entries": {"x": 5}}', b"\x00\xff" * 50])
def test_a_corrupt_or_foreign_cache_is_ignored(project, garbage):
    expected = _run("examples", "--format", "concise", "--no-cache", cwd=project).stdout
    _run("examples", cwd=project)
    for path in (project / ".mongolint_cache").rglob("*.json"):
        path.write_bytes(garbage)
    result = _run("examples", "--format", "concise", cwd=project)
    assert result.returncode == 1 and result.stdout == expected and "Traceback" not in result.stderr


def test_no_cache_writes_nothing(project):
    _run("examples", "--no-cache", cwd=project)
    assert not (project / ".mongolint_cache").exists()


def test_an_unwritable_cache_is_not_fatal(project):
    (project / ".mongolint_cache").write_text("a file where the directory should be")
    result = _run("examples", "--format", "concise", cwd=project)
    assert result.returncode == 1 and "MGL101" in result.stdout and "Traceback" not in result.stderr
