"""The flags and commands a ruff user types every day: --exit-non-zero-on-fix,
--fix-only, the cache directory and `mongolint clean`, `--help` and its
commands, and the progress line on a terminal (never in a pipe or a CI log)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest

LEAK = ("import pymongo\n\ndef report(uri):\n    client = pymongo.MongoClient(uri)\n"
        "    return client.shop.orders.find_one()\n")
UNFIXABLE = "import pymongo\n\nasync def f(coll: pymongo.collection.Collection):\n    coll.find_one({})\n"
CLEAN = {key: value for key, value in os.environ.items()
         if key not in ("CI", "MONGOLINT_CACHE_DIR", "MONGOLINT_PROGRESS_DELAY")}


def mongolint(*args, cwd, stdin=None, env=None):
    return subprocess.run([sys.executable, "-m", "mongolint", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, input=stdin, env=dict(CLEAN, **(env or {})))


# -- --exit-non-zero-on-fix ----------------------------------------------------------

def test_exit_non_zero_on_fix_fails_a_run_that_fixed_everything(tmp_path):
    (tmp_path / "app.py").write_text(LEAK)
    fixed = mongolint("--no-cache", "--fix", "--exit-non-zero-on-fix", "app.py", cwd=tmp_path)
    assert fixed.returncode == 1, fixed.stderr
    assert "with pymongo.MongoClient(uri) as client:" in (tmp_path / "app.py").read_text()
    assert "Fixed 1 finding, 0 remaining." in fixed.stderr
    nothing_left = mongolint("--no-cache", "--fix", "--exit-non-zero-on-fix", "app.py", cwd=tmp_path)
    assert nothing_left.returncode == 0, nothing_left.stderr


def test_fix_alone_exits_0_when_nothing_remains(tmp_path):
    (tmp_path / "app.py").write_text(LEAK)
    assert mongolint("--no-cache", "--fix", "app.py", cwd=tmp_path).returncode == 0


def test_exit_zero_and_exit_non_zero_on_fix_are_refused_together(tmp_path):
    (tmp_path / "app.py").write_text(LEAK)
    result = mongolint("--no-cache", "--exit-zero", "--exit-non-zero-on-fix", "app.py", cwd=tmp_path)
    assert result.returncode == 2
    assert "not allowed with argument --exit-zero" in result.stderr
    assert (tmp_path / "app.py").read_text() == LEAK


# -- --fix-only ----------------------------------------------------------------------

def test_fix_only_fixes_and_reports_nothing_about_what_remains(tmp_path):
    (tmp_path / "app.py").write_text(LEAK)
    (tmp_path / "handlers.py").write_text(UNFIXABLE)
    result = mongolint("--no-cache", "--fix-only", ".", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "with pymongo.MongoClient(uri) as client:" in (tmp_path / "app.py").read_text()
    assert result.stdout == ""
    assert result.stderr == "Fixed 1 finding.\n"  # no word of handlers.py's MGL303


def test_fix_only_with_exit_non_zero_on_fix_fails_only_when_it_fixed(tmp_path):
    (tmp_path / "app.py").write_text(LEAK)
    (tmp_path / "handlers.py").write_text(UNFIXABLE)
    assert mongolint("--no-cache", "--fix-only", "--exit-non-zero-on-fix", ".", cwd=tmp_path).returncode == 1
    again = mongolint("--no-cache", "--fix-only", "--exit-non-zero-on-fix", ".", cwd=tmp_path)
    assert again.returncode == 0 and again.stdout == again.stderr == ""


def test_fix_only_fails_when_a_fix_cannot_be_written(tmp_path):
    (tmp_path / "app.py").write_text(LEAK)
    (tmp_path / "app.py").chmod(0o444)
    result = mongolint("--no-cache", "--fix-only", "app.py", cwd=tmp_path)
    assert result.returncode == 1
    assert "mongolint: app.py: not fixed: the file is read-only" in result.stderr
    assert (tmp_path / "app.py").read_text() == LEAK


def test_fix_only_with_a_structured_format_writes_no_report(tmp_path):
    (tmp_path / "handlers.py").write_text(UNFIXABLE)
    result = mongolint("--no-cache", "--fix-only", "--format", "json", ".", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout == ""


def test_fix_only_diff_prints_the_diff_and_writes_nothing(tmp_path):
    (tmp_path / "app.py").write_text(LEAK)
    (tmp_path / "handlers.py").write_text(UNFIXABLE)
    result = mongolint("--no-cache", "--fix-only", "--diff", ".", cwd=tmp_path)
    assert result.returncode == 1  # as ruff: --diff fails when there is something to fix
    assert result.stdout.startswith("--- app.py\n+++ app.py\n") and "MGL303" not in result.stdout + result.stderr
    assert (tmp_path / "app.py").read_text() == LEAK
    (tmp_path / "app.py").unlink()
    nothing_to_fix = mongolint("--no-cache", "--fix-only", "--diff", ".", cwd=tmp_path)
    assert nothing_to_fix.returncode == 0 and nothing_to_fix.stdout == ""


def test_fix_only_on_stdin_prints_the_fixed_source_alone(tmp_path):
    result = mongolint("--no-cache", "--fix-only", "-", "--stdin-filename", "app.py", cwd=tmp_path,
                       stdin=LEAK + "\n\n" + UNFIXABLE.replace("import pymongo\n", ""))
    assert result.returncode == 0, result.stderr
    assert "    with pymongo.MongoClient(uri) as client:\n" in result.stdout
    assert "MGL303" not in result.stdout + result.stderr and "remaining" not in result.stderr


# -- where the cache is kept, and `mongolint clean` -----------------------------------

def _cache_files(directory):
    return sorted(name for name in os.listdir(directory) if name.endswith(".json")) if directory.is_dir() else []


def test_cache_dir_flag_beats_the_variable_which_beats_the_configuration(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.mongolint]\ncache-dir = "build/lint-cache"\n')
    (tmp_path / "app.py").write_text(LEAK)
    mongolint("app.py", cwd=tmp_path)
    assert _cache_files(tmp_path / "build" / "lint-cache")
    mongolint("app.py", cwd=tmp_path, env={"MONGOLINT_CACHE_DIR": str(tmp_path / "from-env")})
    assert _cache_files(tmp_path / "from-env")
    mongolint("--cache-dir", "from-flag", "app.py", cwd=tmp_path, env={"MONGOLINT_CACHE_DIR": "unused"})
    assert _cache_files(tmp_path / "from-flag") and not (tmp_path / "unused").exists()
    assert not (tmp_path / ".mongolint_cache").exists()


def test_the_configured_cache_dir_is_found_from_a_subfolder(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.mongolint]\ncache-dir = ".cache/mongolint"\n')
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "app.py").write_text(LEAK)
    mongolint("app.py", cwd=tmp_path / "pkg")
    assert _cache_files(tmp_path / ".cache" / "mongolint")


def test_a_cache_dir_that_is_not_a_path_is_a_configuration_error(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.mongolint]\ncache-dir = 3\n")
    (tmp_path / "app.py").write_text(LEAK)
    result = mongolint("app.py", cwd=tmp_path)
    assert result.returncode == 2 and "`cache-dir` must be a path" in result.stderr


def test_clean_removes_every_cache_below_and_says_so(tmp_path):
    (tmp_path / "app.py").write_text(LEAK)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "mod.py").write_text(LEAK)
    (tmp_path / "db.py").write_text("from pymongo import MongoClient\n\nclient = MongoClient()\n")
    (tmp_path / "orders.py").write_text("from db import client\n\ndef f():\n    return client.shop.orders.find_one()\n")
    mongolint("app.py", "db.py", "orders.py", cwd=tmp_path)
    assert any(name.startswith("summaries-") for name in _cache_files(tmp_path / ".mongolint_cache"))
    mongolint("--cache-dir", ".mongolint_cache", "mod.py", cwd=tmp_path / "sub")
    assert _cache_files(tmp_path / ".mongolint_cache") and _cache_files(tmp_path / "sub" / ".mongolint_cache")
    result = mongolint("clean", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == ["Removing cache at: .mongolint_cache",
                                          "Removing cache at: sub/.mongolint_cache"]
    assert not (tmp_path / ".mongolint_cache").exists() and not (tmp_path / "sub" / ".mongolint_cache").exists()
    assert (tmp_path / "app.py").exists() and (tmp_path / "sub" / "mod.py").exists()
    assert mongolint("clean", cwd=tmp_path).stderr == ""


def test_clean_removes_the_cache_of_the_variable_and_the_configuration(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.mongolint]\ncache-dir = "build/lint-cache"\n')
    (tmp_path / "app.py").write_text(LEAK)
    mongolint("app.py", cwd=tmp_path)
    outside = tmp_path.parent / (tmp_path.name + "-cache")
    mongolint("app.py", cwd=tmp_path, env={"MONGOLINT_CACHE_DIR": str(outside)})
    assert _cache_files(outside)
    result = mongolint("clean", cwd=tmp_path, env={"MONGOLINT_CACHE_DIR": str(outside)})
    assert result.stderr == f"Removing cache at: {outside}\n" and not outside.exists()
    assert mongolint("clean", "--quiet", cwd=tmp_path).stderr == ""
    assert not (tmp_path / "build" / "lint-cache").exists() and (tmp_path / "build").is_dir()


def test_clean_never_removes_what_mongolint_did_not_write(tmp_path):
    (tmp_path / "app.py").write_text(LEAK)
    mongolint("app.py", cwd=tmp_path)
    (tmp_path / ".mongolint_cache" / "notes.txt").write_text("mine")
    lookalike = tmp_path / "vendor" / ".mongolint_cache"
    lookalike.mkdir(parents=True)
    (lookalike / "0123456789abcdef01234567.json").write_text("{}")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "orders.json").write_text("[]")
    result = mongolint("clean", cwd=tmp_path)
    assert result.returncode == 0
    assert "warning: .mongolint_cache: kept 1 file mongolint did not create" in result.stderr
    assert os.listdir(tmp_path / ".mongolint_cache") == ["notes.txt"]
    assert "warning: vendor/.mongolint_cache: not a mongolint cache" in result.stderr
    assert os.listdir(lookalike) == ["0123456789abcdef01234567.json"]
    named = mongolint("clean", "--cache-dir", "data", cwd=tmp_path)
    assert named.returncode == 2 and "data: not a mongolint cache" in named.stderr
    assert (tmp_path / "data" / "orders.json").exists()


def test_clean_does_not_follow_a_link_to_a_cache(tmp_path):
    (tmp_path / "app.py").write_text(LEAK)
    real = tmp_path / "real"
    mongolint("--cache-dir", str(real), "app.py", cwd=tmp_path)
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / ".mongolint_cache").symlink_to(real)
    result = mongolint("clean", cwd=tmp_path / "project")
    assert _cache_files(real) and "not a mongolint cache" in result.stderr


# -- --help and the commands ------------------------------------------------------------

def test_help_lists_every_command_with_a_line_each(tmp_path):
    result = mongolint("--help", cwd=tmp_path)
    assert result.returncode == 0
    commands = result.stdout.split("commands:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert [line.split()[0] for line in commands] == ["check", "rule", "migrate", "clean", "help"]
    assert all(len(line.split()) > 2 for line in commands)  # a description each
    assert "usage: mongolint [check] [OPTIONS] [PATH ...]" in result.stdout
    assert "--exit-non-zero-on-fix" in result.stdout and "--fix-only" in result.stdout


def test_help_command_prints_a_commands_help(tmp_path):
    rule = mongolint("help", "rule", cwd=tmp_path)
    assert rule.returncode == 0 and rule.stdout.startswith("usage: mongolint rule")
    migrate = mongolint("help", "migrate", cwd=tmp_path)
    assert migrate.returncode == 0 and migrate.stdout.startswith("usage: mongolint migrate")
    clean = mongolint("help", "clean", cwd=tmp_path)
    assert clean.returncode == 0 and clean.stdout.startswith("usage: mongolint clean")
    assert mongolint("help", cwd=tmp_path).stdout == mongolint("--help", cwd=tmp_path).stdout
    unknown = mongolint("help", "lint", cwd=tmp_path)
    assert unknown.returncode == 2 and "unknown command `lint`" in unknown.stderr


def test_check_is_the_default_command(tmp_path):
    (tmp_path / "app.py").write_text(LEAK)
    plain = mongolint("--no-cache", "app.py", cwd=tmp_path)
    check = mongolint("check", "--no-cache", "app.py", cwd=tmp_path)
    assert check.returncode == plain.returncode == 1
    assert check.stdout == plain.stdout and "MGL102" in check.stdout


# -- the progress line: on a terminal only ------------------------------------------------

def _run_with_terminal_stderr(args, cwd, env):
    """The real command with standard error on a pseudo-terminal and standard
    output on a pipe: (stdout, what the terminal received, exit code)."""
    master, slave = os.openpty()
    received = []

    def drain():
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the last writer closed the terminal
                return
            if not chunk:
                return
            received.append(chunk)

    reader = threading.Thread(target=drain)
    reader.start()
    try:
        process = subprocess.run([sys.executable, "-m", "mongolint", *args], cwd=cwd, stdout=subprocess.PIPE,
                                 stderr=slave, env=dict(CLEAN, **env), timeout=120)
    finally:
        os.close(slave)
        reader.join(30)
        os.close(master)
    return process.stdout.decode(), b"".join(received).decode(), process.returncode


@pytest.fixture
def project(tmp_path):
    for index in range(12):
        (tmp_path / f"m{index:02}.py").write_text(LEAK if index % 3 == 0 else "x = 1\n")
    return tmp_path


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_progress_is_shown_on_a_terminal_and_wiped(project):
    stdout, terminal, code = _run_with_terminal_stderr(["--no-cache", "."], project,
                                                       {"MONGOLINT_PROGRESS_DELAY": "0"})
    assert code == 1
    assert "\rChecking files: 12/12" in terminal
    assert terminal.endswith("\r" + " " * len("Checking files: 12/12") + "\r")  # nothing stays on screen
    assert "Checking" not in stdout and "\r" not in stdout


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
@pytest.mark.parametrize("extra_args, extra_env", [
    (["--quiet"], {}),
    (["--silent"], {}),
    ([], {"CI": "true"}),
    ([], {"TERM": "dumb"}),
], ids=["quiet", "silent", "CI", "dumb-terminal"])
def test_no_progress_on_a_terminal_when_it_must_not_show(project, extra_args, extra_env):
    _, terminal, _ = _run_with_terminal_stderr(["--no-cache", *extra_args, "."], project,
                                               {"MONGOLINT_PROGRESS_DELAY": "0", **extra_env})
    assert "Checking files" not in terminal and "\r" not in terminal


def test_no_progress_in_a_pipe(project):
    piped = mongolint("--no-cache", ".", cwd=project, env={"MONGOLINT_PROGRESS_DELAY": "0"})
    assert piped.returncode == 1
    assert piped.stderr == "" and "Checking files" not in piped.stdout
    fixing = mongolint("--no-cache", "--fix", ".", cwd=project, env={"MONGOLINT_PROGRESS_DELAY": "0"})
    assert fixing.stderr == "Fixed 4 findings, 0 remaining.\n"
