"""The fake driver of the behavioural fuzzer raises where PyMongo 4.20 raises:
each misuse runs against the real driver (and a scripted MockupDB) and against
the fake, and both must raise the same error with the same message, or return
the same value."""

from __future__ import annotations

import asyncio
import textwrap
import warnings

import pymongo
import pytest

import fake_driver

SYNC_MISUSES = {
    "operation on an ended session": """
        s = client.start_session(); s.end_session()
        coll.insert_one({}, session=s)""",
    "cursor iterated after its session ended": """
        s = client.start_session(); cursor = coll.find({}, session=s); s.end_session()
        return [d["_id"] for d in cursor]""",
    "session used after its with block": """
        with client.start_session() as s:
            pass
        coll.find_one({}, session=s)""",
    "operation on a closed client": """
        other = MongoClient(URI); other.close()
        other.shop.orders.find_one({})""",
    "cursor iterated after its client closed": """
        other = MongoClient(URI); cursor = other.shop.orders.find({}); other.close()
        return list(cursor)""",
    "a closed client still gives collections and sessions": """
        other = MongoClient(URI); other.close()
        s = other.start_session(); s.start_transaction()
        return other.shop.orders.name, s.in_transaction, s.has_ended""",
    "ended session on a closed client": """
        other = MongoClient(URI); s = other.start_session(); s.end_session(); other.close()
        other.shop.orders.insert_one({}, session=s)""",
    "session of another client": """
        other = MongoClient(URI); s = other.start_session()
        coll.insert_one({}, session=s)""",
    "session given twice to count_documents": """
        s = client.start_session()
        coll.count_documents({}, s, session=s)""",
    "session given twice to insert_one": """
        s = client.start_session()
        coll.insert_one({}, None, s, session=s)""",
    "estimated_document_count refuses a session": """
        with client.start_session() as s:
            return coll.estimated_document_count(session=s)""",
    "estimated_document_count without a session": """
        return coll.estimated_document_count()""",
    "transaction already in progress": """
        s = client.start_session(); s.start_transaction(); s.start_transaction()""",
    "commit without a transaction": """
        client.start_session().commit_transaction()""",
    "abort without a transaction": """
        client.start_session().abort_transaction()""",
    "abort after commit": """
        s = client.start_session(); s.start_transaction(); coll.insert_one({}, session=s)
        s.commit_transaction(); s.abort_transaction()""",
    "commit after abort": """
        s = client.start_session(); s.start_transaction(); coll.insert_one({}, session=s)
        s.abort_transaction(); s.commit_transaction()""",
    "commit twice is allowed": """
        s = client.start_session(); s.start_transaction(); coll.insert_one({}, session=s)
        s.commit_transaction(); s.commit_transaction(); return s.in_transaction""",
    "start_transaction on an ended session": """
        s = client.start_session(); s.end_session(); s.start_transaction()""",
    "commit on a session ended during the transaction": """
        s = client.start_session(); s.start_transaction(); s.end_session(); s.commit_transaction()""",
    "end_session twice and close twice are allowed": """
        s = client.start_session(); s.end_session(); s.end_session()
        other = MongoClient(URI); other.close(); other.close(); return s.has_ended""",
    "an empty transaction commits": """
        s = client.start_session(); s.start_transaction(); s.commit_transaction(); return s.in_transaction""",
    "with_transaction returns the callback's value": """
        s = client.start_session(); return s.with_transaction(lambda session: "done")""",
    "with_transaction aborts and re-raises the callback's error": """
        s = client.start_session()
        def callback(session):
            coll.insert_one({}, session=session)
            raise ValueError("no")
        try:
            s.with_transaction(callback)
        except ValueError as error:
            return str(error), s.in_transaction""",
    "the constructor rejects a bad URI": """
        MongoClient("notmongodb://127.0.0.1")""",
}

ASYNC_MISUSES = {
    "sync with on an async session": """
        with client.start_session() as s:
            pass""",
    "sync with on an async client": """
        with client:
            pass""",
    "sync with on an async transaction": """
        s = client.start_session()
        with await s.start_transaction():
            pass""",
    "await of start_session": """
        return await client.start_session()""",
    "await of find": """
        return await coll.find({})""",
    "an async cursor iterated synchronously is empty": """
        items = [d for d in coll.find({})]
        for d in coll.find({}):
            items.append(d)
        return items, list(coll.find({}))""",
    "async for and to_list read the documents": """
        return [d["_id"] async for d in coll.find({})], len(await coll.find({}).to_list())""",
    "operation on an ended async session": """
        s = client.start_session(); await s.end_session()
        await coll.insert_one({}, session=s)""",
    "operation on a closed async client": """
        other = AsyncMongoClient(URI); await other.close()
        await other.shop.orders.find_one({})""",
    "async cursor read after its client closed": """
        other = AsyncMongoClient(URI); cursor = other.shop.orders.find({}); await other.close()
        return await cursor.to_list()""",
    "async estimated_document_count refuses a session": """
        async with client.start_session() as s:
            return await coll.estimated_document_count(session=s)""",
    "async transaction already in progress": """
        s = client.start_session(); await s.start_transaction(); await s.start_transaction()""",
    "session given twice to async count_documents": """
        s = client.start_session()
        await coll.count_documents({}, s, session=s)""",
    "async with session ends it": """
        async with client.start_session() as s:
            await coll.insert_one({}, session=s)
        return s.has_ended""",
    "async with await start_transaction commits": """
        async with client.start_session() as s:
            async with await s.start_transaction():
                await coll.insert_one({}, session=s)
            return s.in_transaction""",
}


def _probe(body: str, is_async: bool):
    header = "async def probe():\n" if is_async else "def probe():\n"
    return header + textwrap.indent(textwrap.dedent(body).strip() + "\n", "    ")


def _outcome(namespace: dict, source: str, is_async: bool):
    exec(compile(source, "<probe>", "exec"), namespace)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = asyncio.run(namespace["probe"]()) if is_async else namespace["probe"]()
    except Exception as error:
        return f"{type(error).__name__}: {error}"
    return repr(value)


def _real(uri: str, source: str, is_async: bool):
    client_class = pymongo.AsyncMongoClient if is_async else pymongo.MongoClient
    client = client_class(uri)
    namespace = {"MongoClient": pymongo.MongoClient, "AsyncMongoClient": pymongo.AsyncMongoClient,
                 "URI": uri, "client": client, "coll": client.shop.orders}
    return _outcome(namespace, source, is_async)


def _fake(source: str, is_async: bool):
    fake_driver.new_run("ok")
    client_class = fake_driver.AsyncMongoClient if is_async else fake_driver.MongoClient
    client = client_class("mongodb://fake")
    namespace = {"MongoClient": fake_driver.MongoClient, "AsyncMongoClient": fake_driver.AsyncMongoClient,
                 "URI": "mongodb://fake", "client": client, "coll": client.shop.orders}
    return _outcome(namespace, source, is_async)


def _normalised(text: str) -> str:
    return text.replace("'_id': 1, 'sku': 'a1', 'qty': 3", "doc1").replace("'_id': 2, 'sku': 'b2', 'qty': 0", "doc2")


@pytest.mark.parametrize("name", SYNC_MISUSES)
def test_fake_sync_driver_raises_like_pymongo(scripted_server, name):
    source = _probe(SYNC_MISUSES[name], is_async=False)
    assert _normalised(_fake(source, False)) == _normalised(_real(scripted_server.uri("probe.ok"), source, False))


@pytest.mark.parametrize("name", ASYNC_MISUSES)
def test_fake_async_driver_raises_like_pymongo(scripted_server, name):
    source = _probe(ASYNC_MISUSES[name], is_async=True)
    assert _normalised(_fake(source, True)) == _normalised(_real(scripted_server.uri("probe.ok"), source, True))
