"""Shapes from real test suites that need a module of their own: which files are
tests, `strict-tests`, and flavours that imports alone would get wrong."""

from __future__ import annotations

import textwrap

import pytest

from mongolint.config import ConfigError, Settings, from_table
from mongolint.engine import check_text
from mongolint.model.test_context import is_test_path

LEAK_ONLY_ON_ERROR = textwrap.dedent("""\
    from pymongo import MongoClient

    def helper(uri):
        client = MongoClient(uri)
        found = client.shop.orders.find_one()
        client.close()
        return found
""")


def _codes(path: str, text: str, **settings) -> list:
    report = check_text(path, text, Settings(**settings))
    assert report.error is None and not report.internal_errors, report
    return [(f.line, f.code) for f in report.findings]


@pytest.mark.parametrize("path", ["tests/helpers.py", "pkg/test/util.py", "test_app.py",
                                  "src/app_test.py", "tests/conftest.py", "conftest.py"])
def test_test_paths(path):
    assert is_test_path(path)


@pytest.mark.parametrize("path", ["app/testing_tools.py", "contest.py", "src/latest.py", "attest/x.py"])
def test_not_test_paths(path):
    assert not is_test_path(path)


def test_error_path_leak_reported_outside_tests():
    assert _codes("app/db.py", LEAK_ONLY_ON_ERROR) == [(4, "MGL102")]


def test_error_path_leak_quiet_in_a_test_file():
    assert _codes("tests/db_helpers.py", LEAK_ONLY_ON_ERROR) == []


def test_strict_tests_reports_error_path_leak_in_a_test_file():
    assert _codes("tests/db_helpers.py", LEAK_ONLY_ON_ERROR, strict_tests=True) == [(4, "MGL102")]


def test_never_closed_reported_in_a_test_file_without_strict_tests():
    text = LEAK_ONLY_ON_ERROR.replace("    client.close()\n", "")
    assert _codes("tests/db_helpers.py", text) == [(4, "MGL102")]


def test_unittest_method_is_test_code():
    text = textwrap.dedent("""\
        import unittest
        from pymongo import MongoClient

        class Orders(unittest.TestCase):
            def setUp(self):
                client = MongoClient()
                client.shop.orders.drop()
                client.close()
    """)
    assert _codes("app/checks.py", text) == []
    assert _codes("app/checks.py", text, strict_tests=True) == [(6, "MGL102")]


def test_strict_tests_in_pyproject():
    assert from_table({"strict-tests": True}).strict_tests is True
    assert Settings().strict_tests is False
    with pytest.raises(ConfigError, match="strict-tests"):
        from_table({"strict-tests": "yes"})


def test_strict_tests_changes_the_cache_key():
    assert Settings().fingerprint() != Settings(strict_tests=True).fingerprint()


# The module imports only the sync driver; the client comes from an awaited
# helper of a base class in another module: the flavour is not known, so
# `async with ... start_session()` is not MGL301 (PyMongo's own async tests).
AWAITED_CLIENT = textwrap.dedent("""\
    from pymongo import MongoClient
    from test.asynchronous import AsyncIntegrationTest

    class TestSessions(AsyncIntegrationTest):
        async def asyncSetUp(self):
            self.client = await self.async_rs_or_single_client()

        async def test_session(self):
            async with self.client.start_session() as session:
                await self.client.db.coll.insert_one({}, session=session)

    class TestInherited(AsyncIntegrationTest):
        async def test_session(self):
            async with self.client.start_session() as session:
                await self.db.coll.insert_one({}, session=session)

    async def awaited_local(factory):
        client = await factory()
        async with client.start_session() as session:
            pass
""")


def test_awaited_or_inherited_client_has_no_sync_flavour():
    assert _codes("test/asynchronous/test_sessions.py", AWAITED_CLIENT, select=("MGL301",)) == []


def test_sync_module_session_still_mgl301_when_the_client_is_sync():
    text = textwrap.dedent("""\
        from pymongo import MongoClient

        class Store:
            def __init__(self):
                self.client = make()

            async def run(self):
                async with self.client.start_session() as session:
                    pass
    """)
    assert _codes("app/store.py", text, select=("MGL301",)) == [(8, "MGL301")]


def test_untyped_session_read_for_its_options_is_still_reported():
    # Motor's own tests: `self.cx` comes from a base class, so the awaited
    # session has no known flavour; reading `s.options` is not an escape.
    text = textwrap.dedent("""\
        from pymongo import IndexModel
        from test.tornado_tests import MotorTest

        class TestSession(MotorTest):
            async def test_options(self):
                s = await self.cx.start_session()
                self.assertTrue(s.options.causal_consistency)
    """)
    assert _codes("test/tornado_tests/test_motor_session.py", text, select=("MGL101",)) == [(6, "MGL101")]


def test_unannotated_session_parameter_writes_through_its_client():
    # `session` is used only as a session (`start_transaction`, `.client`,
    # `session=`): it is one, so its client's collections are in the transaction.
    text = textwrap.dedent("""\
        from pymongo import MongoClient

        client = MongoClient()

        def save(session, doc):
            with session.start_transaction():
                session.client.shop.orders.insert_one(doc, session=session)
                session.client.shop.audit.insert_one(doc)
    """)
    assert _codes("app/save.py", text, select=("MGL202",)) == [(8, "MGL202")]
