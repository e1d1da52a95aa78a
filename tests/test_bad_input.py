"""Bad input: the matrix of PRODUCT.md's "Bad input", through the command line and
through the flake8 plugin, each in a real subprocess with a timeout.

Every case is a file next to a good one in the same run. For each: a one-line
message for that file (or the findings Python's own reading of it implies), the
good file still reported, exit 2 only for configuration and internal errors,
never a traceback, never a hang. Files that use the driver make sure the
pre-filter lets them through, so the parser really runs. See docs/reliability.md.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Set, Tuple

import pytest

TIMEOUT = 300  # per subprocess: a hang fails the test instead of the suite

DRIVER_CODE = """\
import pymongo


def load(items):
    for item in items:
        client = pymongo.MongoClient()
        client.db.things.insert_one(item)
"""
DRIVER_LINE = 6  # where MongoClient() is: MGL102 and MGL103, column 18
BOTH = {"MGL102", "MGL103"}
HAS_FLAKE8_PLUGIN = (Path(__file__).resolve().parent.parent / "mongolint" / "flake8_plugin.py").exists()


def python_syntax_error(data: bytes) -> Tuple[int, int, str]:
    """Where and why Python itself refuses the code."""
    try:
        compile(data, "case.py", "exec", dont_inherit=True)
    except SyntaxError as error:
        return error.lineno, error.offset, error.msg
    except RecursionError:
        return 0, 0, "RecursionError"
    raise AssertionError("Python accepts this code")


@dataclass
class Case:
    name: str  # the file name in the matrix directory
    data: Callable[[], bytes]
    expect: str  # "findings", "syntax", "error" or "clean"
    codes: Set[str] = None
    line: int = DRIVER_LINE
    column: int = 18  # in characters, as Python counts them (a tab is one)
    message: str = ""  # in the one-line error, for "error"
    # Under flake8: "same" findings, "E9" (flake8's own E902/E999), "MGL000" (the
    # plugin's line for a file it could not check), "quiet", "any" (flake8 decodes
    # the file its own way, falling back to latin-1, and the plugin checks what
    # flake8 hands it), or "skip".
    flake8: str = "same"


def _with_endings(text: str, ending: str) -> bytes:
    return text.replace("\n", ending).encode("utf-8")


def _nested_ifs(levels: int) -> bytes:
    lines = ["import pymongo", "", "def deep(x):"]
    for level in range(levels):
        lines.append("    " * (level + 1) + "if x:")
    lines.append("    " * (levels + 1) + "client = pymongo.MongoClient()")
    return ("\n".join(lines) + "\n").encode()


def _nested_defs(levels: int) -> bytes:
    lines = ["import pymongo", ""]
    for level in range(levels):
        lines.append("    " * level + f"def f{level}(items):")
    lines.append("    " * levels + "for item in items:")
    lines.append("    " * (levels + 1) + "client = pymongo.MongoClient()")
    return ("\n".join(lines) + "\n").encode()


ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _big_file() -> bytes:
    """5 MB, like generated code: serialized descriptors between small functions."""
    parts, size, index = [DRIVER_CODE, "\n\n"], 0, 0
    while size < 5_000_000:
        rows = "".join(f"    b'\\x0a\\x0b{index:06}{row:04}{ALPHABET}'\n" for row in range(100))
        chunk = f"DESCRIPTOR_{index} = (\n{rows})\n\n\ndef helper_{index}(value):\n    return value + {index}\n\n"
        parts.append(chunk)
        size += len(chunk)
        index += 1
    return "".join(parts).encode()


def _random_bytes(size: int, seed: int, nul: bool) -> bytes:
    import random

    generator = random.Random(seed)
    data = bytes(generator.randrange(256) for _ in range(size))
    return data if nul else data.replace(b"\x00", b"\xff") + b"\xff"


CASES: List[Case] = [
    Case("good.py", lambda: DRIVER_CODE.encode(), "findings", BOTH),
    Case("syntax_error.py", lambda: b"import pymongo\n\ndef f(:\n    pymongo.MongoClient()\n", "syntax", flake8="E9"),
    Case("syntax_unclosed.py", lambda: b"import pymongo\nclient = pymongo.MongoClient(\n", "syntax", flake8="E9"),
    Case("syntax_indent.py", lambda: b"import pymongo\ndef f():\nreturn pymongo.MongoClient()\n", "syntax",
         flake8="E9"),
    Case("latin1.py", lambda: ("# -*- coding: latin-1 -*-\n# caf\xe9\n" + DRIVER_CODE).encode("latin-1"),
         "findings", BOTH, line=DRIVER_LINE + 2),
    Case("cp1252.py", lambda: ("# coding: cp1252\nPRICE = '\u20ac 3'\n" + DRIVER_CODE).encode("cp1252"),
         "findings", BOTH, line=DRIVER_LINE + 2),
    Case("vim_cookie.py", lambda: ("#!/usr/bin/env python\n# vim: set fileencoding=iso-8859-15 :\n# \u20ac\n"
                                   + DRIVER_CODE).encode("iso-8859-15"), "findings", BOTH, line=DRIVER_LINE + 3),
    # Python refuses a utf-16 cookie (the encoding is not ASCII-compatible) and
    # UTF-16 files (NUL bytes); so does mongolint, in one line.
    Case("utf16_cookie.py", lambda: b"# coding: utf-16\n" + DRIVER_CODE.encode(), "error",
         message="encoding problem: utf-16", flake8="any"),
    Case("utf16_bom.py", lambda: ("# coding: utf-16\n" + DRIVER_CODE).encode("utf-16"), "error",
         message="UTF-16 or UTF-32", flake8="E9"),
    Case("unknown_cookie.py", lambda: b"# coding: no-such-codec\n" + DRIVER_CODE.encode(), "error",
         message="unknown encoding: no-such-codec", flake8="any"),
    Case("bom.py", lambda: b"\xef\xbb\xbf" + DRIVER_CODE.encode(), "findings", BOTH),
    Case("bom_and_latin1_cookie.py", lambda: b"\xef\xbb\xbf# coding: latin-1\n" + DRIVER_CODE.encode(), "error",
         message="encoding problem", flake8="any"),
    Case("crlf.py", lambda: _with_endings(DRIVER_CODE, "\r\n"), "findings", BOTH),
    Case("cr_only.py", lambda: _with_endings(DRIVER_CODE, "\r"), "findings", BOTH),
    Case("mixed_endings.py", lambda: b"import pymongo\r\n\n\r\ndef load(items):\r    for item in items:\n"
                                     b"        client = pymongo.MongoClient()\r\n", "findings", BOTH),
    Case("tabs.py", lambda: DRIVER_CODE.replace("        ", "\t\t").replace("    ", "\t").encode(), "findings", BOTH,
         column=12),
    Case("form_feed.py", lambda: DRIVER_CODE.replace("\n\n\n", "\n\x0c\n\x0c\n").replace(
        "client.db", "\x0cclient.db").encode(), "findings", BOTH),
    # Python accepts a form feed before an indent; LibCST does not: no false MGL000.
    Case("form_feed_indent.py", lambda: DRIVER_CODE.replace("    for", "\x0c    for").encode(), "error",
         message="not checked: LibCST cannot parse this file, though Python accepts it", flake8="MGL000"),
    Case("empty.py", lambda: b"", "clean"),
    Case("only_comments.py", lambda: b"# pymongo is mentioned here, nothing else\n", "clean"),
    Case("binary.py", lambda: _random_bytes(4096, 1, nul=True), "error", message="NUL bytes", flake8="E9"),
    Case("binary_no_nul.py", lambda: _random_bytes(4096, 2, nul=False), "error", message="encoding",
         flake8="quiet"),
    Case("invalid_utf8.py", lambda: DRIVER_CODE.encode() + b"NAME = '\xff\xfe'\n", "error",
         message="cannot decode as utf-8", flake8="any"),
    Case("big_5mb.py", _big_file, "findings", BOTH),
    Case("long_string_line.py", lambda: (DRIVER_CODE + "TEXT = '" + "x" * 10_000 + "'\n").encode(), "findings", BOTH),
    Case("long_code_line.py", lambda: (DRIVER_CODE + "VALUES = [" + ", ".join(["item"] * 2_000) + "]\n").encode(),
         "findings", BOTH),
    # Python allows 200 nested brackets; LibCST accepts more, and slowly.
    Case("parens_150.py", lambda: (DRIVER_CODE + "x = " + "(" * 150 + "1" + ")" * 150 + "\n").encode(),
         "findings", BOTH),
    Case("lists_150.py", lambda: (DRIVER_CODE + "x = " + "[" * 150 + "]" * 150 + "\n").encode(),
         "findings", BOTH),
    Case("parens_2000.py", lambda: (DRIVER_CODE + "x = " + "(" * 2000 + "1" + ")" * 2000 + "\n").encode(),
         "syntax", flake8="E9"),
    Case("calls_2000.py", lambda: (DRIVER_CODE + "x = " + "f(" * 2000 + ")" * 2000 + "\n").encode(),
         "syntax", flake8="E9"),
    # Python's compiler gives up on a chain this long (whatever its version).
    Case("chain_10000.py", lambda: (DRIVER_CODE + "x = " + " + ".join(["a"] * 10_000) + "\n").encode(), "error",
         message="not checked: nesting too deep", flake8="skip"),  # flake8's own ast.parse raises RecursionError
    # Python allows 100 indentation levels.
    Case("ifs_99.py", lambda: _nested_ifs(98), "findings", {"MGL102"}, line=102, column=4 * 99 + 10),
    Case("ifs_300.py", lambda: _nested_ifs(300), "syntax", flake8="E9"),
    Case("defs_90.py", lambda: _nested_defs(90), "findings", BOTH, line=94, column=4 * 91 + 10),
    Case("unicode name \u00e9.py", lambda: DRIVER_CODE.encode(), "findings", BOTH),
]
CASES_BY_NAME = {case.name: case for case in CASES}


def _make_tree(root: Path) -> Path:
    tree = root / "matrix"
    tree.mkdir()
    # 5 MB takes seconds of CPU but can pass 60 s of wall-clock time on a loaded machine; the
    # limit stays below the subprocess TIMEOUT so that a hang still shows as a cut-off file.
    (tree / "pyproject.toml").write_text("[tool.mongolint]\nfile-timeout = 240\n")
    for case in CASES:
        (tree / case.name).write_bytes(case.data())
    # Directory-walk oddities, next to the files.
    (tree / "broken_link.py").symlink_to(tree / "no_such_file.py")
    (tree / "self_link.py").symlink_to(tree / "self_link.py")
    (tree / "loop").mkdir()
    (tree / "loop" / "up").symlink_to(tree)  # a symlink loop: the tree again
    (tree / "package.py").mkdir()  # a directory named like a module
    (tree / "package.py" / "inside.py").write_bytes(DRIVER_CODE.encode())
    return tree


@pytest.fixture(scope="module")
def matrix(tmp_path_factory) -> Path:
    return _make_tree(tmp_path_factory.mktemp("bad"))


def _env() -> Dict[str, str]:
    env = dict(os.environ)
    env.update(PYTHONIOENCODING="utf-8", NO_COLOR="1")
    return env


def run(args: List[str], cwd: Path, timeout: float = TIMEOUT) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, timeout=timeout, env=_env())
    result.stdout = result.stdout.decode("utf-8", "replace")
    result.stderr = result.stderr.decode("utf-8", "replace")
    assert "Traceback" not in result.stderr, result.stderr
    assert "Traceback" not in result.stdout, result.stdout
    return result


def mongolint(*args: str, cwd: Path, timeout: float = TIMEOUT) -> subprocess.CompletedProcess:
    return run(["-m", "mongolint", "--no-cache", *args], cwd, timeout)


def flake8(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return run(["-m", "flake8", "--isolated", "--select", "MGL,E9", *args], cwd)


_LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<column>\d+): (?P<code>[A-Z]+\d+)")


def findings(stdout: str) -> Dict[str, List[Tuple[int, int, str]]]:
    """basename -> [(line, column, code)]"""
    found: Dict[str, List[Tuple[int, int, str]]] = {}
    for line in stdout.splitlines():
        match = _LINE.match(line)
        if match:
            found.setdefault(os.path.basename(match["path"]), []).append(
                (int(match["line"]), int(match["column"]), match["code"]))
    return found


def problems(stderr: str) -> Dict[str, List[str]]:
    """basename -> the `mongolint: path: problem` lines."""
    found: Dict[str, List[str]] = {}
    for line in stderr.splitlines():
        if line.startswith("mongolint: ") and ": " in line[len("mongolint: "):]:
            path, problem = line[len("mongolint: "):].split(": ", 1)
            found.setdefault(os.path.basename(path), []).append(problem)
    return found


def assert_case(case: Case, found, errors, tree: Path) -> None:
    mine = found.get(case.name, [])
    my_errors = errors.get(case.name, [])
    if case.expect == "findings":
        assert {code for _, _, code in mine} == case.codes, (mine, my_errors)
        assert all((line, column) == (case.line, case.column) for line, column, _ in mine), mine
        assert not my_errors
    elif case.expect == "syntax":
        line, offset, message = python_syntax_error((tree / case.name).read_bytes())
        assert mine == [(line, max(1, offset), "MGL000")], (mine, message)
        assert not my_errors
    elif case.expect == "error":
        assert not mine
        assert len(my_errors) == 1 and case.message in my_errors[0], my_errors
        assert "internal error" not in my_errors[0]
    else:
        assert not mine and not my_errors, (mine, my_errors)


# -- the command line ---------------------------------------------------------------

@pytest.fixture(scope="module")
def whole_run(matrix) -> subprocess.CompletedProcess:
    """Every case in one run over the directory, two jobs."""
    return mongolint("--jobs", "2", ".", cwd=matrix)


@pytest.mark.parametrize("name", [case.name for case in CASES])
def test_cli_reports_each_case_and_goes_on(whole_run, matrix, name):
    assert whole_run.returncode == 2, whole_run.stderr  # files it could not read: never a green run
    assert_case(CASES_BY_NAME[name], findings(whole_run.stdout), problems(whole_run.stderr), matrix)


def test_cli_directory_oddities(whole_run):
    errors = problems(whole_run.stderr)
    assert errors["broken_link.py"] == ["broken symbolic link"]
    assert errors["self_link.py"] == ["broken symbolic link"]
    found = findings(whole_run.stdout)
    # A directory named x.py is walked, and the symlink loop visits the tree once.
    assert {code for _, _, code in found["inside.py"]} == BOTH
    assert len(found["good.py"]) == 2
    assert "package.py" not in errors and "package.py" not in found


def test_cli_one_line_per_problem(whole_run):
    for line in whole_run.stderr.splitlines():
        assert line.startswith("mongolint: "), line


@pytest.mark.parametrize("name", [case.name for case in CASES if case.name != "good.py"])
def test_cli_each_case_alone_with_a_good_file(matrix, name):
    """Explicit file arguments, one job: the same answer, and good.py still checked."""
    case = CASES_BY_NAME[name]
    if case.name == "big_5mb.py":
        pytest.skip("checked in the whole run; twice costs too much")
    result = mongolint("--jobs", "1", name, "good.py", cwd=matrix)
    assert result.returncode == _exit_code_with_good_file(case), result.stderr
    found, errors = findings(result.stdout), problems(result.stderr)
    assert_case(case, found, errors, matrix)
    assert {code for _, _, code in found["good.py"]} == BOTH


def _exit_code_with_good_file(case: Case) -> int:
    """1 for good.py's findings; 2 when the case could not be read (a limit of
    mongolint's own, `not checked: ...`, does not fail the run)."""
    return 2 if case.expect == "error" and not case.message.startswith("not checked") else 1


def test_cli_explicit_broken_link_and_missing_file(matrix):
    result = mongolint("broken_link.py", "no_such_file.py", "good.py", cwd=matrix)
    assert result.returncode == 2
    errors = problems(result.stderr)
    assert errors["broken_link.py"] == ["broken symbolic link"]
    assert errors["no_such_file.py"] == ["no such file or directory"]


def test_cli_directory_named_like_a_module(matrix):
    result = mongolint("package.py", cwd=matrix)
    assert result.returncode == 1
    assert {code for _, _, code in findings(result.stdout)["inside.py"]} == BOTH


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root reads files whatever their mode")
def test_cli_unreadable_file(tmp_path):
    (tmp_path / "good.py").write_text(DRIVER_CODE)
    secret = tmp_path / "secret.py"
    secret.write_text(DRIVER_CODE)
    secret.chmod(0)
    try:
        result = mongolint("secret.py", "good.py", cwd=tmp_path)
    finally:
        secret.chmod(0o644)
    assert result.returncode == 2
    assert problems(result.stderr)["secret.py"] == ["cannot read: Permission denied"]
    assert "good.py" in findings(result.stdout)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs and sockets")
@pytest.mark.parametrize("how", ["explicit", "walked"])
def test_cli_special_files_named_py(tmp_path, how):
    """A FIFO named .py made the run hang for ever (reading it blocks); a socket
    cannot be opened. Each is reported, and the run goes on."""
    import socket

    (tmp_path / "good.py").write_text(DRIVER_CODE)
    os.mkfifo(tmp_path / "pipe.py")
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(tmp_path / "socket.py"))
        args = ["pipe.py", "socket.py", "good.py"] if how == "explicit" else ["."]
        result = mongolint(*args, cwd=tmp_path, timeout=60)
    finally:
        server.close()
    assert result.returncode == 2
    errors = problems(result.stderr)
    assert errors["pipe.py"] == ["not a regular file"]
    assert errors["socket.py"] == ["not a regular file"]
    assert "good.py" in findings(result.stdout)


def test_cli_stdin_with_bad_bytes(tmp_path):
    for data, message in ((b"\x00\x01binary", "NUL bytes"), (b"import pymongo\nx = '\xff'\n", "cannot decode")):
        result = subprocess.run([sys.executable, "-m", "mongolint", "--no-cache", "-", "--stdin-filename", "in.py"],
                                cwd=tmp_path, input=data, capture_output=True, timeout=TIMEOUT, env=_env())
        stderr = result.stderr.decode()
        assert "Traceback" not in stderr
        assert result.returncode == 2
        assert message in problems(stderr)["in.py"][0]


def test_cli_a_slow_file_is_cut_off_by_the_time_limit(tmp_path):
    """A file that would take long (1 MB of dense driver code) past `file-timeout`."""
    (tmp_path / "pyproject.toml").write_text("[tool.mongolint]\nfile-timeout = 0.5\n")
    (tmp_path / "good.py").write_text(DRIVER_CODE)
    body = "".join(f"def g{i}(items):\n    for item in items:\n        client = pymongo.MongoClient()\n"
                   f"        client.db.c.insert_one(item)\n" for i in range(10_000))
    (tmp_path / "dense.py").write_text("import pymongo\n" + body)
    result = mongolint("dense.py", "good.py", cwd=tmp_path, timeout=120)
    assert result.returncode == 2
    assert problems(result.stderr)["dense.py"] == [
        "internal error: checking took longer than 0.5 s (`file-timeout`); the file was not checked"]
    assert {code for _, _, code in findings(result.stdout)["good.py"]} == BOTH


# -- fixing bad input ------------------------------------------------------------------

def test_fix_on_the_matrix_loses_nothing(matrix, tmp_path):
    tree = tmp_path / "copy"
    shutil.copytree(matrix, tree, symlinks=True, ignore=shutil.ignore_patterns("big_5mb.py", "loop"))
    before = {path.name: path.read_bytes() for path in tree.iterdir() if path.is_file() and not path.is_symlink()}
    result = mongolint("--fix", "--unsafe-fixes", "--jobs", "2", ".", cwd=tree)
    assert result.returncode == 2 and "internal error" not in result.stderr, result.stderr  # unreadable files
    errors = problems(result.stderr)
    for name, data in before.items():
        after = (tree / name).read_bytes()
        case = CASES_BY_NAME.get(name)
        if case is None or case.expect != "findings":
            assert after == data, f"{name} changed though it has nothing to fix"
            continue
        if case.codes == BOTH:  # both have fixes
            assert after != data, f"{name} was not fixed: {errors.get(name)}"
        # The fixed file still parses as Python reads it, in the same encoding,
        # with the same BOM and line endings.
        compile(after, name, "exec", dont_inherit=True)
        assert after.startswith(b"\xef\xbb\xbf") == data.startswith(b"\xef\xbb\xbf")
        assert (b"\r\n" in after) == (b"\r\n" in data)
        if name == "crlf.py":
            assert b"\n" not in after.replace(b"\r\n", b"")
        if name == "latin1.py":
            assert "# caf\xe9".encode("latin-1") in after
    again = mongolint("--fix", "--unsafe-fixes", ".", cwd=tree)
    assert "Fixed 0 findings" in again.stderr


# -- configuration ----------------------------------------------------------------------

CONFIG_CASES = {
    "malformed": (b"[tool.mongolint\nselect = [\n", "invalid TOML"),
    "unknown_key": (b"[tool.mongolint]\nselct = ['MGL1']\n", "unknown key `selct`"),
    "bad_value": (b"[tool.mongolint]\nselect = 'MGL1'\n", "`select` must be a list of strings"),
    "unknown_code": (b"[tool.mongolint]\nselect = ['MGL999']\n", "unknown rule selector `MGL999`"),
    "not_a_table": (b"[tool]\nmongolint = 3\n", "[tool.mongolint] must be a table"),
    "tool_not_a_table": (b"tool = 3\n", "`tool` must be a table"),
    "not_utf8": (b"[tool.mongolint]\nselect = ['MGL1'] # caf\xe9\n", "invalid TOML"),
    "bad_timeout": (b"[tool.mongolint]\nfile-timeout = 'long'\n", "`file-timeout` must be a number"),
}


@pytest.mark.parametrize("name", sorted(CONFIG_CASES))
def test_cli_bad_configuration_is_exit_2_in_one_line(tmp_path, name):
    content, message = CONFIG_CASES[name]
    (tmp_path / "pyproject.toml").write_bytes(content)
    (tmp_path / "good.py").write_text(DRIVER_CODE)
    result = mongolint("good.py", cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("mongolint: error: ") and message in lines[0], lines
    assert result.stdout == ""


# -- the flake8 plugin ------------------------------------------------------------------

needs_plugin = pytest.mark.skipif(not HAS_FLAKE8_PLUGIN, reason="mongolint/flake8_plugin.py is not written yet")


@pytest.fixture(scope="module")
def flake8_run(matrix) -> subprocess.CompletedProcess:
    # big_5mb.py: flake8's own checkers take minutes on it (mongolint's run covers it).
    return flake8("--jobs", "2", "--exclude", "chain_10000.py,big_5mb.py,loop", ".", cwd=matrix)


@needs_plugin
@pytest.mark.parametrize("name", [case.name for case in CASES
                                  if case.flake8 != "skip" and case.name != "big_5mb.py"])
def test_flake8_reports_each_case_and_goes_on(flake8_run, matrix, name):
    case = CASES_BY_NAME[name]
    assert flake8_run.returncode == 1, flake8_run.stderr
    assert flake8_run.stderr == ""
    mine = findings(flake8_run.stdout).get(name, [])
    codes = {code for _, _, code in mine}
    if case.flake8 == "any":
        return  # no traceback, and the run went on: checked by the fixture
    if case.flake8 == "MGL000":
        assert codes == {"MGL000"}, mine
    elif case.flake8 == "E9":
        assert codes and all(code.startswith("E9") for code in codes), mine  # flake8's own E902/E999
    elif case.flake8 == "quiet" or case.expect in ("error", "clean"):
        assert not codes - {"E902", "E999"}, mine
    elif case.expect == "syntax":
        assert codes == {"E999"}, mine
    else:
        assert codes == case.codes, mine
        assert all((line, column) == (case.line, case.column) for line, column, _ in mine), mine


@needs_plugin
def test_flake8_directory_oddities(flake8_run):
    found = findings(flake8_run.stdout)
    assert {code for _, _, code in found["inside.py"]} == BOTH
    assert {code for _, _, code in found["broken_link.py"]} == {"E902"}


@needs_plugin
def test_flake8_big_file(matrix, tmp_path):
    # The plugin obeys `file-timeout` too; on a loaded machine 5 MB can take longer than 60 s.
    (tmp_path / "pyproject.toml").write_text("[tool.mongolint]\nfile-timeout = 0\n")
    shutil.copy(matrix / "big_5mb.py", tmp_path / "big_5mb.py")
    result = flake8("--select", "MGL", "big_5mb.py", cwd=tmp_path)
    assert result.returncode == 1 and result.stderr == ""
    assert {code for _, _, code in findings(result.stdout)["big_5mb.py"]} == BOTH


@needs_plugin
@pytest.mark.parametrize("name", sorted(CONFIG_CASES))
def test_flake8_bad_configuration_has_no_traceback(tmp_path, name):
    content, message = CONFIG_CASES[name]
    (tmp_path / "pyproject.toml").write_bytes(content)
    (tmp_path / "good.py").write_text(DRIVER_CODE)
    result = flake8("good.py", cwd=tmp_path)
    assert result.returncode != 0
    assert message in result.stdout + result.stderr


# -- many driver objects in one file -------------------------------------------------

def test_the_work_grows_linearly_with_the_clients_in_a_file(monkeypatch):
    """A 5 MB file of driver code ran for many minutes: MGL102 looked every use of
    `client` in the whole file up again for each of its clients (quadratic)."""
    from mongolint import engine
    from mongolint.config import Settings
    from mongolint.model import SemanticModel

    calls = []
    original = SemanticModel.scope_of
    monkeypatch.setattr(SemanticModel, "scope_of", lambda self, node: calls.append(1) or original(self, node))

    def cost(functions: int) -> int:
        calls.clear()
        body = "".join(f"def g{i}(items):\n    for item in items:\n        client = pymongo.MongoClient()\n"
                       f"        client.db.c.insert_one(item)\n        client.close()\n" for i in range(functions))
        report = engine.check_text("many.py", "import pymongo\n" + body, Settings())
        assert len(report.findings) == 2 * functions and not report.internal_errors
        return len(calls)

    small, large = cost(100), cost(400)
    assert large < 6 * small, (small, large)  # quadratic work would be 16 times


def test_deep_nesting_runs_on_a_big_stack(tmp_path):
    """LibCST's native parser recursed past the main thread's 8 MB stack at about
    1,500 nested brackets and killed the process (SIGSEGV): the engine parses on a
    thread with a big stack. In a subprocess, so a regression cannot take pytest down."""
    code = ("import libcst\nfrom mongolint import engine\n"
            "module = engine.run_deep(libcst.parse_module, 'x = ' + '(' * 5000 + '1' + ')' * 5000 + '\\n')\n"
            "print(type(module).__name__)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=TIMEOUT)
    assert (result.returncode, result.stdout.strip()) == (0, "Module"), result.stderr


def test_python_warnings_about_the_code_are_not_printed():
    """Asking Python where a syntax error is must not print its warnings about the
    code (an invalid escape: DeprecationWarning, SyntaxWarning from 3.12)."""
    import warnings

    from mongolint import engine
    from mongolint.config import Settings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report = engine.check_text("w.py", 'import pymongo\nPATTERN = "\\d+"\ndef f(:\n    pass\n', Settings())
    assert [f.code for f in report.findings] == ["MGL000"]
    assert [str(w.message) for w in caught] == []


def test_fix_prints_no_python_warnings_about_the_code(tmp_path):
    """Compiling the fixed text to check it printed Python's SyntaxWarnings about
    the user's code (`x is 1`) on stderr."""
    (tmp_path / "warns.py").write_text("import pymongo\n\ndef f(items, x):\n    if x is 1:\n        pass\n"
                                       "    for item in items:\n        client = pymongo.MongoClient()\n")
    result = mongolint("--fix", "--unsafe-fixes", "warns.py", cwd=tmp_path)
    assert "Warning" not in result.stderr, result.stderr
    assert "Fixed 1 finding" in result.stderr
