"""File names that are not plain text: bytes that are not UTF-8, newlines,
terminal escape sequences, non-ASCII letters on a stdout that is not UTF-8.
Every format prints them escaped (or, in URIs, percent-encoded), one finding per
line, and JSON stays valid JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from mongolint.output.names import display_path

pytestmark = pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="names that are not UTF-8")

LEAK = ("from pymongo import MongoClient\n\ndef leak(uri):\n    c = MongoClient(uri)\n"
        "    c.shop.orders.find_one()\n")
NAMES = {  # name on disk -> as printed
    b"caf\xe9.py": "caf\\xe9.py",
    "new\nline.py".encode(): "new\\nline.py",
    b"esc\x1b[31mred.py": "esc\\x1b[31mred.py",
    "café.py".encode(): "café.py",
    "rtl\u202egnp.py".encode(): "rtl\\u202egnp.py",
}
FORMATS = ["text", "concise", "json", "sarif", "github"]


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    root = tmp_path_factory.mktemp("names")
    (root / "pyproject.toml").write_text("[tool.mongolint]\n")
    for name in NAMES:
        with open(os.path.join(os.fsencode(root), name), "w") as handle:
            handle.write(LEAK)
    with open(os.path.join(os.fsencode(root), b"bin\nary.py"), "wb") as handle:
        handle.write(b"\x00\x01")
    return root


def _run(tree, *args, encoding=None):
    environment = dict(os.environ)
    if encoding:
        environment["PYTHONIOENCODING"] = encoding
    return subprocess.run([sys.executable, "-m", "mongolint", "--no-cache", *args], cwd=tree, capture_output=True,
                          env=environment, timeout=120)


def _json_name(name: bytes) -> str:
    """JSON escapes control characters itself; only bytes that are not UTF-8 need ours."""
    try:
        return name.decode("utf-8")
    except UnicodeDecodeError:
        return NAMES[name]


@pytest.mark.parametrize("encoding", [None, "ascii", "latin-1"])
@pytest.mark.parametrize("output_format", FORMATS)
def test_every_format_escapes_names(tree, output_format, encoding):
    result = _run(tree, "--format", output_format, ".", encoding=encoding)
    stdout = result.stdout.decode(encoding or "utf-8")  # strict: every byte is in the stream's encoding
    stderr = result.stderr.decode(encoding or "utf-8")
    assert result.returncode == 2 and "Traceback" not in stderr  # the binary file could not be read
    assert b"\x1b" not in result.stdout + result.stderr
    assert stderr == "mongolint: bin\\nary.py: file contains NUL bytes (binary file?)\n"
    if output_format in ("json", "sarif"):
        document = json.loads(stdout)
        if output_format == "json":
            assert sorted(item["filename"] for item in document) == sorted(map(_json_name, NAMES))
        else:
            uris = sorted(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                          for r in document["runs"][0]["results"])
            assert uris == sorted(["caf%E9.py", "new%0Aline.py", "esc%1B%5B31mred.py", "caf%C3%A9.py",
                                   "rtl%E2%80%AEgnp.py"])
    else:
        lines = [line for line in stdout.splitlines() if "MGL102" in line]
        assert len(lines) == len(NAMES)
        for printed in NAMES.values():
            shown = printed if encoding is None or printed.isascii() else printed.encode(
                encoding, "backslashreplace").decode(encoding)
            assert any(shown in line for line in lines), (shown, lines)


def test_diff_and_list_parsed_escape_names(tree):
    result = _run(tree, "--diff", ".")
    stdout = result.stdout.decode()
    assert "--- new\\nline.py\n+++ new\\nline.py\n" in stdout and "--- caf\\xe9.py\n" in stdout
    listed = _run(tree, "--list-parsed", ".").stdout.decode()
    assert "new\\nline.py\n" in listed and "caf\\xe9.py\n" in listed


def test_show_fixes_escapes_names(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.mongolint]\n")
    (tmp_path / "new\nline.py").write_text(LEAK)
    result = _run(tmp_path, "--fix", "--show-fixes", ".")
    assert result.stderr.decode().splitlines()[0].startswith("new\\nline.py: fixed MGL102: ")


def test_the_fix_summary_comes_after_the_lines_it_sums_up(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.mongolint]\n")
    (tmp_path / "a.py").write_text(LEAK)
    (tmp_path / "b.py").write_text(LEAK)
    os.chmod(tmp_path / "a.py", 0o444)
    result = _run(tmp_path, "--fix", "a.py", "b.py")
    assert result.stderr.decode().splitlines() == ["mongolint: a.py: not fixed: the file is read-only",
                                                   "Fixed 1 finding, 1 remaining."]


@pytest.mark.parametrize("name, shown", [("plain/dir/file.py", "plain/dir/file.py"), ("tab\there", "tab\\there"),
                                         ("\x7fdel\x85", "\\x7fdel\\x85"), ("cr\r", "cr\\r"),
                                         ("\udcff\udc80", "\\xff\\x80"), ("日本語.py", "日本語.py")])
def test_display_path(name, shown):
    assert display_path(name) == shown
