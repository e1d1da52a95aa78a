"""The driver errors MGL106, MGL107, MGL110 and MGL204 promise, raised for real by
the installed PyMongo against a MockupDB server on 127.0.0.1, and quoted word for
word by the rule pages and the rules' messages."""

from __future__ import annotations

import asyncio

import pytest

from fixture_markers import FIXTURES, ROOT
from mongolint.config import Settings
from mongolint.engine import check_text

mockupdb = pytest.importorskip("mockupdb")
pymongo = pytest.importorskip("pymongo")
from pymongo.errors import InvalidOperation  # noqa: E402

ENDED = "Cannot use ended session"
OTHER_CLIENT = "Can only use session with the MongoClient that started it"
CLOSED = "Cannot use MongoClient after close"
ASYNC_CLOSED = "Cannot use AsyncMongoClient after close"
IN_PROGRESS = "Transaction already in progress"


@pytest.fixture(scope="module")
def server():
    mock = mockupdb.MockupDB(auto_ismaster={"maxWireVersion": 21, "logicalSessionTimeoutMinutes": 30})
    mock.autoresponds("endSessions")
    mock.run()
    yield mock
    mock.stop()


def _client(server, cls=pymongo.MongoClient):
    return cls(server.uri, serverSelectionTimeoutMS=2000)


def test_mgl106_an_ended_session_raises(server):
    client = _client(server)
    try:
        session = client.start_session()
        session.end_session()
        for use in (lambda: client.shop.orders.insert_one({}, session=session),
                    lambda: client.shop.orders.find_one({}, session=session),
                    session.start_transaction, lambda: session.session_id):  # noqa: MGL106 (on purpose)
            with pytest.raises(InvalidOperation, match=ENDED):
                use()
        with client.start_session() as ended_by_with:
            pass
        with pytest.raises(InvalidOperation, match=ENDED):
            client.shop.orders.find_one({}, session=ended_by_with)
        session.end_session()  # a second end does nothing
        assert session.has_ended and session.client is client
    finally:
        client.close()


def test_mgl107_a_session_of_another_client_raises(server):
    first, second = _client(server), _client(server)
    try:
        with first.start_session() as session:
            with pytest.raises(InvalidOperation, match=OTHER_CLIENT):
                second.shop.orders.insert_one({}, session=session)
            with pytest.raises(InvalidOperation, match=OTHER_CLIENT):
                list(second.shop.orders.find({}, session=session))
            assert session.client is first
    finally:
        first.close()
        second.close()


def test_mgl110_a_closed_client_raises_and_deriving_does_not(server):
    client = _client(server)
    orders = client.shop.orders
    cursor = orders.find()
    client.close()
    for use in (lambda: client.shop.orders.find_one(), lambda: orders.insert_one({}), lambda: next(cursor),
                lambda: next(orders.find()), orders.watch):
        with pytest.raises(InvalidOperation, match=CLOSED):
            use()
    assert client.shop.orders.find() is not None and client.start_session() is not None
    client.close()
    with _client(server) as closed_by_with:
        pass
    with pytest.raises(InvalidOperation, match=CLOSED):
        closed_by_with.shop.orders.find_one()


def test_mgl110_async_client_message(server):
    async def scenario():
        client = _client(server, pymongo.AsyncMongoClient)
        await client.close()
        with pytest.raises(InvalidOperation, match=ASYNC_CLOSED):
            await client.shop.orders.find_one()

    asyncio.run(scenario())


def test_mgl204_a_second_start_raises(server):
    client = _client(server)
    try:
        with client.start_session() as session:
            with session.start_transaction():
                with pytest.raises(InvalidOperation, match=IN_PROGRESS):
                    session.start_transaction()
            session.start_transaction()
            with pytest.raises(InvalidOperation, match=IN_PROGRESS):
                session.start_transaction()
            session.abort_transaction()

            def callback(s):
                s.start_transaction()  # noqa: MGL204 (on purpose)

            with pytest.raises(InvalidOperation, match=IN_PROGRESS):
                session.with_transaction(callback)
    finally:
        client.close()


@pytest.mark.parametrize("code, error", [("MGL106", ENDED), ("MGL107", OTHER_CLIENT), ("MGL110", CLOSED),
                                         ("MGL204", IN_PROGRESS)])
def test_pages_and_messages_quote_the_error(code, error):
    page = (ROOT / "docs" / "rules" / f"{code}.md").read_text(encoding="utf-8")
    assert f"InvalidOperation: {error}" in page
    fixture = FIXTURES / f"{code}.py"
    report = check_text(str(fixture), fixture.read_text(encoding="utf-8"), Settings(select=(code,)))
    assert report.findings and all(error in f.message or ASYNC_CLOSED in f.message for f in report.findings)
