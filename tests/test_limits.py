"""Size, time and memory limits: a file too big for them is reported in one line,
and the run goes on, for files, stdin and the flake8 plugin alike.

Runs are in-process where a test-only rule is patched in (forked workers inherit
it), in a subprocess where the real stderr matters. Every run is bounded.
"""

from __future__ import annotations

import io
import subprocess
import sys
import time

import pytest

from mongolint import cli, flake8_plugin
from patched_rules import DRIVER_CODE, MARKER, patch_rule

pytestmark = pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="forked workers and RLIMIT_AS")

TIMEOUT = 120


def _allocate_two_gigabytes():
    kept = []
    for _ in range(32):
        kept.append(bytearray(64 * 1024 * 1024))  # written: real memory, not only address space
    return kept


def _sleep():
    time.sleep(30)


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "good.py").write_text(DRIVER_CODE)
    return tmp_path


def _config(root, **keys):
    body = "".join(f"{key} = {value}\n" for key, value in keys.items())
    (root / "pyproject.toml").write_text("[tool.mongolint]\n" + body)


def _lint(capsys, *args, stdin=None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    code = cli.main(["--no-cache", "--format", "concise", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_file_over_max_file_size_is_one_line_and_the_run_goes_on(project, capsys):
    _config(project, **{"max-file-size": 0.01})
    (project / "big.py").write_text(DRIVER_CODE + "# padding\n" * 2000)
    code, out, err = _lint(capsys, "big.py", "good.py")
    assert err.splitlines() == ["mongolint: big.py: not checked: too large (20 KB; `max-file-size` is 0.01 MB)"]
    assert code == 1 and out.startswith("good.py:")


def test_fix_and_list_parsed_respect_max_file_size(project, capsys):
    _config(project, **{"max-file-size": 0.01})
    big = DRIVER_CODE + "# padding\n" * 2000
    (project / "big.py").write_text(big)
    code, _, err = _lint(capsys, "--fix", "--unsafe-fixes", "big.py")
    assert "big.py: not checked: too large" in err and (project / "big.py").read_text() == big
    assert _lint(capsys, "--list-parsed", "big.py", "good.py")[1] == "good.py\n"


def test_stdin_over_the_default_size_limit_is_not_read_whole(project, capsys, monkeypatch):
    data = b"import pymongo\n" + b"#" * (11 * 1024 * 1024) + b"\n"
    code, out, err = _lint(capsys, "-", "--stdin-filename", "in.py", stdin=data, monkeypatch=monkeypatch)
    assert err == "mongolint: in.py: not checked: too large (11.0 MB; `max-file-size` is 10 MB)\n"
    assert (code, out) == (0, "")


def test_stdin_has_the_time_limit(project, capsys, monkeypatch):
    _config(project, **{"file-timeout": 1})
    patch_rule(monkeypatch, _sleep)
    started = time.monotonic()
    code, _, err = _lint(capsys, "-", "--stdin-filename", "in.py", stdin=(DRIVER_CODE + MARKER).encode(),
                         monkeypatch=monkeypatch)
    assert time.monotonic() - started < 25
    assert err == ("mongolint: in.py: internal error: checking took longer than 1 s (`file-timeout`); "
                   "the file was not checked\n")
    assert code == 2


@pytest.mark.parametrize("where", ["file", "stdin"])
def test_a_worker_past_the_memory_limit_reports_the_file_too_large(project, capsys, monkeypatch, where):
    _config(project, **{"memory-limit": 256})
    patch_rule(monkeypatch, _allocate_two_gigabytes)
    (project / "heavy.py").write_text(DRIVER_CODE + MARKER + "\n")
    message = "not checked: too large (checking it needs more than `memory-limit`, 256 MB)"
    if where == "file":
        code, out, err = _lint(capsys, "--jobs", "1", "heavy.py", "good.py")
        assert err == f"mongolint: heavy.py: {message}\n"
        assert code == 1 and out.startswith("good.py:")  # the next file, in a fresh worker or the same one
    else:
        code, out, err = _lint(capsys, "-", "--stdin-filename", "in.py", stdin=(DRIVER_CODE + MARKER).encode(),
                               monkeypatch=monkeypatch)
        assert (code, out, err) == (0, "", f"mongolint: in.py: {message}\n")


def test_libcst_out_of_memory_is_one_line_not_a_native_backtrace(project):
    """LibCST's parser is native code: it aborts the worker when an allocation fails."""
    _config(project, **{"memory-limit": 32})
    (project / "many.py").write_text(DRIVER_CODE + "".join(f"x{i} = {i}\n" for i in range(20_000)))
    result = subprocess.run([sys.executable, "-m", "mongolint", "--no-cache", "--format", "concise", "--jobs", "1",
                             "many.py", "good.py"], cwd=project, capture_output=True, text=True, timeout=TIMEOUT)
    assert result.stderr == ("mongolint: many.py: not checked: too large "
                             "(checking it needs more than `memory-limit`, 32 MB)\n")
    assert result.returncode == 1 and result.stdout.startswith("good.py:")


@pytest.mark.parametrize("value", ["-1", "'big'", "true"])
def test_bad_limit_values_are_configuration_errors(project, capsys, value):
    for key in ("max-file-size", "memory-limit"):
        _config(project, **{key: value})
        code, _, err = _lint(capsys, "good.py")
        assert code == 2 and f"`{key}` must be a number of megabytes (0: no limit)" in err


# -- the flake8 plugin ---------------------------------------------------------------

def _plugin_results(path):
    flake8_plugin._SETTINGS.clear()
    flake8_plugin._TABLES.clear()
    lines = path.read_text().splitlines(keepends=True)
    return [message for _, _, message, _ in flake8_plugin.MongolintChecker(None, str(path), lines).run()]


def test_flake8_plugin_has_the_time_limit(project, monkeypatch):
    _config(project, **{"file-timeout": 1})
    patch_rule(monkeypatch, _sleep)
    (project / "slow.py").write_text(DRIVER_CODE + MARKER + "\n")
    started = time.monotonic()
    assert _plugin_results(project / "slow.py") == [
        "MGL000 mongolint could not check this file: internal error: checking took longer than 1 s "
        "(`file-timeout`); the file was not checked"]
    assert time.monotonic() - started < 25
    assert {m.split()[0] for m in _plugin_results(project / "good.py")} == {"MGL102", "MGL103"}


def test_flake8_plugin_has_the_memory_limit(project, monkeypatch):
    _config(project, **{"memory-limit": 256})
    patch_rule(monkeypatch, _allocate_two_gigabytes)
    (project / "heavy.py").write_text(DRIVER_CODE + MARKER + "\n")
    assert _plugin_results(project / "heavy.py") == [
        "MGL000 mongolint could not check this file: not checked: too large "
        "(checking it needs more than `memory-limit`, 256 MB)"]


def test_flake8_has_the_size_limit(project):
    """Through the real flake8."""
    _config(project, **{"max-file-size": 0.01})
    (project / "big.py").write_text(DRIVER_CODE + "# padding\n" * 2000)
    result = subprocess.run([sys.executable, "-m", "flake8", "--isolated", "--select", "MGL", "big.py", "good.py"],
                            cwd=project, capture_output=True, text=True, timeout=TIMEOUT)
    lines = result.stdout.splitlines()
    assert "big.py:1:1: MGL000 mongolint could not check this file: not checked: too large " \
           "(20 KB; `max-file-size` is 0.01 MB)" in lines
    assert [line for line in lines if line.startswith("big.py")] == lines[:1]
    assert any(line.startswith("good.py") for line in lines) and result.stderr == ""
