"""mongolint reads code and never runs it (docs/reliability.md).

A project whose every file would leave a marker file behind if it were imported
or run: module-level code, a `__main__` block, a package `__init__.py`, names
that tools import by convention (conftest.py, setup.py, sitecustomize.py), a
`.pth` file, and files named like the modules mongolint itself imports (json,
tokenize, argparse, libcst, ...) that would shadow them if the project were on
sys.path. It is checked and fixed every way mongolint runs; no marker appears.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

TIMEOUT = 120
BIN = Path(sys.executable).parent


def _leaves_marker(markers: Path, name: str) -> str:
    return (f"import pathlib\n"
            f"pathlib.Path({str(markers / name)!r}).write_text('executed')\n")


DRIVER = """\
import pymongo


def load(items):
    for item in items:
        client = pymongo.MongoClient()
        client.db.things.insert_one(item)
"""

SHADOWED = ["json", "tokenize", "argparse", "libcst", "pathspec", "tomllib", "difflib", "hashlib",
            "tempfile", "multiprocessing", "concurrent", "pymongo", "motor", "flake8", "sqlite3"]


@pytest.fixture
def project(tmp_path):
    markers = tmp_path / "markers"
    markers.mkdir()
    root = tmp_path / "project"
    root.mkdir()

    def write(relative: str, body: str) -> None:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        name = relative.replace("/", "_")
        path.write_text(_leaves_marker(markers, name) + body, encoding="utf-8")

    write("app.py", DRIVER)
    write("main_guard.py", DRIVER + "\n\nif __name__ == '__main__':\n"
          + "".join("    " + line + "\n" for line in _leaves_marker(markers, "main").splitlines()))
    write("pkg/__init__.py", DRIVER)
    write("pkg/sub/__init__.py", "")
    write("pkg/sub/models.py", DRIVER)
    write("conftest.py", DRIVER)
    write("setup.py", DRIVER)
    write("sitecustomize.py", DRIVER)
    write("usercustomize.py", DRIVER)
    write("__main__.py", DRIVER)
    for module in SHADOWED:
        write(f"{module}.py", DRIVER)
    write("encodings/evil.py", "")
    (root / "cookie.py").write_text("# -*- coding: evil -*-\n" + DRIVER, encoding="utf-8")
    (root / "evil.pth").write_text(f"import pathlib; pathlib.Path({str(markers / 'pth')!r}).write_text('x')\n")
    (root / "pyproject.toml").write_text(
        "[tool.mongolint]\nclient-factories = ['app.load', 'setup.make_client']\n", encoding="utf-8")
    return root, markers


def _run(command, cwd, **kwargs):
    env = dict(os.environ)
    env.pop("PYTHONSAFEPATH", None)
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT, env=env, **kwargs)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def _console_script(name: str) -> str:
    path = BIN / name
    if not path.exists():
        pytest.skip(f"no {name} console script next to {sys.executable}")
    return str(path)


def _assert_nothing_ran(markers: Path) -> None:
    assert sorted(p.name for p in markers.iterdir()) == []


@pytest.mark.parametrize("how", ["console-script", "python -m"])
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_checking_runs_nothing(project, how, jobs):
    root, markers = project
    command = [_console_script("mongolint")] if how == "console-script" else [sys.executable, "-m", "mongolint"]
    result = _run(command + ["--no-cache", "--jobs", jobs, "."], root)
    assert result.returncode == 2, result.stderr  # cookie.py's encoding is unknown: a file not checked
    assert "app.py:8:18: MGL103" in result.stdout  # it did read them
    assert "pkg/sub/models.py:8:18: MGL103" in result.stdout
    _assert_nothing_ran(markers)


@pytest.mark.parametrize("how", ["console-script", "python -m"])
def test_fixing_runs_nothing(project, how):
    root, markers = project
    command = [_console_script("mongolint")] if how == "console-script" else [sys.executable, "-m", "mongolint"]
    before = (root / "app.py").read_text()
    result = _run(command + ["--fix", "--unsafe-fixes", "--jobs", "2", "."], root)
    assert result.returncode == 2 and "internal error" not in result.stderr, result.stderr  # cookie.py
    assert (root / "app.py").read_text() != before  # it did fix them
    _assert_nothing_ran(markers)
    diff = _run(command + ["--diff", "."], root)
    assert diff.returncode == 2 and "internal error" not in diff.stderr  # cookie.py
    _assert_nothing_ran(markers)


def test_stdin_and_cached_runs_run_nothing(project):
    root, markers = project
    command = [_console_script("mongolint")]
    _run(command + ["-", "--stdin-filename", "app.py"], root, input=(root / "app.py").read_text())
    _run(command + ["."], root)  # fills the cache
    _run(command + ["."], root)  # answered from it
    _assert_nothing_ran(markers)


def test_flake8_plugin_runs_nothing(project):
    root, markers = project
    result = _run([_console_script("flake8"), "--select", "MGL", "."], root)
    assert "app.py:8:18: MGL103" in result.stdout
    _assert_nothing_ran(markers)


def test_the_markers_would_appear_if_the_code_ran(project):
    """The test's own check: running one of the files does leave its marker."""
    root, markers = project
    subprocess.run([sys.executable, "main_guard.py"], cwd=root, capture_output=True, timeout=TIMEOUT)
    assert {"main", "main_guard.py", "pymongo.py"} <= {p.name for p in markers.iterdir()}
