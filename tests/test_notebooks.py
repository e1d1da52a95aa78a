"""Jupyter notebooks, checked as ruff checks them: the real `mongolint` command
on notebooks written with nbformat (which also validates what --fix writes)."""

from __future__ import annotations

import json
import subprocess
import sys

import nbformat
import pytest
from nbformat import v4

CLIENT_CELL = ("from pymongo import AsyncMongoClient\n"
               "client = AsyncMongoClient('mongodb://localhost')\n"
               "events = client.app.events")
MISSING_AWAIT_CELL = "async def save(doc):\n    events.insert_one(doc)\n"


def mongolint(*args, cwd, cache=False, stdin=None):
    return subprocess.run([sys.executable, "-m", "mongolint", *([] if cache else ["--no-cache"]), *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120, input=stdin)


def write_notebook(path, cells, **metadata):
    notebook = v4.new_notebook()
    notebook.metadata.update(metadata or {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                         "language": "python"}})
    notebook.cells = cells
    nbformat.write(notebook, str(path))
    return path


def orders_notebook(path):
    """Markdown first (cell 1), the client in cell 2, IPython lines in cell 3,
    a shell cell (4), and the finding in cell 5."""
    return write_notebook(path, [
        v4.new_markdown_cell("# Orders\n\n    events.insert_one(doc)  # not code"),
        v4.new_code_cell(CLIENT_CELL),
        v4.new_code_cell("%time x = 1\n!pip install pymongo\nfiles = !ls\nevents?\nprint(x)", execution_count=3,
                         outputs=[v4.new_output("stream", name="stdout", text="1\n")]),
        v4.new_code_cell("%%bash\necho $((1 + 2))"),
        v4.new_code_cell(MISSING_AWAIT_CELL, execution_count=5),
    ])


def test_code_cells_are_one_module_and_findings_are_located_by_cell(tmp_path):
    orders_notebook(tmp_path / "orders.ipynb")
    result = mongolint("orders.ipynb", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("orders.ipynb:cell 5:2:5: MGL302 [*] `insert_one()` of PyMongo Async is not awaited")
    assert lines[1] == "     2 |     events.insert_one(doc)"  # the excerpt is the cell's line
    assert "Found 1 error." in lines
    assert "MGL000" not in result.stdout and result.stderr == ""  # the magics and the %%bash cell parse


def test_python_cell_magic_bodies_are_checked_and_noqa_works_in_cells(tmp_path):
    write_notebook(tmp_path / "timed.ipynb", [
        v4.new_code_cell(CLIENT_CELL),
        v4.new_code_cell("%%time\nasync def save(doc):\n    events.insert_one(doc)"),
        v4.new_code_cell("async def keep(doc):\n    events.insert_one(doc)  # noqa: MGL302\n"
                         "    await events.insert_one(doc)  # noqa: MGL302"),
    ])
    result = mongolint("timed.ipynb", "--output-format", "concise", cwd=tmp_path)
    found = [line.split(" ")[:2] for line in result.stdout.splitlines() if line.startswith("timed")]
    assert found == [["timed.ipynb:cell", "2:3:5:"], ["timed.ipynb:cell", "3:3:35:"]], result.stdout
    assert "MGL001" in result.stdout.splitlines()[1]  # the second noqa silences nothing


def test_structured_formats_carry_the_cell(tmp_path):
    orders_notebook(tmp_path / "orders.ipynb")
    (tmp_path / "app.py").write_text("x = 1\n")
    finding, = json.loads(mongolint("--output-format", "json", "orders.ipynb", cwd=tmp_path).stdout)
    assert (finding["cell"], finding["location"], finding["end_location"]) == (
        5, {"row": 2, "column": 5}, {"row": 2, "column": 27})
    assert finding["fix"]["edits"] == [{"content": "await ", "location": {"row": 2, "column": 5},
                                        "end_location": {"row": 2, "column": 5}}]
    github = mongolint("--output-format", "github", "orders.ipynb", cwd=tmp_path).stdout
    assert github.startswith("::error file=orders.ipynb,line=2,col=5,") and "::cell 5: `insert_one()`" in github
    grouped = mongolint("--output-format", "grouped", "orders.ipynb", cwd=tmp_path).stdout
    assert "  cell 5:2:5 MGL302" in grouped


def test_fix_writes_into_the_cell_and_keeps_everything_else(tmp_path):
    path = orders_notebook(tmp_path / "orders.ipynb")
    before_bytes = path.read_bytes()
    result = mongolint("--fix", "orders.ipynb", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Fixed 1 finding, 0 remaining." in result.stderr
    after = nbformat.read(str(path), as_version=4)
    nbformat.validate(after)
    before = nbformat.reads(before_bytes.decode(), as_version=4)
    assert after.cells[4].source == MISSING_AWAIT_CELL.replace("events.", "await events.")
    for old, new in zip(before.cells, after.cells):
        assert (old.get("outputs"), old.metadata, old.get("execution_count"), old.id) == (
            new.get("outputs"), new.metadata, new.get("execution_count"), new.id)
    assert [c.source for c in after.cells[:4]] == [c.source for c in before.cells[:4]]  # the IPython lines too
    assert (after.nbformat, after.nbformat_minor, after.metadata) == (before.nbformat, before.nbformat_minor,
                                                                      before.metadata)
    # Byte for byte, only the fixed line changed (nbformat's own layout is kept).
    changed = [pair for pair in zip(before_bytes.decode().splitlines(), path.read_text().splitlines())
               if pair[0] != pair[1]]
    assert changed == [('    "    events.insert_one(doc)\\n"', '    "    await events.insert_one(doc)\\n"')]
    assert path.read_bytes().endswith(b"}\n")


def test_fix_keeps_a_hand_written_layout(tmp_path):
    """Two-space indentation, no final newline, a source given as one string."""
    document = {"cells": [
        {"cell_type": "code", "execution_count": None, "id": "a1", "metadata": {}, "outputs": [],
         "source": CLIENT_CELL},
        {"cell_type": "code", "execution_count": None, "id": "b2", "metadata": {"tags": ["x"]}, "outputs": [],
         "source": "async def save(doc):\n    events.insert_one(doc)"},
    ], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "layout.ipynb"
    path.write_text(json.dumps(document, indent=2))
    assert mongolint("--fix", "layout.ipynb", cwd=tmp_path).returncode == 0
    document["cells"][1]["source"] = "async def save(doc):\n    await events.insert_one(doc)"
    assert path.read_text() == json.dumps(document, indent=2)
    nbformat.validate(nbformat.reads(path.read_text(), as_version=4))


def test_a_fix_that_would_span_cells_is_not_applied(tmp_path):
    path = write_notebook(tmp_path / "cross.ipynb", [
        v4.new_code_cell("from pymongo import MongoClient\nclient = MongoClient()\norders = client.app.orders"),
        v4.new_code_cell("def place(doc):\n    with client.start_session() as s:\n        s.start_transaction()"),
        v4.new_code_cell("        orders.insert_one(doc, session=s)"),
    ])
    before = path.read_bytes()
    checked = mongolint("--unsafe-fixes", "cross.ipynb", cwd=tmp_path)
    assert "cross.ipynb:cell 2:3:9: MGL201 transaction" in checked.stdout  # no [*]: --fix would not apply it
    assert "fixable" not in checked.stdout
    result = mongolint("--fix", "--unsafe-fixes", "cross.ipynb", cwd=tmp_path)
    assert path.read_bytes() == before
    assert result.returncode == 1
    assert "cross.ipynb:cell 2:3:9: MGL201 transaction" in result.stdout  # still no [*] after --fix
    assert "cross.ipynb: note: fix not applied: MGL201 (" in result.stderr
    assert "it would span cells (from cell 2, line 3)" in result.stderr


def test_diff_shows_the_changed_cell(tmp_path):
    path = orders_notebook(tmp_path / "orders.ipynb")
    before = path.read_bytes()
    result = mongolint("--diff", "orders.ipynb", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == ("--- orders.ipynb:cell 5\n+++ orders.ipynb:cell 5\n@@ -1,2 +1,2 @@\n"
                             " async def save(doc):\n-    events.insert_one(doc)\n+    await events.insert_one(doc)\n")
    assert path.read_bytes() == before


def _project(tmp_path, table):
    (tmp_path / "pyproject.toml").write_text(f"[tool.mongolint]\n{table}\n")
    orders_notebook(tmp_path / "orders.ipynb")
    (tmp_path / "script.pyw").write_text("import pymongo\n\nasync def f(c: pymongo.AsyncMongoClient):\n"
                                         "    c.db.t.insert_one({})\n")
    return sorted({line.split(":")[0] for line in mongolint(".", "--output-format", "concise",
                                                             cwd=tmp_path).stdout.splitlines() if ":" in line})


@pytest.mark.parametrize("table, checked", [
    ("", ["orders.ipynb"]),  # notebooks are included by default, as in ruff
    ('extend-include = ["*.pyw"]', ["orders.ipynb", "script.pyw"]),
    ('include = ["*.py", "*.pyw"]', ["script.pyw"]),
    ('extend-exclude = ["*.ipynb"]\nextend-include = ["*.pyw"]', ["script.pyw"]),  # exclude wins
])
def test_include_and_extend_include_select_what_a_walk_checks(tmp_path, table, checked):
    assert _project(tmp_path, table) == checked


def test_a_notebook_named_on_the_command_line_is_checked_whatever_include_says(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.mongolint]\ninclude = ["*.py"]\n')
    orders_notebook(tmp_path / "orders.ipynb")
    assert "orders.ipynb:cell 5:2:5" in mongolint("orders.ipynb", cwd=tmp_path).stdout


@pytest.mark.parametrize("content, message", [
    ('{"cells": [', "invalid notebook: not JSON"),
    ("[]", "invalid notebook: no `cells` list"),
    ('{"cells": [{"cell_type": "code", "source": 3}]}', "invalid notebook: cell 1: `source` must be"),
])
def test_a_notebook_that_cannot_be_read_fails_the_run(tmp_path, content, message):
    (tmp_path / "broken.ipynb").write_text(content)
    (tmp_path / "clean.py").write_text("x = 1\n")
    for args in ([], ["--fix"], ["--format", "json"]):
        result = mongolint(*args, ".", cwd=tmp_path)
        assert result.returncode == 2, (args, result.stderr)
        assert f"mongolint: broken.ipynb: {message}" in result.stderr


def test_a_notebook_of_another_language_is_not_checked(tmp_path):
    cells = [v4.new_code_cell(CLIENT_CELL), v4.new_code_cell(MISSING_AWAIT_CELL)]
    write_notebook(tmp_path / "r.ipynb", cells, kernelspec={"name": "ir", "display_name": "R", "language": "R"})
    write_notebook(tmp_path / "py.ipynb", cells, language_info={"name": "python"})
    result = mongolint(".", "--output-format", "concise", cwd=tmp_path)
    assert [line.split(":")[0] for line in result.stdout.splitlines()[:-2]] == ["py.ipynb"], result.stdout


def test_the_cache_keeps_cells_and_jobs_run_notebooks_in_workers(tmp_path):
    for number in range(4):
        orders_notebook(tmp_path / f"n{number}.ipynb")
    first = mongolint(".", "--jobs", "2", cwd=tmp_path, cache=True)
    assert first.stdout.count(":cell 5:2:5: MGL302") == 4, first.stderr
    second = mongolint(".", "--jobs", "2", cwd=tmp_path, cache=True)
    assert second.stdout == first.stdout and list((tmp_path / ".mongolint_cache").iterdir())


def test_a_notebook_on_stdin(tmp_path):
    orders_notebook(tmp_path / "orders.ipynb")
    result = mongolint("--stdin-filename", "orders.ipynb", cwd=tmp_path,
                       stdin=(tmp_path / "orders.ipynb").read_text())
    assert result.stdout.startswith("orders.ipynb:cell 5:2:5: MGL302"), result.stderr


def test_add_noqa_writes_into_the_cell(tmp_path):
    path = orders_notebook(tmp_path / "orders.ipynb")
    result = mongolint("--add-noqa", "orders.ipynb", cwd=tmp_path)
    assert "Added 1 noqa directive." in result.stderr
    notebook = nbformat.read(str(path), as_version=4)
    nbformat.validate(notebook)
    assert notebook.cells[4].source == MISSING_AWAIT_CELL.replace("(doc)\n", "(doc)  # noqa: MGL302\n")
    assert mongolint("orders.ipynb", cwd=tmp_path).returncode == 0


def test_ipython_lines_in_a_fixed_cell_are_put_back_and_strings_are_left_alone(tmp_path):
    cell = ('%load_ext autoreload\n'
            'NOTE = """\n'
            '!important: %s is not a magic inside a string\n'
            '"""\n'
            'async def save(doc):\n'
            '    !echo saving \\\n'
            '        more\n'
            '    events.insert_one(doc)\n'
            '    return NOTE?')
    path = write_notebook(tmp_path / "magic.ipynb", [v4.new_code_cell(CLIENT_CELL), v4.new_code_cell(cell)])
    result = mongolint("magic.ipynb", cwd=tmp_path)
    assert result.stdout.startswith("magic.ipynb:cell 2:8:5: MGL302"), result.stdout + result.stderr
    assert "MGL000" not in result.stdout
    assert mongolint("--fix", "magic.ipynb", cwd=tmp_path).returncode == 0
    fixed = nbformat.read(str(path), as_version=4).cells[1].source
    assert fixed == cell.replace("    events.", "    await events.")


def test_fix_and_diff_of_a_notebook_on_stdin(tmp_path):
    path = orders_notebook(tmp_path / "orders.ipynb")
    text = path.read_text()
    fixed = mongolint("--fix", "--stdin-filename", "orders.ipynb", "-", cwd=tmp_path, stdin=text)
    expected = text.replace('"    events.insert_one(doc)\\n"', '"    await events.insert_one(doc)\\n"')
    assert fixed.stdout == expected, fixed.stderr
    nbformat.validate(nbformat.reads(fixed.stdout, as_version=4))
    diff = mongolint("--diff", "--stdin-filename", "orders.ipynb", "-", cwd=tmp_path, stdin=text)
    assert diff.stdout.startswith("--- orders.ipynb:cell 5\n+++ orders.ipynb:cell 5\n")


def test_a_syntax_error_is_located_in_its_cell(tmp_path):
    write_notebook(tmp_path / "broken.ipynb", [v4.new_code_cell("import pymongo\nclient = pymongo.MongoClient()"),
                                                v4.new_code_cell("x = 1\ndef f(:\n    pass")])
    result = mongolint("broken.ipynb", cwd=tmp_path)
    assert result.stdout.startswith("broken.ipynb:cell 2:2:7: MGL000 syntax error"), result.stdout
    assert "     2 | def f(:" in result.stdout


def test_an_include_pattern_with_a_slash_matches_from_the_project_root(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.mongolint]\ninclude = ["*.py", "reports/*.ipynb"]\n')
    (tmp_path / "reports").mkdir()
    (tmp_path / "scratch").mkdir()
    orders_notebook(tmp_path / "reports" / "weekly.ipynb")
    orders_notebook(tmp_path / "scratch" / "weekly.ipynb")
    result = mongolint(".", "--output-format", "concise", cwd=tmp_path)
    assert [line.split(":")[0] for line in result.stdout.splitlines()[:-2]] == ["reports/weekly.ipynb"]
