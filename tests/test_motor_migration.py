"""The Motor -> PyMongo Async migration on the cases a wire program cannot hold:
layout, names, what stops it, and the `mongolint migrate motor` command."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from mongolint.config import Settings
from mongolint.engine import check_text
from mongolint.fixes import fix_text

MIGRATION = Settings(select=("MGL304",))


def migrate(source: str) -> str:
    outcome = fix_text("m.py", textwrap.dedent(source), MIGRATION, unsafe=True)
    assert not outcome.internal_errors, outcome.internal_errors
    return outcome.text


def reasons(source: str):
    findings = check_text("m.py", textwrap.dedent(source), MIGRATION).findings
    return [f.message.split("not migrated: ", 1)[1] for f in findings if "not migrated: " in f.message]


def test_a_property_returning_a_collection_is_a_collection():
    migrated = migrate('''
        from motor.motor_asyncio import AsyncIOMotorDatabase

        class Service:
            def __init__(self, db: AsyncIOMotorDatabase):
                self.db = db

            @property
            def collection(self):
                return self.db.items

            async def totals(self):
                return [d async for d in self.collection.aggregate([])]
    ''')
    assert "async for d in await self.collection.aggregate([])" in migrated


def test_an_attribute_of_an_own_class_instance():
    migrated = migrate('''
        from typing import Optional
        from motor.motor_asyncio import AsyncIOMotorClient

        class Holder:
            client: Optional[AsyncIOMotorClient] = None

        holder = Holder()

        async def stop():
            holder.client.close()
    ''')
    assert "await holder.client.close()" in migrated


def test_names_in_all_keep_their_spelling():
    migrated = migrate('''
        from motor.motor_asyncio import AsyncIOMotorClient

        __all__ = ["AsyncIOMotorClient"]
    ''')
    assert "from pymongo import AsyncMongoClient as AsyncIOMotorClient" in migrated
    assert '__all__ = ["AsyncIOMotorClient"]' in migrated


def test_an_import_left_with_nothing_keeps_its_comment():
    migrated = migrate('''
        from pymongo import AsyncMongoClient
        from motor.motor_asyncio import AsyncIOMotorClient  # the old driver

        client = AsyncIOMotorClient()
    ''')
    assert migrated.count("from pymongo import AsyncMongoClient") == 1
    assert "# the old driver" in migrated and "motor" not in migrated.replace("# the old driver", "")


def test_string_annotations_through_a_module_alias():
    migrated = migrate('''
        from motor import motor_asyncio as ma

        def use(db: "ma.AsyncIOMotorDatabase", cursor: "Optional[ma.AsyncIOMotorCursor]"):
            return db
    ''')
    assert 'db: "AsyncDatabase", cursor: "Optional[AsyncCursor]"' in migrated
    assert "from pymongo.asynchronous.database import AsyncDatabase" in migrated
    assert "from pymongo.asynchronous.cursor import AsyncCursor" in migrated


def test_a_string_that_is_not_a_type_is_left_alone():
    migrated = migrate('''
        from motor.motor_asyncio import AsyncIOMotorClient

        MESSAGE = "AsyncIOMotorClient failed"
        client = AsyncIOMotorClient()
    ''')
    assert 'MESSAGE = "AsyncIOMotorClient failed"' in migrated


def test_parenthesised_calls_keep_their_parentheses():
    migrated = migrate('''
        from motor.motor_asyncio import AsyncIOMotorCollection

        async def first(orders: AsyncIOMotorCollection):
            return (await (orders.aggregate([])).to_list(1))
    ''')
    assert "return (await (await orders.aggregate([])).to_list(1))" in migrated


def test_a_taken_name_stops_the_migration():
    source = '''
        from motor.motor_asyncio import AsyncIOMotorClient

        class AsyncMongoClient:
            pass

        client = AsyncIOMotorClient()
    '''
    assert migrate(source) == textwrap.dedent(source)
    assert any("already a name" in r for r in reasons(source))


def test_io_loop_with_side_effects_is_reported():
    source = '''
        import asyncio
        from motor.motor_asyncio import AsyncIOMotorClient

        client = AsyncIOMotorClient("mongodb://db", io_loop=asyncio.new_event_loop())
    '''
    assert migrate(source) == textwrap.dedent(source)
    assert any("io_loop=asyncio.new_event_loop()" in r for r in reasons(source))


def test_module_used_as_a_value_is_reported():
    source = '''
        try:
            import motor
        except ImportError:
            motor = None

        def available():
            return motor is not None
    '''
    assert any("availability check" in r for r in reasons(source))


def test_motor_core_annotations_are_motor_objects_for_every_rule():
    findings = check_text("m.py", textwrap.dedent('''
        from motor.core import AgnosticCollection

        async def save(orders: AgnosticCollection, doc):
            orders.insert_one(doc)
    '''), Settings(select=("MGL302",))).findings
    assert [f.code for f in findings] == ["MGL302"]


def _mongolint(*args, cwd):
    return subprocess.run([sys.executable, "-m", "mongolint", *args], capture_output=True, text=True, cwd=cwd)


MOTOR_FILE = '''from motor.motor_asyncio import AsyncIOMotorClient


async def main(uri):
    client = AsyncIOMotorClient(uri)
    async with await client.start_session() as session:
        await client.db.items.insert_one({}, session=session)
    client.close()
'''


def test_migrate_motor_diff_writes_nothing(tmp_path):
    path = tmp_path / "app.py"
    path.write_text(MOTOR_FILE)
    result = _mongolint("migrate", "motor", "--diff", str(path), cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "+    async with client.start_session() as session:" in result.stdout
    assert "+    await client.close()" in result.stdout
    assert path.read_text() == MOTOR_FILE


def test_migrate_motor_rewrites_whatever_the_configuration_ignores(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.mongolint]\nignore = ["MGL304"]\n')
    path = tmp_path / "app.py"
    path.write_text(MOTOR_FILE)
    result = _mongolint("migrate", "motor", str(path), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "from pymongo import AsyncMongoClient" in path.read_text()
    again = _mongolint("migrate", "motor", str(path), cwd=tmp_path)
    assert again.returncode == 0 and "Fixed 0 findings" in again.stderr


def test_migrate_motor_reports_what_it_cannot_do(tmp_path):
    path = tmp_path / "app.py"
    source = MOTOR_FILE.replace("    client.close()\n", "    print(client.get_io_loop())\n    client.close()\n")
    path.write_text(source)
    result = _mongolint("migrate", "motor", str(path), cwd=tmp_path)
    assert result.returncode == 1
    assert "get_io_loop()" in result.stdout and "not migrated" in result.stdout
    assert path.read_text() == source


def test_one_migration_counts_every_finding_it_settles():
    outcome = fix_text("m.py", MOTOR_FILE, MIGRATION, unsafe=True)
    assert [code for code, _ in outcome.applied] == ["MGL304", "MGL304"]  # the import and the construction


def test_a_migration_that_would_add_async_mistakes_is_refused(tmp_path, monkeypatch):
    from mongolint import runner
    from mongolint.rules.migration import migrate_motor

    monkeypatch.setattr(migrate_motor, "_new_async_mistakes", lambda model, migrated: "1 new MGL302 finding(s)")
    path = tmp_path / "app.py"
    path.write_text(MOTOR_FILE)
    report = runner._guarded(lambda p, s: runner.fix_path(p, s, unsafe=True, diff_only=False), str(path), MIGRATION)
    assert any("would leave 1 new MGL302" in problem for problem in report.internal_errors)
    assert path.read_text() == MOTOR_FILE


def test_client_encryption_get_keys_is_no_longer_awaited():
    migrated = migrate('''
        from motor.motor_asyncio import AsyncIOMotorClientEncryption

        async def keys(kms, client, options):
            encryption = AsyncIOMotorClientEncryption(kms, "keys.vault", client, options)
            cursor = await encryption.get_keys()
            return await cursor.to_list(None)
    ''')
    assert "cursor = encryption.get_keys()" in migrated
    assert "encryption = AsyncClientEncryption(kms" in migrated


def test_a_star_import_is_reported_not_migrated():
    source = '''
        from motor.motor_asyncio import *

        async def main(uri):
            client = AsyncIOMotorClient(uri)
            client.close()
    '''
    assert migrate(source) == textwrap.dedent(source)
    findings = check_text("m.py", textwrap.dedent(source), MIGRATION).findings
    assert findings[0].line == 2 and "star import" in findings[0].message
    assert all(f.fix is None for f in findings)


def test_motor_futures_used_as_futures_are_reported():
    source = '''
        from motor.motor_asyncio import AsyncIOMotorCollection

        async def audit(log: AsyncIOMotorCollection, users: AsyncIOMotorCollection, on_done):
            log.insert_one({"event": "login"})
            pending = log.insert_one({"event": "seen"})
            await users.count_documents({})
            await pending
            log.delete_many({}).add_done_callback(on_done)
            return log.find_one({})
    '''
    assert migrate(source) == textwrap.dedent(source)
    found = reasons(source)
    assert len(found) == 3, found
    assert "in the background" in found[0] and "at once" in found[1] and "Future" in found[2]


def test_motor_futures_awaited_gathered_or_returned_migrate():
    migrated = migrate('''
        import asyncio
        from motor.motor_asyncio import AsyncIOMotorCollection

        async def save(log: AsyncIOMotorCollection, docs):
            await asyncio.gather(*[log.insert_one(d) for d in docs])
            await asyncio.gather(log.insert_one({}), log.delete_one({}))
            first = log.find_one({})
            return await first

        def lookup(log: AsyncIOMotorCollection):
            return log.find_one({})
    ''')
    assert "AsyncCollection" in migrated and "motor" not in migrated


def test_a_subclass_of_a_motor_class_is_reported():
    source = '''
        from motor.motor_asyncio import AsyncIOMotorClient

        class TracingClient(AsyncIOMotorClient):
            def get_database(self, name=None, **kwargs):
                print("database", name)
                return super().get_database(name, **kwargs)
    '''
    assert migrate(source) == textwrap.dedent(source)
    assert any("subclasses Motor's `AsyncIOMotorClient`" in r for r in reasons(source))


def test_closing_a_client_of_unknown_type_is_reported():
    source = '''
        from motor.motor_asyncio import AsyncIOMotorDatabase

        class Repository:
            def __init__(self, client, db: AsyncIOMotorDatabase):
                self.client, self.db = client, db

            async def stop(self):
                self.client.close()
    '''
    assert migrate(source) == textwrap.dedent(source)
    assert any("`self.client` is a Motor client" in r for r in reasons(source))
