"""Crash isolation: a rule that raises, a worker process that dies and a file that
takes too long each cost that one file an internal error (exit 2), and every
other file is still checked and reported (docs/reliability.md).

These run in-process: the crashing rules are test-only rules patched in with
monkeypatch, which forked workers inherit; production code has no test hooks.
"""

from __future__ import annotations

import os
import re
import signal
import sys
import time

import pytest

from mongolint import cli, runner
from mongolint.config import Settings
from mongolint.findings import FileReport
from patched_rules import DRIVER_CODE, MARKER, patch_rule

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and fork")


def _tree(tmp_path, count=10, bad=(3,)):
    paths = []
    for index in range(count):
        path = tmp_path / f"m{index:02}.py"
        path.write_text(DRIVER_CODE + (MARKER + "\n" if index in bad else ""), encoding="utf-8")
        paths.append(str(path))
    return paths


def _run_cli(capsys, *args):
    code = cli.main(["--no-cache", *args])
    out, err = capsys.readouterr()
    return code, out, err


def _findings_by_file(out):
    found = {}
    for line in out.splitlines():
        if not re.match(r"\S+:\d+:\d+: MGL", line):
            continue  # source excerpts and the closing summary
        path, _, rest = line.partition(":")
        code = rest.split(": ", 1)[1].split()[0] if ": " in rest else ""
        found.setdefault(os.path.basename(path), set()).add(code)
    return found


# -- a rule that raises ------------------------------------------------------

@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_rule_that_raises_is_an_internal_error_naming_rule_and_file(tmp_path, capsys, monkeypatch, jobs):
    paths = _tree(tmp_path)

    def boom():
        raise RuntimeError("boom")

    patch_rule(monkeypatch, boom)
    code, out, err = _run_cli(capsys, "--jobs", jobs, *paths)
    assert code == 2
    assert "Traceback" not in err
    problem = [line for line in err.splitlines() if "m03.py" in line]
    assert len(problem) == 1
    assert "internal error in rule MGL103 (client-in-loop): RuntimeError: boom" in problem[0]
    found = _findings_by_file(out)
    for index in range(10):
        # Every file is checked; on the crashing file the other rules still report.
        expected = {"MGL102"} if index == 3 else {"MGL102", "MGL103"}
        assert found[f"m{index:02}.py"] == expected


# -- a worker process that dies ------------------------------------------------

@pytest.mark.parametrize("how", ["exit", "kill"])
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_dying_worker_loses_no_other_file(tmp_path, capsys, monkeypatch, jobs, how):
    paths = _tree(tmp_path, count=12, bad=(3, 8))

    def die():
        if how == "exit":
            os._exit(3)
        os.kill(os.getpid(), signal.SIGKILL)

    patch_rule(monkeypatch, die)
    code, out, err = _run_cli(capsys, "--jobs", jobs, *paths)
    assert code == 2
    assert "Traceback" not in err
    reason = "exit status 3" if how == "exit" else "killed by SIGKILL"
    for bad in ("m03.py", "m08.py"):
        lines = [line for line in err.splitlines() if bad in line]
        assert lines == [f"mongolint: {tmp_path / bad}: internal error: the worker process died "
                         f"while checking this file ({reason})"]
    found = _findings_by_file(out)
    assert set(found) == {f"m{i:02}.py" for i in range(12)} - {"m03.py", "m08.py"}
    assert all(codes == {"MGL102", "MGL103"} for codes in found.values())


def _kill_for(victims):
    def check(path, settings):
        if os.path.basename(path) in victims:
            os.kill(os.getpid(), signal.SIGKILL)
        return runner.check_path(path, settings)
    return check


@pytest.mark.parametrize("jobs", [1, 2, 4])
def test_check_paths_keeps_order_and_every_result_when_workers_die(tmp_path, jobs):
    paths = _tree(tmp_path, count=20, bad=())
    reports = runner.check_paths(paths, Settings(), jobs, check=_kill_for({"m00.py", "m07.py", "m19.py"}))
    assert [r.path for r in reports] == paths
    for report in reports:
        if os.path.basename(report.path) in {"m00.py", "m07.py", "m19.py"}:
            assert report.internal_errors == [
                "internal error: the worker process died while checking this file (killed by SIGKILL)"]
            assert not report.findings
        else:
            assert not report.internal_errors
            assert {f.code for f in report.findings} == {"MGL102", "MGL103"}


def _raise(path, settings):
    raise ValueError(f"cannot check {os.path.basename(path)}")


def test_check_paths_turns_an_exception_into_an_internal_error(tmp_path):
    paths = _tree(tmp_path, count=3, bad=())
    reports = runner.check_paths(paths, Settings(), 2, check=_raise)
    assert [r.internal_errors for r in reports] == [
        [f"internal error: ValueError: cannot check m{i:02}.py"] for i in range(3)]


def test_check_paths_of_nothing():
    assert runner.check_paths([], Settings(), 2) == []


# -- a file that takes too long -------------------------------------------------

def _sleep_for(victim):
    def check(path, settings):
        if os.path.basename(path) == victim:
            time.sleep(60)
        return FileReport(path)
    return check


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_file_over_the_time_limit_is_reported_and_the_run_goes_on(tmp_path, jobs):
    paths = _tree(tmp_path, count=6, bad=())
    started = time.monotonic()
    reports = runner.check_paths(paths, Settings(file_timeout=1), jobs, check=_sleep_for("m02.py"))
    assert time.monotonic() - started < 30
    assert reports[2].internal_errors == [
        "internal error: checking took longer than 1 s (`file-timeout`); the file was not checked"]
    assert all(not r.internal_errors for i, r in enumerate(reports) if i != 2)


def test_the_time_limit_through_the_command_line(tmp_path, capsys, monkeypatch):
    (tmp_path / "pyproject.toml").write_text("[tool.mongolint]\nfile-timeout = 1.5\n", encoding="utf-8")
    paths = _tree(tmp_path, count=4, bad=(1,))
    patch_rule(monkeypatch, lambda: time.sleep(60))
    started = time.monotonic()
    code, out, err = _run_cli(capsys, "--jobs", "2", *paths)
    assert time.monotonic() - started < 30
    assert code == 2
    assert f"{paths[1]}: internal error: checking took longer than 1.5 s (`file-timeout`)" in err
    found = _findings_by_file(out)
    assert set(found) == {"m00.py", "m02.py", "m03.py"}


def test_no_time_limit_when_it_is_zero(tmp_path):
    paths = _tree(tmp_path, count=2, bad=())

    def slow(path, settings):
        time.sleep(1.2)
        return FileReport(path)

    reports = runner.check_paths(paths, Settings(file_timeout=0), 2, check=slow)
    assert all(not r.internal_errors for r in reports)


@pytest.mark.parametrize("value", ["-1", '"60"', "true", "nan", "inf"])
def test_a_bad_file_timeout_is_a_configuration_error(tmp_path, capsys, value):
    (tmp_path / "pyproject.toml").write_text(f"[tool.mongolint]\nfile-timeout = {value}\n", encoding="utf-8")
    (tmp_path / "a.py").write_text(DRIVER_CODE, encoding="utf-8")
    code, out, err = _run_cli(capsys, str(tmp_path / "a.py"))
    assert code == 2
    assert "`file-timeout` must be a number of seconds" in err


def test_ctrl_c_stops_the_run_and_its_workers_at_once(tmp_path):
    """Interrupted mid-file: no traceback, exit 130, no worker left behind."""
    import subprocess

    (tmp_path / "pyproject.toml").write_text("[tool.mongolint]\nfile-timeout = 0\n", encoding="utf-8")
    body = "".join(f"def g{i}(items):\n    for item in items:\n        client = pymongo.MongoClient()\n"
                   for i in range(40_000))
    for name in ("slow1.py", "slow2.py"):
        (tmp_path / name).write_text("import pymongo\n" + body, encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "mongolint", "--no-cache", "--jobs", "2", "."],
                               cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 20
    while len(_children(process.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)
    children = _children(process.pid)
    assert len(children) == 2  # both workers are busy parsing
    process.send_signal(signal.SIGINT)
    started = time.monotonic()
    out, err = process.communicate(timeout=30)
    assert time.monotonic() - started < 10
    assert process.returncode == 130, err
    assert "Traceback" not in err and err.strip().endswith("mongolint: interrupted")
    for child in children:
        assert not _alive(child), f"worker {child} outlived the run"


def _children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as handle:
            return [int(child) for child in handle.read().split()]
    except OSError:
        return []


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split()[2] != "Z"
    except OSError:
        return False
