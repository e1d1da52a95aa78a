"""Inputs built to break a tool: a deeply nested pyproject.toml, a BOM that
contradicts the encoding cookie. Each is one line, never a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest

from mongolint.source import DecodeError, decode

DRIVER_CODE = "import pymongo\n\nclient = pymongo.MongoClient()\nclient.db.c.find_one()\n"
TIMEOUT = 120


def _nested_toml(depth: int) -> str:
    return "[tool.mongolint]\n\n[tool.other]\nvalue = " + "[" * depth + "]" * depth + "\n"


@pytest.mark.parametrize("depth", [500, 5000])
def test_a_deeply_nested_pyproject_is_one_line_and_exit_2(tmp_path, depth):
    (tmp_path / "pyproject.toml").write_text(_nested_toml(depth))
    (tmp_path / "good.py").write_text(DRIVER_CODE)
    result = subprocess.run([sys.executable, "-m", "mongolint", "good.py"], cwd=tmp_path, capture_output=True,
                            text=True, timeout=TIMEOUT)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.splitlines() == [f"mongolint: error: {tmp_path / 'pyproject.toml'}: invalid TOML: "
                                          "nested too deeply"]


def test_a_deeply_nested_pyproject_under_flake8_has_no_traceback(tmp_path):
    (tmp_path / "pyproject.toml").write_text(_nested_toml(500))
    (tmp_path / "good.py").write_text(DRIVER_CODE)
    result = subprocess.run([sys.executable, "-m", "flake8", "--isolated", "--select", "MGL", "good.py"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=TIMEOUT)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr and "invalid TOML: nested too deeply" in result.stdout + result.stderr


@pytest.mark.parametrize("cookie", ["latin-1", "Latin_1", "iso-8859-1", "iso-latin-1-unix", "cp1252", "euc-jp",
                                    "ascii", "koi8-r"])
def test_a_bom_with_another_cookie_names_the_encoding_python_names(cookie):
    data = b"\xef\xbb\xbf# -*- coding: " + cookie.encode() + b" -*-\n" + DRIVER_CODE.encode()
    with pytest.raises(SyntaxError) as python:
        compile(data, "<bom>", "exec")
    with pytest.raises(DecodeError) as mine:
        decode(data)
    assert str(mine.value) == python.value.msg


def test_a_bom_with_a_cookie_on_the_second_line():
    data = b"\xef\xbb\xbf#!/usr/bin/env python\n# vim: set fileencoding=latin-1 :\n" + DRIVER_CODE.encode()
    with pytest.raises(SyntaxError) as python:
        compile(data, "<bom>", "exec")
    with pytest.raises(DecodeError) as mine:
        decode(data)
    assert str(mine.value) == python.value.msg
