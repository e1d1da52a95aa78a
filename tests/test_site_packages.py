"""A does-not-crash run over real code: the installed source of PyMongo (with bson
and gridfs), Motor, MongoEngine and Beanie (dev dependencies), every file, every
rule selected. No internal error, no traceback, exit 0 or 1 (docs/reliability.md).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mongolint import rules

PACKAGES = ["pymongo", "bson", "gridfs", "motor", "mongoengine", "beanie"]
TIMEOUT = 600


def _source_directory(package: str) -> Path:
    spec = importlib.util.find_spec(package)  # finds, does not import
    if spec is None or not spec.submodule_search_locations:
        pytest.skip(f"{package} is not installed (pip install -e '.[dev]')")
    return Path(list(spec.submodule_search_locations)[0])


def _every_rule() -> list:
    off_by_default = [rule.code for rule in rules.ALL_RULES if not rule.enabled_by_default]
    return ["--select", "MGL"] + (["--extend-select", ",".join(off_by_default)] if off_by_default else [])


@pytest.fixture(scope="module")
def sources():
    return [_source_directory(package) for package in PACKAGES]


def _run(args, cwd):
    env = dict(os.environ, PYTHONIOENCODING="utf-8", NO_COLOR="1")
    return subprocess.run([sys.executable, "-m", "mongolint", "--no-cache", "--jobs", "2", *args],
                          cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT, env=env)


def test_every_file_of_the_drivers_and_odms_is_checked_without_a_crash(sources, tmp_path):
    files = sum(1 for directory in sources for _ in directory.rglob("*.py"))
    assert files > 200
    result = _run([*_every_rule(), *map(str, sources)], tmp_path)
    assert "Traceback" not in result.stderr
    assert "internal error" not in result.stderr, result.stderr
    assert result.returncode in (0, 1), result.stderr
    # Every file was read and decoded; none was left unchecked.
    assert result.stderr == "", result.stderr
    listed = _run(["--list-parsed", *map(str, sources)], tmp_path)
    assert len(listed.stdout.splitlines()) > 100  # the pre-filter really let them through to the parser


def test_fixes_over_the_drivers_and_odms_do_not_crash(sources, tmp_path):
    result = _run(["--diff", "--unsafe-fixes", *_every_rule(), *map(str, sources)], tmp_path)
    assert "Traceback" not in result.stderr
    assert "internal error" not in result.stderr, result.stderr
    assert result.returncode in (0, 1), result.stderr
