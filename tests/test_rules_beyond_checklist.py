"""MGL104, MGL202-205 and MGL302-306: the cases a fixture file cannot hold.

A fixture imports the driver; these check modules that do not (nothing fires), and
modules with a single client (an operation whose client is not known is assumed to be
on it).
"""

from __future__ import annotations

import re
import textwrap

import pytest

from mongolint.config import Settings
from mongolint.engine import check_text

CODES = ("MGL104", "MGL202", "MGL203", "MGL205", "MGL302", "MGL303", "MGL305", "MGL306")

# Every pattern of the rules above, spelled on objects of a module that never
# imports or annotates with the driver (an in-house wrapper with the same names).
WITHOUT_DRIVER = """
import asyncio

from .storage import Client, connect

client = connect()
orders = client.shop.orders


def transaction(order):
    with client.start_session() as s:
        with s.start_transaction():
            orders.insert_one(order)
            s.commit_transaction()


def bare(order, s):
    s.start_transaction()
    orders.insert_one(order)
    s.commit_transaction()


def callback(order):
    async def txn(session):
        orders.insert_one(order)
        session.commit_transaction()

    with client.start_session() as s:
        s.with_transaction(txn)
        s.with_transaction(lambda session: session.abort_transaction())


def count(s):
    return orders.estimated_document_count(session=s)


def cleanup(uri):
    try:
        local = Client(uri)
        session = local.start_session()
    finally:
        session.end_session()
        local.close()


async def handler(doc):
    orders.insert_one(doc)
    client.close()
    for row in orders.aggregate([]):
        print(row)
    return list(orders.find({}))
"""


def _findings(source: str, codes=CODES):
    # Past the pre-filter (which would skip a module without the driver's names
    # anyway): the rules themselves must stay quiet.
    report = check_text("module.py", textwrap.dedent(source), Settings(select=codes), pattern=re.compile(""))
    assert report.error is None and not report.internal_errors, report
    return [(f.line, f.code) for f in report.findings]


def test_nothing_fires_in_a_module_without_the_driver():
    assert _findings(WITHOUT_DRIVER) == []


@pytest.mark.parametrize("code", CODES)
def test_each_rule_is_quiet_without_the_driver(code):
    assert _findings(WITHOUT_DRIVER, (code,)) == []


SINGLE_CLIENT = """
from pymongo import MongoClient

client = MongoClient()
shop = client.shop


def place(session, order):
    with session.start_transaction():
        shop.orders.insert_one(order, session=session)
        shop.stock.update_one({"sku": order["sku"]}, {"$inc": {"qty": -1}})
"""


def test_unknown_clients_are_the_modules_single_client():
    # `session` is an unannotated parameter without callers (its client is not known),
    # but the module builds one client: the update is on the transaction's client.
    assert _findings(SINGLE_CLIENT, ("MGL202",)) == [(11, "MGL202")]


def test_unknown_clients_with_two_clients_in_the_module():
    source = SINGLE_CLIENT.replace('client = MongoClient()', 'client = MongoClient()\nother = MongoClient("x")')
    assert _findings(source, ("MGL202",)) == []


def test_sentry_transaction_in_a_single_client_module():
    source = """
    import sentry_sdk
    from pymongo import MongoClient

    orders = MongoClient().shop.orders


    def task(order):
        with sentry_sdk.start_transaction(op="task"):
            orders.insert_one(order)
    """
    assert _findings(source) == []


def test_sqlalchemy_session_in_a_single_client_module():
    source = """
    from pymongo import MongoClient
    from sqlalchemy.orm import Session

    orders = MongoClient().shop.orders


    def task(db: Session, order):
        db.start_transaction()
        orders.insert_one(order)
        db.commit_transaction()
    """
    assert _findings(source) == []


@pytest.mark.parametrize("source, expected", [
    ("f(a)", "f(a, session=s)"),
    ("f()", "f(session=s)"),
    ("f(\n    a,\n    b,\n)", "f(\n    a,\n    b,\n    session=s,\n)"),
    ("f(\n    a\n)", "f(\n    a,\n    session=s\n)"),
    ("f(  # c\n    a\n)", "f(  # c\n    a,\n    session=s\n)"),
    ("f(\n    a,  # note\n    b,  # last\n)", "f(\n    a,  # note\n    b,  # last\n    session=s,\n)"),
    ("f(\n    a  # c\n)", "f(\n    a,  # c\n    session=s\n)"),
])
def test_adding_a_keyword_keeps_the_layout_and_the_comments(source, expected):
    import libcst as cst

    from mongolint.rules.edits.expressions import with_keyword

    call = cst.parse_expression(source)
    assert cst.Module([]).code_for_node(with_keyword(call, "session", cst.Name("s"))) == expected


@pytest.mark.parametrize("source, expected", [
    ("f(a, session=s)", "f(a)"),
    ("f(\n    a,\n    session=s,\n)", "f(\n    a,\n)"),
    ("f(\n    a,\n    session=s\n)", "f(\n    a\n)"),
    ("f(a, session=s, b=1)", "f(a, b=1)"),
])
def test_removing_a_keyword_keeps_the_layout(source, expected):
    import libcst as cst

    from mongolint.rules.edits.expressions import without_keyword

    call = cst.parse_expression(source)
    assert cst.Module([]).code_for_node(without_keyword(call, "session")) == expected
