"""Configuration, selection, noqa and exit codes, as a user meets them."""

from __future__ import annotations

import subprocess
import sys

import pytest

from mongolint.config import ConfigError, Settings, from_table
from mongolint.engine import check_text

LEAK = ("import pymongo\n\ndef report(uri):\n    client = pymongo.MongoClient(uri)\n"
        "    return client.shop.orders.find_one()\n")


def _run(*args, cwd, stdin=None):
    return subprocess.run([sys.executable, "-m", "mongolint", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120, input=stdin)


def _codes(text, **settings):
    settings.setdefault("ignore", ("MGL001",))  # about what noqa silences, not what is stale
    return [f.code for f in check_text("app.py", text, Settings(**settings)).findings]


def test_select_and_ignore_take_codes_and_prefixes():
    assert _codes(LEAK) == ["MGL102"]
    assert _codes(LEAK, select=("MGL2",)) == []
    assert _codes(LEAK, select=("MGL1",)) == ["MGL102"]
    assert _codes(LEAK, ignore=("MGL10",)) == []
    assert _codes(LEAK, select=("MGL",), ignore=("MGL103",)) == ["MGL102"]


@pytest.mark.parametrize("comment, silenced", [
    ("  # noqa", True), ("  # noqa: MGL102", True), ("  # NOQA:MGL102,MGL101", True),
    ("  # noqa: MGL101", False), ("  # noqa: E501", False), ("  # a comment about noqa", False),
])
def test_noqa_on_the_reported_line(comment, silenced):
    text = LEAK.replace("MongoClient(uri)\n", "MongoClient(uri)" + comment + "\n")
    assert (_codes(text) == []) is silenced


def test_client_factories_from_configuration():
    code = ("import pymongo\nfrom app.db import get_client\n\nasync def report():\n"
            "    client = get_client()\n    return await client.shop.orders.find_one({})\n")
    assert _codes(code) == []
    assert _codes(code, client_factories=frozenset({"app.db.get_client"})) == ["MGL301"]


@pytest.mark.parametrize("table, message", [
    ({"selct": ["MGL"]}, "unknown key `selct`"),
    ({"select": "MGL101"}, "`select` must be a list of strings"),
    ({"ignore": ["XYZ1"]}, "unknown rule selector `XYZ1`"),
    ({"unsafe-fixes": "yes"}, "`unsafe-fixes` must be true or false"),
    ({"project-index": "off"}, "`project-index` must be true or false"),
    ({"per-file-ignores": ["tests/*"]}, "`per-file-ignores` must be a table"),
    ({"per-file-ignores": {"tests/*": ["MGL999x"]}}, "unknown rule selector"),
])
def test_bad_configuration_names_the_key(table, message):
    with pytest.raises(ConfigError, match=message.replace("`", ".").replace("(", ".")):
        from_table(table, "pyproject.toml")


def test_cli_configuration_error_exits_2(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.mongolint]\nselect = ["MGL"]\nfrobnicate = 1\n')
    (tmp_path / "app.py").write_text(LEAK)
    result = _run("app.py", cwd=tmp_path)
    assert result.returncode == 2 and "frobnicate" in result.stderr and "Traceback" not in result.stderr


def test_cli_reads_pyproject_above_the_paths(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.mongolint]\nper-file-ignores = { "legacy/*" = ["MGL102"] }\n')
    for folder in ("legacy", "app"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "jobs.py").write_text(LEAK)
    result = _run(".", "--format", "concise", "--quiet", "--no-cache", cwd=tmp_path)
    assert result.returncode == 1
    assert "app/jobs.py" in result.stdout and "legacy/jobs.py" not in result.stdout


def test_cli_exit_codes_and_stdin(tmp_path):
    clean = "import pymongo\nclient = pymongo.MongoClient()\n"
    assert _run("-", cwd=tmp_path, stdin=clean).returncode == 0
    found = _run("-", "--stdin-filename", "jobs.py", "--format", "concise", cwd=tmp_path, stdin=LEAK)
    assert found.returncode == 1 and found.stdout.startswith("jobs.py:4:14: MGL102")
    assert _run("-", "--exit-zero", cwd=tmp_path, stdin=LEAK).returncode == 0
    assert _run("--select", "NOPE", "-", cwd=tmp_path, stdin=LEAK).returncode == 2


def test_discovery_skips_gitignored_and_virtualenvs(tmp_path):
    (tmp_path / ".gitignore").write_text("generated/\n")
    for folder in ("generated", "src", ".venv", "build"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "jobs.py").write_text(LEAK)
    result = _run(".", "--format", "concise", "--quiet", "--no-cache", cwd=tmp_path)
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == ["src/jobs.py"]
    explicit = _run("generated/jobs.py", "--format", "concise", "--quiet", "--no-cache", cwd=tmp_path)
    assert explicit.returncode == 1, "an explicit file is always checked"


def test_syntax_error_is_mgl000_not_a_traceback(tmp_path):
    (tmp_path / "broken.py").write_text("import pymongo\ndef f(:\n    pass\n")
    result = _run("broken.py", "--format", "concise", "--quiet", "--no-cache", cwd=tmp_path)
    assert result.returncode == 1 and "broken.py:2:" in result.stdout and "MGL000" in result.stdout
    assert "Traceback" not in result.stderr


def test_syntax_errors_can_be_ignored(tmp_path):
    (tmp_path / "broken.py").write_text("import pymongo\ndef f(:\n    pass\n")
    result = _run("broken.py", "--ignore", "MGL000", "--quiet", "--no-cache", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout == ""


def test_anchored_exclude_matches_only_at_the_root(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.mongolint]\nexclude = ["/build_tools/"]\n')
    for folder in ("build_tools", "src/build_tools"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "jobs.py").write_text(LEAK)
    result = _run(".", "--format", "concise", "--quiet", "--no-cache", cwd=tmp_path)
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == ["src/build_tools/jobs.py"]


def test_a_closed_pipe_is_not_a_traceback(tmp_path):
    # Far more output than a pipe buffers, so the writer really meets the closed pipe.
    body = "".join(f"def report{i}(uri):\n    client = pymongo.MongoClient(uri)\n    client.db.c.find_one()\n"
                   for i in range(1500))
    (tmp_path / "jobs.py").write_text("import pymongo\n" + body)
    pipeline = subprocess.run(
        f"{sys.executable} -m mongolint . --no-cache --jobs 1 | head -1", shell=True, cwd=tmp_path,
        capture_output=True, text=True, timeout=120)
    assert pipeline.stdout.count("\n") == 1
    assert "Traceback" not in pipeline.stderr and "BrokenPipe" not in pipeline.stderr


def test_a_gitignore_applies_to_its_own_directory_only(tmp_path):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "jobs.py").write_text(LEAK)
    (tmp_path / "a" / ".gitignore").write_text("*.py\n")
    result = _run(".", "--format", "concise", "--quiet", "--no-cache", cwd=tmp_path)
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == ["b/jobs.py"]


WRITE_PER_ITEM = (
    "from pymongo import MongoClient\n"
    "coll = MongoClient().db.items\n"
    "for doc in [{}, {}]:\n"
    "    coll.insert_one(doc)\n"
)


def test_off_by_default_rules_are_selected_by_code_family_or_all():
    assert _codes(WRITE_PER_ITEM, select=("MGL",)) == []
    assert _codes(WRITE_PER_ITEM, select=("MGL4",)) == ["MGL404"]
    assert _codes(WRITE_PER_ITEM, select=("MGL404",)) == ["MGL404"]
    assert _codes(WRITE_PER_ITEM, select=("ALL",)) == ["MGL404"]
    assert _codes(WRITE_PER_ITEM, select=("MGL",), extend_select=("MGL40",)) == ["MGL404"]
    assert _codes(WRITE_PER_ITEM, select=("ALL",), ignore=("MGL404",)) == []
