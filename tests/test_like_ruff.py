"""Where a ruff user's habits meet mongolint: exit codes, paths, output, stdin."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

LEAK = ("import pymongo\n\ndef report(uri):\n    client = pymongo.MongoClient(uri)\n"
        "    return client.shop.orders.find_one()\n")


def mongolint(*args, cwd, stdin=None, env=None):
    return subprocess.run([sys.executable, "-m", "mongolint", "--no-cache", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120, input=stdin, env=env)


# -- a run that did not check what it was asked to never exits 0 ------------------

@pytest.mark.parametrize("make, message", [
    (lambda tmp: "missing.py", "no such file or directory"),
    (lambda tmp: (tmp / "docs").mkdir() or "docs", "no Python files found"),
    (lambda tmp: (tmp / "utf16.py").write_bytes("x = 1\n".encode("utf-16")) and "utf16.py", "UTF-16"),
    (lambda tmp: (tmp / "binary.py").write_bytes(b"\x00\x01\x02") and "binary.py", "NUL bytes"),
])
def test_a_path_that_cannot_be_checked_fails_the_run(tmp_path, make, message):
    (tmp_path / "clean.py").write_text("x = 1\n")
    path = make(tmp_path)
    result = mongolint(path, "clean.py", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert f"mongolint: {path}: " in result.stderr and message in result.stderr


def test_sarif_says_the_run_was_not_successful(tmp_path):
    result = mongolint("--format", "sarif", "missing.py", cwd=tmp_path)
    invocation = json.loads(result.stdout)["runs"][0]["invocations"][0]
    assert result.returncode == 2
    assert invocation["executionSuccessful"] is False
    assert "missing.py: no such file or directory" in invocation["toolExecutionNotifications"][0]["message"]["text"]


def test_a_clean_run_still_exits_0(tmp_path):
    (tmp_path / "clean.py").write_text("x = 1\n")
    assert mongolint(".", cwd=tmp_path).returncode == 0
    assert mongolint("--format", "sarif", ".", cwd=tmp_path).returncode == 0


# -- exclude applies to named files with --force-exclude, and always with --fix ----

def _project_with_excluded_migration(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.mongolint]\nextend-exclude = ["migrations/"]\n')
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "m1.py").write_text(LEAK)
    (tmp_path / "app.py").write_text(LEAK)


def test_force_exclude_applies_exclude_to_named_files(tmp_path):
    _project_with_excluded_migration(tmp_path)
    named = mongolint("--format", "concise", "--quiet", "migrations/m1.py", "app.py", cwd=tmp_path)
    assert "migrations/m1.py" in named.stdout  # as ruff: a named file is checked
    forced = mongolint("--format", "concise", "--quiet", "--force-exclude", "migrations/m1.py", "app.py", cwd=tmp_path)
    assert "migrations" not in forced.stdout and "app.py" in forced.stdout


def test_fix_never_writes_an_excluded_file(tmp_path):
    _project_with_excluded_migration(tmp_path)
    mongolint("--fix", "migrations/m1.py", "app.py", cwd=tmp_path)
    assert (tmp_path / "migrations" / "m1.py").read_text() == LEAK
    assert (tmp_path / "app.py").read_text() != LEAK


# -- an output file that cannot be written is a usage error, said before the run --

@pytest.mark.parametrize("target, message", [("missing/report.json", "no such directory"),
                                             (".", "is a directory")])
def test_output_file_problems_are_one_line_before_the_run(tmp_path, target, message):
    (tmp_path / "app.py").write_text(LEAK)
    result = mongolint("-o", target, "app.py", cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and message in result.stderr
    assert result.stderr.count("\n") == 1


# -- a symlinked checkout matches per-file-ignores and anchored excludes ----------

def _linked_checkout(tmp_path):
    real = tmp_path / "real"
    (real / "tests").mkdir(parents=True)
    (real / "generated").mkdir()
    (real / "pyproject.toml").write_text('[tool.mongolint]\nextend-exclude = ["/generated/"]\n'
                                         'per-file-ignores = { "tests/*" = ["MGL102"] }\n')
    (real / "tests" / "test_app.py").write_text(LEAK)
    (real / "generated" / "models.py").write_text(LEAK)
    (real / "app.py").write_text(LEAK)
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    return link


@pytest.mark.parametrize("how", ["relative", "absolute"])
def test_symlinked_checkout_keeps_per_file_ignores_and_excludes(tmp_path, how):
    link = _linked_checkout(tmp_path)
    paths = ["tests/test_app.py", "generated/models.py", "app.py"]
    if how == "absolute":
        paths = [str(link / path) for path in paths]
    result = mongolint("--format", "concise", "--quiet", "--force-exclude", *paths, cwd=link)
    reported = {line.split(":")[0] for line in result.stdout.splitlines()}
    assert reported == {paths[2]}, result.stdout


def test_flake8_in_a_symlinked_checkout_keeps_per_file_ignores(tmp_path):
    link = _linked_checkout(tmp_path)
    result = subprocess.run([sys.executable, "-m", "flake8", "--select", "MGL", str(link / "tests" / "test_app.py"),
                             str(link / "app.py")], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert "test_app.py" not in result.stdout and "app.py" in result.stdout, result.stdout + result.stderr


# -- suppression comments come from real comment tokens ---------------------------

def _codes(text: str, **settings):
    from mongolint.config import Settings
    from mongolint.engine import check_text

    settings.setdefault("ignore", ("MGL001",))  # these cases are about what is silenced, not what is stale
    return [f.code for f in check_text("app.py", text, Settings(**settings)).findings]


@pytest.mark.parametrize("comment, silenced", [
    ("  # noqa:  MGL102", True), ("  # noqa : MGL102", True), ("  # noqa:MGL101,  MGL102", True),
    ("  # type: ignore  # noqa: MGL102", True), ("  # NoQA", True),
    ("  # noqa : MGL101", False), ("  # noqa:  E501", False), ("  # noqa:", False), ("  # noqa: ,", False),
    ("  # noqanything", False),
])
def test_noqa_codes_are_read_as_ruff_reads_them(comment, silenced):
    text = LEAK.replace("MongoClient(uri)\n", "MongoClient(uri)" + comment + "\n")
    assert (_codes(text) == []) is silenced


def test_noqa_inside_a_string_is_not_a_directive():
    text = LEAK.replace("MongoClient(uri)\n", "MongoClient(uri, appname='x  # noqa')\n")
    assert _codes(text) == ["MGL102"]
    text = LEAK.replace("    client =", '    """\n    # noqa\n    """\n    client =')
    assert _codes(text) == ["MGL102"]


def test_a_malformed_noqa_warns_and_silences_nothing(tmp_path):
    (tmp_path / "app.py").write_text(LEAK.replace("MongoClient(uri)\n", "MongoClient(uri)  # noqa:\n"))
    for _ in ("cold", "warm"):  # the warning comes back from the cache too
        result = subprocess.run([sys.executable, "-m", "mongolint", "--format", "concise", "--quiet", "app.py"],
                                cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert result.returncode == 1 and "MGL102" in result.stdout
        assert "mongolint: warning: app.py: line 4: invalid `# noqa` directive" in result.stderr


@pytest.mark.parametrize("mode", [["--fix"], ["--diff"], ["--fix-only"], ["--fix", "-", "--stdin-filename"]])
def test_a_malformed_noqa_warns_while_fixing_too(tmp_path, mode):
    text = LEAK.replace("MongoClient(uri)\n", "MongoClient(uri)  # noqa: MGL1O2,\n")
    (tmp_path / "app.py").write_text(text)
    result = mongolint(*mode, "app.py", cwd=tmp_path, stdin=text)
    assert "mongolint: warning: app.py: line 4: invalid `# noqa` directive" in result.stderr, result.stderr


# -- --fix and --diff on stdin -----------------------------------------------------

SESSION_LEAK = ("from pymongo import MongoClient\n\nclient = MongoClient()\n\n\ndef archive(order_id):\n"
                "    session = client.start_session()\n"
                "    client.shop.orders.find_one({'_id': order_id}, session=session)\n")


def test_fix_on_stdin_prints_the_fixed_source(tmp_path):
    result = mongolint("--fix", "-", "--stdin-filename", "orders.py", cwd=tmp_path, stdin=SESSION_LEAK)
    assert result.returncode == 0, result.stderr
    assert "    with client.start_session() as session:\n" in result.stdout
    assert result.stdout.startswith("from pymongo import MongoClient\n")
    assert "Fixed 1 finding, 0 remaining." in result.stderr


def test_diff_on_stdin_prints_the_diff(tmp_path):
    result = mongolint("--diff", "-", "--stdin-filename", "orders.py", cwd=tmp_path, stdin=SESSION_LEAK)
    assert result.returncode == 1
    assert result.stdout.startswith("--- orders.py\n+++ orders.py\n")
    assert "+    with client.start_session() as session:" in result.stdout


def test_select_mgl000_reports_syntax_errors_alone(tmp_path):
    (tmp_path / "broken.py").write_text("import pymongo\n\ndef f(:\n    pass\n")
    (tmp_path / "app.py").write_text(LEAK)
    result = mongolint("--format", "concise", "--quiet", "--select", "MGL000", ".", cwd=tmp_path)
    assert [line.split(" ")[1] for line in result.stdout.splitlines()] == ["MGL000"], result.stdout
    assert result.stdout.startswith("broken.py:3:")


# -- the small ones ---------------------------------------------------------------

def test_diff_exit_code_and_statistics_stay_out_of_the_patch(tmp_path):
    unfixable = "import pymongo\n\nasync def f(coll: pymongo.collection.Collection):\n    coll.find_one({})\n"
    (tmp_path / "app.py").write_text(unfixable)
    nothing_to_fix = mongolint("--diff", "app.py", cwd=tmp_path)
    assert nothing_to_fix.returncode == 0 and nothing_to_fix.stdout == "", nothing_to_fix.stdout
    (tmp_path / "orders.py").write_text(SESSION_LEAK)
    with_fix = mongolint("--diff", "--statistics", "orders.py", "app.py", cwd=tmp_path)
    assert with_fix.returncode == 1
    assert with_fix.stdout.startswith("--- orders.py") and "MGL101" not in with_fix.stdout
    assert "MGL101" in with_fix.stderr


def test_config_file_without_the_table_is_an_error(tmp_path):
    (tmp_path / "other.toml").write_text("[tool.black]\nline-length = 100\n")
    (tmp_path / "app.py").write_text(LEAK)
    result = mongolint("--config", "other.toml", "app.py", cwd=tmp_path)
    assert result.returncode == 2 and "no [tool.mongolint] table" in result.stderr


def test_stdin_filename_alone_reads_stdin(tmp_path):
    (tmp_path / "elsewhere.py").write_text(LEAK)
    result = mongolint("--format", "concise", "--quiet", "--stdin-filename", "in.py", cwd=tmp_path, stdin=LEAK)
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == ["in.py"]
    both = mongolint("--stdin-filename", "in.py", "elsewhere.py", cwd=tmp_path, stdin=LEAK)
    assert both.returncode == 2 and "--stdin-filename" in both.stderr


# -- adopting mongolint on existing code -------------------------------------------

def test_command_line_per_file_ignores_and_excludes(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.mongolint]\nper-file-ignores = { "legacy/*" = ["MGL102"] }\n')
    for name in ("app.py", "tests/test_app.py", "legacy/old.py", "gen/models.py"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(LEAK)

    def reported(*args):
        out = mongolint("--format", "concise", "--quiet", *args, ".", cwd=tmp_path).stdout
        return {line.split(":")[0] for line in out.splitlines()}

    assert reported() == {"app.py", "tests/test_app.py", "gen/models.py"}
    assert reported("--extend-per-file-ignores", "tests/*:MGL102") == {"app.py", "gen/models.py"}
    assert reported("--per-file-ignores", "tests/*:MGL102") == {"app.py", "legacy/old.py", "gen/models.py"}
    assert reported("--extend-exclude", "gen/") == {"app.py", "tests/test_app.py"}
    assert reported("--exclude", "gen/,tests/") == {"app.py"}
    bad = mongolint("--per-file-ignores", "tests/*:NOPE1", ".", cwd=tmp_path)
    assert bad.returncode == 2 and "NOPE1" in bad.stderr


def test_ignore_noqa_and_file_level_noqa(tmp_path):
    silenced = LEAK.replace("MongoClient(uri)\n", "MongoClient(uri)  # noqa: MGL102\n")
    (tmp_path / "app.py").write_text(silenced)
    assert mongolint("app.py", cwd=tmp_path).returncode == 0
    assert mongolint("--ignore-noqa", "app.py", cwd=tmp_path).returncode == 1
    assert _codes("# mongolint: noqa\n" + LEAK) == []
    assert _codes("# mongolint: noqa: MGL102\n" + LEAK) == []
    assert _codes("# mongolint: noqa: MGL101\n" + LEAK) == ["MGL102"]
    assert _codes("# noqa\n" + LEAK) == ["MGL102"]  # a plain noqa covers its own line only


def test_add_noqa_silences_every_finding_and_keeps_comments(tmp_path):
    text = ("import pymongo\n\n\ndef report(uri):\n    client = pymongo.MongoClient(uri)  # keep me\n"
            "    s = client.start_session()  # noqa: E501\n    pymongo.MongoClient(\"\"\"\n    \"\"\").db.c.find_one()\n"
            "    return client.shop.orders.find_one(session=s)\n")
    (tmp_path / "app.py").write_text(text)
    result = mongolint("--add-noqa", "app.py", cwd=tmp_path)
    assert result.returncode == 0 and "Added 2 noqa directives." in result.stderr, result.stderr
    assert "app.py:7: no `# noqa` added: the line ends inside a string" in result.stderr
    after = (tmp_path / "app.py").read_text()
    assert "    client = pymongo.MongoClient(uri)  # keep me  # noqa: MGL102\n" in after
    assert "    s = client.start_session()  # noqa: E501, MGL101\n" in after
    remaining = mongolint("--format", "concise", "--quiet", "app.py", cwd=tmp_path).stdout.splitlines()
    assert [line.split(" ")[1] for line in remaining] == ["MGL102"]  # only the line inside the string
    again = mongolint("--add-noqa", "app.py", cwd=tmp_path)
    assert "Added 0 noqa directives." in again.stderr and (tmp_path / "app.py").read_text() == after


def test_unused_noqa_is_reported_and_fixed(tmp_path):
    (tmp_path / "app.py").write_text(LEAK + "\n\nLIMIT = 10  # noqa: MGL102, MGL999\n")
    result = mongolint("--format", "concise", "--quiet", "app.py", cwd=tmp_path)
    assert "app.py:8:13: MGL001 [*] unused `noqa` code MGL102" in result.stdout
    mongolint("--fix", "app.py", cwd=tmp_path)
    assert (tmp_path / "app.py").read_text().endswith("\nLIMIT = 10\n")
