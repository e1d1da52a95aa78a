"""The pre-commit hooks, for real: `pre-commit try-repo` installs this repository
as a hook repository (pip, from its pyproject.toml) and runs its hooks in a
throw-away git repository.

try-repo sees only what is committed (plus changes to tracked files) in the hook
repository, so the test commits a snapshot of this working tree (the files git
sees: tracked ones and untracked ones it does not ignore, as .ci/run does) into a
scratch repository and points try-repo at that: it tests the tree as it is on
disk, committed or not.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from fixture_markers import ROOT

GIT_IDENTITY = {"GIT_AUTHOR_NAME": "mongolint tests", "GIT_AUTHOR_EMAIL": "tests@localhost",
                "GIT_COMMITTER_NAME": "mongolint tests", "GIT_COMMITTER_EMAIL": "tests@localhost"}

BAD = textwrap.dedent('''\
    from pymongo import MongoClient

    client = MongoClient("mongodb://localhost:27017")


    def archive(order_id):
        session = client.start_session()
        order = client.shop.orders.find_one({"_id": order_id}, session=session)
        client.shop.archive.insert_one(order, session=session)
''')

FIXED = textwrap.dedent('''\
    from pymongo import MongoClient

    client = MongoClient("mongodb://localhost:27017")


    def archive(order_id):
        with client.start_session() as session:
            order = client.shop.orders.find_one({"_id": order_id}, session=session)
            client.shop.archive.insert_one(order, session=session)
''')


# pre-commit names the excluded file explicitly; the hooks must still leave it alone.
EXCLUDES_MIGRATIONS = '[tool.mongolint]\nextend-exclude = ["migrations/"]\n'

pytestmark = pytest.mark.slow


def git(*args, cwd: Path) -> None:
    subprocess.run(["git", "-c", "commit.gpgsign=false", *args], cwd=cwd, check=True, capture_output=True,
                   env={**os.environ, **GIT_IDENTITY})


@pytest.fixture(scope="module")
def hook_repository(tmp_path_factory) -> Path:
    """A committed copy of this tree's package files."""
    snapshot = tmp_path_factory.mktemp("hook-repository")
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            check=True, capture_output=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():  # a tracked file deleted in the working tree is left out
            (snapshot / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, snapshot / name)
    git("init", "-q", cwd=snapshot)
    git("add", "-A", cwd=snapshot)
    git("commit", "-q", "-m", "snapshot", cwd=snapshot)
    return snapshot


def project(path: Path, files) -> Path:
    path.mkdir()
    git("init", "-q", cwd=path)
    for name, text in files.items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_text(text, encoding="utf-8")
    git("add", "-A", cwd=path)
    return path


def hook_sections(output: str):
    """hook id -> (status line, the hook's own output) from a pre-commit run."""
    sections = {}
    lines = output.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("- hook id: "):
            hook = line[len("- hook id: "):].strip()
            status = lines[index - 1]
            body = []
            for following in lines[index + 1:]:
                if following.endswith(("Passed", "Failed", "Skipped")) and "...." in following:
                    break
                body.append(following)
            sections[hook] = (status, "\n".join(body))
    return sections


@pytest.fixture(scope="module")
def runs(hook_repository, tmp_path_factory):
    """Two try-repo runs, at the same time (each installs its own hook environment):
    both hooks (in id order: the check, then the fix) on a bad file, and the check
    hook on a good one. name -> (project directory, completed process)."""
    base = tmp_path_factory.mktemp("projects")
    bad = project(base / "bad", {"orders.py": BAD, "notes.txt": BAD, "migrations/m0001.py": BAD,
                                 "pyproject.toml": EXCLUDES_MIGRATIONS})
    good = project(base / "good", {"orders.py": FIXED})
    started = {
        "bad": (bad, _try_repo(hook_repository, [], bad, base / "home-bad")),
        "good": (good, _try_repo(hook_repository, ["mongolint"], good, base / "home-good")),
    }
    done = {}
    for name, (repo, process) in started.items():
        stdout, stderr = process.communicate(timeout=300)
        done[name] = (repo, subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr))
    return done


def _try_repo(hook_repository: Path, hooks, cwd: Path, home: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repository), *hooks, "--all-files",
         "--verbose", "--color", "never"],
        cwd=cwd, env=_env(home), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _env(home: Path):
    env = {**os.environ, **GIT_IDENTITY, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    env.pop("PRE_COMMIT", None)
    return env


def test_check_hook_fails_on_a_bad_file(runs):
    repo, completed = runs["bad"]
    output = completed.stdout + completed.stderr
    assert completed.returncode == 1, output
    status, body = hook_sections(completed.stdout)["mongolint"]
    assert status.endswith("Failed"), output
    assert "orders.py:7:15: MGL101" in body, output
    assert "notes.txt" not in body, output  # types_or: python files only
    assert "m0001" not in body, output  # excluded in pyproject.toml


def test_fix_hook_rewrites_the_file_and_fails(runs):
    repo, completed = runs["bad"]
    output = completed.stdout + completed.stderr
    status, body = hook_sections(completed.stdout)["mongolint-fix"]
    # pre-commit fails a hook that modified files, whatever its exit code.
    assert status.endswith("Failed") and "files were modified by this hook" in body, output
    assert (repo / "orders.py").read_text(encoding="utf-8") == FIXED
    assert (repo / "migrations" / "m0001.py").read_text(encoding="utf-8") == BAD
    again = subprocess.run([sys.executable, "-m", "mongolint", "orders.py"], cwd=repo, capture_output=True,
                           text=True)
    assert again.returncode == 0, again.stdout + again.stderr


def test_check_hook_passes_on_a_good_file(runs):
    repo, completed = runs["good"]
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    status, body = hook_sections(completed.stdout)["mongolint"]
    assert status.endswith("Passed"), output
