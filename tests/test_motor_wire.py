"""The Motor -> PyMongo Async migration, proven on the wire: each Motor program
under fixtures/motor_programs/ and its migration run against MockupDB and must
send the same commands and print the same lines."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from fixture_markers import FIXTURES
from mongolint.config import Settings
from mongolint.engine import check_text
from mongolint.fixes import fix_text
from wire.harness import run_program

pytestmark = pytest.mark.wire

PROGRAMS = sorted((FIXTURES / "motor_programs").glob("*.py"))
UNMIGRATABLE = sorted((FIXTURES / "motor_programs" / "unmigratable").glob("*.py"))
MIGRATION = Settings(select=("MGL304",))
ASYNC_MISTAKES = Settings(select=("MGL301", "MGL302", "MGL305"))


def migrated_text(path: Path) -> str:
    outcome = fix_text(str(path), path.read_text(encoding="utf-8"), MIGRATION, unsafe=True)
    assert not outcome.internal_errors, outcome.internal_errors
    return outcome.text


@pytest.fixture(scope="module")
def runs(request, tmp_path_factory):
    """The selected programs and their migrations, run two at a time (they wait
    on sockets and imports more than they compute)."""
    selected = {item.callspec.params["path"] for item in request.session.items
                if getattr(item, "originalname", "") == "test_migration_sends_the_same_commands"}
    directory = tmp_path_factory.mktemp("migrated")
    jobs = []
    for path in sorted(selected):
        migrated = directory / path.name
        migrated.write_text(migrated_text(path), encoding="utf-8")
        jobs += [(path.stem, "motor", path), (path.stem, "pymongo", migrated)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda job: run_program(job[2]), jobs))
    by_program = {}
    for (stem, flavour, _), result in zip(jobs, results):
        by_program.setdefault(stem, {})[flavour] = result
    return by_program


def test_there_are_enough_programs():
    assert len(PROGRAMS) >= 20 and len(UNMIGRATABLE) >= 5


@pytest.mark.parametrize("path", PROGRAMS, ids=lambda p: p.stem)
def test_migration_sends_the_same_commands(path, runs):
    motor, pymongo = runs[path.stem]["motor"], runs[path.stem]["pymongo"]
    assert motor.returncode == 0, motor.stderr
    assert pymongo.returncode == 0, pymongo.stderr
    assert motor.commands, "the program sent nothing"
    assert pymongo.commands == motor.commands
    assert pymongo.stdout == motor.stdout
    assert "never awaited" not in pymongo.stderr, pymongo.stderr


@pytest.mark.parametrize("path", PROGRAMS, ids=lambda p: p.stem)
def test_migrated_program_is_motor_free_and_stable(path):
    text = migrated_text(path)
    assert "motor" not in text.replace("Motor", "").split('"""', 2)[-1]
    assert not check_text(path.name, text, MIGRATION).findings, "MGL304 left after migration"
    again = fix_text(path.name, text, MIGRATION, unsafe=True)
    assert again.text == text, "a second --fix changed the migrated program"


@pytest.mark.parametrize("path", PROGRAMS, ids=lambda p: p.stem)
def test_migration_adds_no_async_mistakes(path):
    before = Counter(f.code for f in check_text(str(path), path.read_text(encoding="utf-8"), ASYNC_MISTAKES).findings)
    after = Counter(f.code for f in check_text(str(path), migrated_text(path), ASYNC_MISTAKES).findings)
    assert not after - before


@pytest.mark.parametrize("path", UNMIGRATABLE, ids=lambda p: p.stem)
def test_what_has_no_equivalent_is_reported_and_left_alone(path):
    text = path.read_text(encoding="utf-8")
    assert migrated_text(path) == text
    findings = check_text(str(path), text, MIGRATION).findings
    reasons = [f for f in findings if "not migrated" in f.message]
    assert reasons, [f.message for f in findings]
    assert all(f.fix is None for f in findings)


def test_the_harness_sees_a_wrong_migration(tmp_path):
    """A migration that forgot to await `close()` sends no endSessions: the
    comparison must notice (and the program warns of the coroutine never awaited)."""
    source = FIXTURES / "motor_programs" / "crud_service.py"
    wrong = tmp_path / "crud_service.py"
    wrong.write_text(migrated_text(source).replace("await client.close()", "client.close()"), encoding="utf-8")
    motor, pymongo = run_program(source), run_program(wrong)
    assert motor.commands[-1].get("endSessions") and pymongo.commands != motor.commands
    assert "never awaited" in pymongo.stderr


def test_motor_to_list_zero_is_an_empty_list(tmp_path):
    """Why `to_list(0)` is reported rather than rewritten: in Motor 3.7.1 it
    fetches a batch and returns nothing, so `to_list(None)` would change the result."""
    source = FIXTURES / "motor_programs" / "unmigratable" / "to_list_zero.py"
    seeded = tmp_path / "seeded.py"
    seeded.write_text(source.read_text(encoding="utf-8").replace(
        "    print(await client.app.items.find().to_list(0))",
        "    await client.app.items.insert_one({'_id': 1})\n"
        "    print(await client.app.items.find().to_list(0))\n"
        "    print(await client.app.items.find().to_list(None))"), encoding="utf-8")
    run = run_program(seeded)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == ["[]", "[{'_id': 1}]"]
    assert [next(iter(c)) for c in run.commands].count("find") == 2


def test_motor_aggregate_cursor_is_latent(tmp_path):
    """Why a cursor bound, then used after other awaits, is reported: awaiting
    the call where it is made would send `aggregate` before the insert."""
    source = FIXTURES / "motor_programs" / "unmigratable" / "latent_cursor.py"
    naive = tmp_path / "naive.py"
    naive.write_text(source.read_text(encoding="utf-8")
                     .replace("from motor.motor_asyncio import AsyncIOMotorClient",
                              "from pymongo import AsyncMongoClient as AsyncIOMotorClient")
                     .replace("cursor = events.aggregate", "cursor = await events.aggregate")
                     .replace("    client.close()", "    await client.close()"), encoding="utf-8")
    motor, pymongo = run_program(source), run_program(naive)
    assert [next(iter(c)) for c in motor.commands] == ["insert", "aggregate", "endSessions"]
    assert [next(iter(c)) for c in pymongo.commands] == ["aggregate", "insert", "endSessions"]
    assert motor.stdout != pymongo.stdout
