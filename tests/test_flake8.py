"""The flake8 plugin, through the real `flake8` executable and its entry point.

flake8 must report exactly what mongolint reports (same lines, columns, codes and
messages), and its own `# noqa`, `--extend-ignore`, `per-file-ignores`, stdin and
encodings must work.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path
from typing import Dict, List, Sequence, Set, Tuple

import pytest
from flake8.violation import Violation

from fixture_markers import ROOT, rule_fixtures, seed_fixtures
from mongolint import config, runner

_LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]+\d+) (?P<message>.*)$")

Row = Tuple[str, int, int, str, str]  # (path, line, 1-based column, code, message)


def flake8(args: Sequence[str], cwd: Path, stdin: str = None) -> Tuple[int, List[Row], str]:
    """Run flake8 (ignoring any flake8 configuration file); parse its report."""
    completed = subprocess.run([sys.executable, "-m", "flake8", "--isolated", *args], cwd=cwd,
                               input=stdin, capture_output=True, text=True, timeout=120)
    rows = []
    for line in completed.stdout.splitlines():
        match = _LINE.match(line)
        assert match, f"unexpected flake8 output line: {line!r}\nstderr: {completed.stderr}"
        rows.append((match["path"], int(match["line"]), int(match["col"]), match["code"], match["message"]))
    return completed.returncode, rows, completed.stderr


def mongolint_rows(path: Path, relative: str, select: Sequence[str] = ()) -> Set[Row]:
    """What `mongolint [--select ...] path` reports: the CLI's configuration and
    its per-file check (which also names the module, for client factories),
    with `# noqa` read as flake8 reads it. Through flake8, flake8 reads the
    comments (docs/integrations.md): its codes are case-sensitive, say, where
    mongolint's are not (MGL001's fixture has both kinds), and MGL001, which
    judges mongolint's reading, is not reported."""
    settings = replace(config.load([str(path)]), ignore_noqa=True)
    settings = replace(settings, ignore=settings.ignore + ("MGL001",))
    if select:
        settings = replace(settings, select=tuple(select))
    report = runner.check_path(str(path), settings)
    assert report.error is None and not report.internal_errors, report
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    return {(relative, f.line, f.column, f.code, f.message) for f in report.findings
            if not Violation(f.code, relative, f.line, f.column, f.message,
                             lines[f.line - 1]).is_inline_ignored(disable_noqa=False)}


def _by_path(rows) -> Dict[str, Set[Row]]:
    grouped: Dict[str, Set[Row]] = {}
    for row in rows:
        grouped.setdefault(row[0], set()).add(row)
    return grouped


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@pytest.fixture(scope="module")
def all_fixtures_through_flake8():
    """One flake8 run over every fixture with `--select MGL`."""
    paths = [_relative(p) for p in rule_fixtures() + seed_fixtures()]
    code, rows, stderr = flake8(["--select", "MGL", *paths], cwd=ROOT)
    assert code in (0, 1), stderr
    return _by_path(rows)


@pytest.mark.parametrize("path", rule_fixtures() + seed_fixtures(), ids=lambda p: p.stem)
def test_select_mgl_matches_mongolint(path, all_fixtures_through_flake8):
    relative = _relative(path)
    expected = mongolint_rows(path, relative)
    actual = all_fixtures_through_flake8.get(relative, set())
    assert actual == expected, _difference(expected, actual)


@pytest.mark.parametrize("path", rule_fixtures(), ids=lambda p: p.stem)
def test_select_one_code_matches_mongolint(path):
    code = path.stem
    relative = _relative(path)
    returncode, rows, stderr = flake8(["--select", code, relative], cwd=ROOT)
    expected = mongolint_rows(path, relative, select=[code])
    assert set(rows) == expected, _difference(expected, set(rows))
    assert returncode == (1 if expected else 0), stderr


def _difference(expected, actual) -> str:
    lines = [f"missing from flake8: {row}" for row in sorted(expected - actual)]
    lines += [f"extra in flake8:     {row}" for row in sorted(actual - expected)]
    return "\n".join(lines)


# --- flake8's own filtering ------------------------------------------------------

LOOPS = textwrap.dedent('''\
    from pymongo import MongoClient


    def plain(uris):
        for uri in uris:
            client = MongoClient(uri)
            client.close()


    def blanket_noqa(uris):
        for uri in uris:
            client = MongoClient(uri)  # noqa
            client.close()


    def specific_noqa(uris):
        for uri in uris:
            client = MongoClient(uri)  # noqa: MGL103
            client.close()


    def other_code_noqa(uris):
        for uri in uris:
            client = MongoClient(uri)  # noqa: E501
            client.close()


    def prefix_noqa(uris):
        for uri in uris:
            client = MongoClient(uri)  # noqa: MGL1
            client.close()


    def no_space_noqa(uris):
        for uri in uris:
            client = MongoClient(uri)  #noqa
            client.close()
''')
LOOP_LINES = {"plain": 6, "blanket": 12, "specific": 18, "other": 24, "prefix": 30, "no_space": 36}


@pytest.fixture
def loops(tmp_path) -> Path:
    (tmp_path / "loops.py").write_text(LOOPS, encoding="utf-8")
    return tmp_path


def _lines(rows) -> Set[int]:
    return {row[1] for row in rows}


def test_flake8_noqa_rules_apply(loops):
    _, rows, _ = flake8(["--select", "MGL", "loops.py"], cwd=loops)
    # flake8's reading of `# noqa`: a prefix silences (MGL1), `#noqa` without the
    # space does not; mongolint's own reading does not interfere.
    assert _lines(rows) == {LOOP_LINES["plain"], LOOP_LINES["other"], LOOP_LINES["no_space"]}
    assert {row[3] for row in rows} == {"MGL103"}


def test_disable_noqa_reports_everything(loops):
    _, rows, _ = flake8(["--select", "MGL", "--disable-noqa", "loops.py"], cwd=loops)
    assert _lines(rows) == set(LOOP_LINES.values())


@pytest.mark.parametrize("ignore", ["MGL103", "MGL1", "MGL"])
def test_extend_ignore(loops, ignore):
    code, rows, stderr = flake8(["--select", "MGL", "--extend-ignore", ignore, "loops.py"], cwd=loops)
    assert rows == [] and code == 0, stderr


def test_per_file_ignores(loops):
    (loops / "other.py").write_text(LOOPS, encoding="utf-8")
    _, rows, _ = flake8(["--select", "MGL", "--per-file-ignores", "loops.py:MGL103", "loops.py", "other.py"],
                        cwd=loops)
    assert {row[0] for row in rows} == {"other.py"}


def test_per_file_ignores_from_flake8_config(loops):
    (loops / "setup.cfg").write_text("[flake8]\nselect = MGL\nper-file-ignores =\n    loops.py: MGL103\n")
    (loops / "other.py").write_text(LOOPS, encoding="utf-8")
    completed = subprocess.run([sys.executable, "-m", "flake8", "loops.py", "other.py"], cwd=loops,
                               capture_output=True, text=True, timeout=120)
    assert "loops.py" not in completed.stdout and "other.py:6:" in completed.stdout, completed


def test_stdin_with_display_name(loops):
    _, rows, stderr = flake8(["--select", "MGL", "--stdin-display-name", "src/app.py", "-"], cwd=loops,
                             stdin=LOOPS)
    assert {row[0] for row in rows} == {"src/app.py"}, stderr
    assert _lines(rows) == {LOOP_LINES["plain"], LOOP_LINES["other"], LOOP_LINES["no_space"]}


def test_latin1_file_with_coding_cookie(tmp_path):
    source = textwrap.dedent('''\
        # -*- coding: latin-1 -*-
        """Caf\xe9 inventory."""
        from pymongo import MongoClient


        def sync(uris):
            for uri in uris:
                label = "caf\xe9"; client = MongoClient(uri)
                client.close()
    ''')
    (tmp_path / "legacy.py").write_bytes(source.encode("latin-1"))
    _, rows, stderr = flake8(["--select", "MGL", "legacy.py"], cwd=tmp_path)
    column = source.splitlines()[7].index("MongoClient") + 1
    assert [(row[1], row[2], row[3]) for row in rows] == [(8, column, "MGL103")], stderr
    cli = subprocess.run([sys.executable, "-m", "mongolint", "--format", "concise", "legacy.py"],
                         cwd=tmp_path, capture_output=True, text=True)
    assert f"legacy.py:8:{column}: MGL103" in cli.stdout, cli


# --- configuration -----------------------------------------------------------------

FACTORY_USER = textwrap.dedent('''\
    from app.db import get_client


    def leak():
        client = get_client()
        session = client.start_session()
        try:
            return client.shop.items.find_one({}, session=session)
        finally:
            client.close()
''')


@pytest.fixture
def factory_project(tmp_path) -> Path:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "db.py").write_text("def get_client():\n    raise NotImplementedError\n")
    (tmp_path / "app" / "jobs.py").write_text(FACTORY_USER)
    return tmp_path


def test_client_factories_unknown_by_default(factory_project):
    _, rows, _ = flake8(["--select", "MGL", "app"], cwd=factory_project)
    assert rows == []


def test_client_factories_from_flake8_option(factory_project):
    _, rows, _ = flake8(["--select", "MGL", "--mongolint-client-factories", "app.db.get_client", "app"],
                        cwd=factory_project)
    assert [(row[0], row[1], row[3]) for row in rows] == [("app/jobs.py", 6, "MGL101")]


def test_client_factories_from_flake8_config(factory_project):
    (factory_project / ".flake8").write_text("[flake8]\nselect = MGL\n"
                                             "mongolint-client-factories = app.db.get_client\n")
    completed = subprocess.run([sys.executable, "-m", "flake8", "app"], cwd=factory_project,
                               capture_output=True, text=True, timeout=120)
    assert completed.stdout.startswith("app/jobs.py:6:"), completed


def test_client_factories_from_pyproject(factory_project):
    (factory_project / "pyproject.toml").write_text(
        '[tool.mongolint]\nclient-factories = ["app.db.get_client"]\n')
    _, rows, _ = flake8(["--select", "MGL", "app"], cwd=factory_project)
    assert [(row[0], row[1], row[3]) for row in rows] == [("app/jobs.py", 6, "MGL101")]


def test_pyproject_selection_applies(loops):
    (loops / "pyproject.toml").write_text('[tool.mongolint]\nignore = ["MGL103"]\n')
    code, rows, _ = flake8(["--select", "MGL", "loops.py"], cwd=loops)
    assert rows == [] and code == 0


def test_bad_pyproject_is_a_clear_error(loops):
    (loops / "pyproject.toml").write_text('[tool.mongolint]\nclient-factory = ["app.db.get_client"]\n')
    completed = subprocess.run([sys.executable, "-m", "flake8", "--isolated", "--select", "MGL", "loops.py"],
                               cwd=loops, capture_output=True, text=True, timeout=120)
    output = completed.stdout + completed.stderr
    assert completed.returncode != 0
    assert "unknown key `client-factory`" in output and "Traceback" not in output, output


# --- cost --------------------------------------------------------------------------

def test_import_and_prefiltered_files_do_not_load_libcst(tmp_path):
    """flake8 imports the plugin at start-up: that must not import LibCST or the
    rules, nor must checking a file that never mentions the driver."""
    program = textwrap.dedent('''\
        import sys
        from mongolint.flake8_plugin import MongolintChecker
        heavy = [m for m in sys.modules if m.split(".")[0] == "libcst"
                 or m in ("mongolint.engine", "mongolint.rules", "mongolint.config")]
        assert not heavy, heavy
        lines = ["import os\\n", "print(os.getcwd())\\n"]
        assert list(MongolintChecker(None, "plain.py", lines).run()) == []
        heavy = [m for m in sys.modules if m.split(".")[0] == "libcst"]
        assert not heavy, heavy
        lines = ["from pymongo import MongoClient\\n", "for u in []:\\n", "    MongoClient(u)\\n"]
        assert [r[:2] for r in MongolintChecker(None, "bad.py", lines).run()] == [(3, 4)]
        assert "libcst" in sys.modules
    ''')
    completed = subprocess.run([sys.executable, "-c", program], cwd=tmp_path, capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr


def test_plugin_is_registered():
    completed = subprocess.run([sys.executable, "-m", "flake8", "--version"], capture_output=True, text=True)
    assert "mongolint:" in completed.stdout, completed
