"""Every front-end sees the same project: the CLI (one file or all, any --jobs),
the cache, stdin with --stdin-filename, and the flake8 plugin."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from fixture_markers import FIXTURES

APP = FIXTURES / "projects" / "fastapi_app"
ROUTER = "app/routers/users.py"
ROUTER_FINDINGS = ["app/routers/users.py:10:12: MGL303", "app/routers/users.py:15:32: MGL303"]


def _mongolint(*args, cwd, stdin=None):
    return subprocess.run([sys.executable, "-m", "mongolint", "--format", "concise", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300, input=stdin)


def _found(completed) -> list:
    return _findings_in(completed.stdout)


def _findings_in(output: str) -> list:
    return [" ".join(line.split(" ")[:2]) for line in output.splitlines() if ": MGL" in line]


def _in_router(found: list) -> list:
    return [f for f in found if f.startswith(ROUTER)]


@pytest.fixture
def app(tmp_path):
    shutil.copytree(APP, tmp_path / "app_project")
    return tmp_path / "app_project"


def test_checking_one_file_resolves_its_imports_from_the_rest(app):
    completed = _mongolint(ROUTER, "--no-cache", cwd=app)
    assert _found(completed) == ROUTER_FINDINGS, completed.stdout + completed.stderr


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_workers_see_the_project(app, jobs):
    completed = _mongolint(".", "--no-cache", "--jobs", jobs, cwd=app)
    assert _in_router(_found(completed)) == ROUTER_FINDINGS, completed.stdout + completed.stderr
    assert len(_found(completed)) == 6  # and the four of app/routers/orders.py


def test_the_prefilter_lets_importers_of_driver_objects_through(app):
    listed = _mongolint("--list-parsed", ".", cwd=app).stdout.split()
    assert "app/routers/users.py" in listed  # names no driver, imports `users`
    assert "app/config.py" not in listed and "app/__init__.py" not in listed


def test_editing_the_module_an_importer_resolved_through_invalidates_its_cached_result(app):
    cold = _mongolint(".", cwd=app)
    assert _in_router(_found(cold)) == ROUTER_FINDINGS
    assert _found(_mongolint(".", cwd=app)) == _found(cold)  # warm, from the cache
    database = app / "app" / "database.py"
    database.write_text(database.read_text().replace("MongoClient", "AsyncMongoClient"))
    warm = _mongolint(".", cwd=app)
    assert _found(warm) == _found(_mongolint(".", "--no-cache", cwd=app))
    # The comprehension over `orders.find({})` now iterates an async cursor.
    assert _in_router(_found(warm)) == [f"{ROUTER}:15:32: MGL305"], warm.stdout


def test_a_module_created_after_the_run_is_seen(app):
    (app / "app" / "jobs.py").write_text("from app.queue import tasks\n\n\nasync def run():\n"
                                         "    tasks.find_one({})\n")
    assert not [f for f in _found(_mongolint(".", cwd=app)) if "jobs.py" in f]
    (app / "app" / "queue.py").write_text("from app.database import db\n\ntasks = db.tasks\n")
    assert "app/jobs.py:5:5: MGL303" in _found(_mongolint(".", cwd=app))


def test_stdin_resolves_imports_from_its_filename(app):
    text = (app / ROUTER).read_text()
    completed = _mongolint("-", "--stdin-filename", ROUTER, cwd=app, stdin=text)
    assert _found(completed) == ROUTER_FINDINGS, completed.stdout + completed.stderr


def test_flake8_finds_the_project_root_from_the_file(app):
    completed = subprocess.run([sys.executable, "-m", "flake8", "--select", "MGL", ROUTER], cwd=app,
                               capture_output=True, text=True, timeout=300)
    codes = [line.split(" ")[1] for line in completed.stdout.splitlines()]
    assert codes == ["MGL303", "MGL303"], completed.stdout + completed.stderr


def test_the_index_can_be_turned_off(app):
    with open(app / "pyproject.toml", "a") as handle:
        handle.write("\n[tool.mongolint]\nproject-index = false\n")
    assert _found(_mongolint(".", "--no-cache", cwd=app)) == []


def test_many_files_that_name_no_driver_still_let_importers_through(tmp_path):
    """Past a few dozen such files, only those that mention a module naming the
    driver (or one found to re-export from it) are resolved: the chain holds."""
    from mongolint import discovery, runner
    from mongolint.config import Settings

    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'big'\n")
    package = tmp_path / "app"
    (package / "routers").mkdir(parents=True)
    for init in (package / "__init__.py", package / "routers" / "__init__.py"):
        init.write_text("")
    (package / "database.py").write_text("from pymongo import MongoClient\n\nusers = MongoClient().app.users\n")
    (package / "deps.py").write_text("from .database import users as people\n")
    (package / "routers" / "people.py").write_text(
        "from ..deps import people\n\n\nasync def person(name):\n    return people.find_one({'name': name})\n")
    for index in range(40):
        (package / f"filler_{index}.py").write_text("import os\n\nPATH = os.getcwd()\n")
    files, _ = discovery.discover([str(tmp_path)])
    reports = runner.check_paths(files, Settings(), jobs=1)
    found = [(r.path, f.line, f.code) for r in reports for f in r.findings]
    assert found == [(str(package / "routers" / "people.py"), 5, "MGL303")]
    parsed = {r.path for r in reports if r.parsed}
    # deps.py only re-exports: nothing in it can be a finding, it is not parsed.
    assert parsed == {str(package / "database.py"), str(package / "routers" / "people.py")}


def _repository_package(tmp_path):
    """`app/base.py`: a class whose attribute is a PyMongo collection."""
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'app'\n")
    package = tmp_path / "app"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "base.py").write_text(
        "from pymongo import MongoClient\n\n\nclass Repository:\n    collection = MongoClient().app.items\n")
    return package


def test_a_module_without_functions_that_only_names_a_class_of_driver_objects_is_not_parsed(tmp_path):
    """A base class or an annotation holds no driver object; reading an attribute
    of the derived class, or a method of it, is where findings come from."""
    from mongolint import discovery, runner
    from mongolint.config import Settings

    package = _repository_package(tmp_path)
    (package / "settings.py").write_text(
        "from app.base import Repository\n\n\nclass Items(Repository):\n    name: str = 'items'\n\n\n"
        "class Catalogue:\n    items: Items | None = None\n")
    (package / "script.py").write_text(
        "from app.base import Repository\n\n\nclass Items(Repository):\n    pass\n\n\nItems.collection.drop()\n")
    (package / "service.py").write_text(
        "from app.base import Repository\n\n\nclass Items(Repository):\n"
        "    async def first(self):\n        return self.collection.find_one()\n")
    files, _ = discovery.discover([str(tmp_path)])
    reports = runner.check_paths(files, Settings(), jobs=1)
    parsed = {r.path for r in reports if r.parsed}
    assert parsed == {str(package / name) for name in ("base.py", "script.py", "service.py")}
    found = [(r.path, f.line, f.code) for r in reports for f in r.findings]
    assert (str(package / "service.py"), 6, "MGL303") in found


def test_a_class_only_tested_with_isinstance_is_not_resolved_or_parsed(tmp_path):
    """`isinstance(doc, (Repository, dict))` takes no value from the class: the
    file is settled without summarising the class's module, while a file that
    also reads an attribute of the class is parsed (and has its finding)."""
    from mongolint import discovery, project_files, runner
    from mongolint.config import Settings

    package = _repository_package(tmp_path)
    (package / "checks.py").write_text(
        "from app.base import Repository\n\n\ndef is_stored(doc):\n"
        "    return isinstance(\n        doc, (Repository, dict)\n    ) or issubclass(type(doc), Repository)\n")
    (package / "service.py").write_text(
        "from app.base import Repository\n\n\nasync def first(doc):\n    if isinstance(doc, Repository):\n"
        "        return Repository.collection.find_one()\n")
    files, _ = discovery.discover([str(tmp_path)])
    settings = Settings()
    project_files.start_run(str(tmp_path), None)
    settled = runner.screen_all([str(package / "checks.py")], settings)
    assert str(package / "checks.py") in settled
    assert settled[str(package / "checks.py")].dependencies == {}  # base.py was not even summarised
    reports = runner.check_paths(files, settings, jobs=1)
    parsed = {r.path for r in reports if r.parsed}
    assert parsed == {str(package / "base.py"), str(package / "service.py")}
    found = [(r.path, f.line, f.code) for r in reports for f in r.findings]
    assert (str(package / "service.py"), 6, "MGL303") in found


def test_fixes_see_the_project(tmp_path):
    """`--diff` (and `--fix`) find what a check finds: factories of another module."""
    shutil.copytree(FIXTURES / "projects" / "fresh_client_method", tmp_path / "monitor_project")
    completed = _mongolint("--diff", "monitor/checks.py", cwd=tmp_path / "monitor_project")
    assert "+    with connections.make_client(uri) as client:" in completed.stdout, completed.stdout + completed.stderr


def test_summaries_are_cached_by_content(app):
    import hashlib
    import json

    from mongolint.cache import build_fingerprint
    from mongolint.model.summaries import FORMAT

    _mongolint(ROUTER, cwd=app)  # one file: the summaries of the modules it imports are kept
    stored = json.loads((app / ".mongolint_cache" / f"summaries-{FORMAT}-{build_fingerprint()}.json").read_text())
    digest = hashlib.blake2b((app / "app" / "database.py").read_bytes(), digest_size=16).hexdigest()
    assert stored[digest]["names"]["users"] == ["item", ["ref", "db"]]  # `users = db["users"]`


def test_a_project_file_added_between_two_runs_in_one_process_is_seen(tmp_path, monkeypatch, capsys):
    """The second run finds `project/` as the project from its new pyproject.toml,
    and with it `database`, which the loose `app/routes.py` imports."""
    from mongolint import cli

    project = tmp_path / "project"
    (project / "app").mkdir(parents=True)
    (project / "database.py").write_text("from pymongo import MongoClient\n\nusers = MongoClient().app.users\n")
    (project / "app" / "routes.py").write_text(
        "from database import users\n\n\nasync def person(name):\n    return users.find_one({'name': name})\n")
    monkeypatch.chdir(tmp_path)

    def run() -> list:
        cli.main(["--format", "concise", "--no-cache", "project/app/routes.py"])
        return _findings_in(capsys.readouterr().out)

    assert run() == []  # `database` is no module of any root it has
    (project / "pyproject.toml").write_text("[project]\nname = 'app'\n")
    assert run() == ["project/app/routes.py:5:12: MGL303"]
