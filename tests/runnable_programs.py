"""Hypothesis strategies that write *runnable* PyMongo programs, for the
behavioural fuzzer (test_behaviour_fuzz.py; program_generator.py writes
programs that only need to parse).

A program defines ``main()`` (or ``async def main()``) that builds clients,
derives databases, collections, bound methods and cursors, starts and ends
sessions and transactions, and closes clients, in straight lines, ``if``,
``for`` (two iterations), ``try/finally``, ``try/except`` and ``with`` /
``async with`` blocks: the shapes of the fixtures and of issue 10's causes
(a derived object used after the client's last mention, a lazy cursor, a
release in the middle, ``del``, a positional session, a constructor inside
``try``...). Every value the program computes is appended to ``results``,
which ``main()`` returns, so that a fix that changes a value is seen. Names are
used only once bound on some path (a branch not taken may still leave one
unbound: that is an outcome like any other). Loops are bounded, so every
program ends.
"""

from __future__ import annotations

from typing import List

from hypothesis import strategies as st

HEADER = [
    "import pymongo",
    "from pymongo import AsyncMongoClient, MongoClient",
    "from pymongo.errors import InvalidOperation, PyMongoError",
    "",
    'URI = "mongodb://fake"',
]
CLIENTS = ["client", "other"]
COLLECTIONS = ["orders", "stock"]


class Scope:
    """What the statements drawn so far have bound, and where the next one goes."""

    def __init__(self, is_async: bool, sloppy_awaits: bool = False) -> None:
        self.is_async = is_async
        self.sloppy_awaits = sloppy_awaits  # may await a plain method or forget an await
        self.clients: List[str] = []
        self.collections: List[str] = []
        self.sessions = False
        self.cursor = False
        self.bound_method = False
        self.counter = 0

    def next_id(self) -> int:
        self.counter += 1
        return self.counter

    def aw(self, expression: str) -> str:
        return f"await {expression}" if self.is_async else expression


def indent(lines: List[str]) -> List[str]:
    return ["    " + line if line else line for line in lines]


@st.composite
def _client_expression(draw, scope: Scope) -> str:
    return draw(st.sampled_from(scope.clients)) if scope.clients else "SHARED"


@st.composite
def _collection_expression(draw, scope: Scope) -> str:
    choices = list(scope.collections)
    client = draw(_client_expression(scope))
    choices.append(f"{client}.shop.{draw(st.sampled_from(COLLECTIONS))}")
    return draw(st.sampled_from(choices))


@st.composite
def _session_argument(draw, scope: Scope) -> str:
    if not scope.sessions:
        return ""
    return draw(st.sampled_from(["", ", session=s", ", session=s"]))


@st.composite
def simple_statement(draw, scope: Scope) -> List[str]:
    kinds = ["client", "derive", "operation", "operation", "session", "cursor", "method"]
    if scope.clients:
        kinds += ["close", "close"]
    if scope.sessions:
        kinds += ["end_session", "transaction", "has_ended", "positional", "del"]
        if not scope.is_async:
            kinds.append("with_transaction")
    if scope.cursor:
        kinds += ["consume", "consume"]
    if scope.bound_method:
        kinds.append("call_method")
    if scope.sloppy_awaits:
        kinds += ["unawaited", "await_plain"]
    kind = draw(st.sampled_from(kinds))
    client_class = "AsyncMongoClient" if scope.is_async else "MongoClient"
    if kind == "client":
        name = draw(st.sampled_from(CLIENTS))
        scope.clients.append(name)
        return [f"{name} = {client_class}(URI)"]
    if kind == "derive":
        name = draw(st.sampled_from(COLLECTIONS))
        client = draw(_client_expression(scope))
        scope.collections.append(name)
        return [draw(st.sampled_from([f"{name} = {client}.shop.{name}", f"{name} = {client}['shop']['{name}']",
                                      f"{name} = {client}.get_database('shop').get_collection('{name}')"]))]
    if kind == "operation":
        collection = draw(_collection_expression(scope))
        session = draw(_session_argument(scope))
        operation = draw(st.sampled_from([
            f"insert_one({{'_id': {scope.next_id()}}}{session})", f"find_one({{}}{session})",
            f"count_documents({{}}{session})", f"update_one({{'_id': 1}}, {{'$set': {{'x': 1}}}}{session})",
            f"delete_many({{'x': 1}}{session})", f"estimated_document_count({session.lstrip(', ')})"]))
        return [f"results.append({scope.aw(f'{collection}.{operation}')})"]
    if kind == "session":
        scope.sessions = True
        return [f"s = {draw(_client_expression(scope))}.start_session()"]
    if kind == "cursor":
        scope.cursor = True
        collection = draw(_collection_expression(scope))
        return [f"cursor = {collection}.find({{}}{draw(_session_argument(scope))})"]
    if kind == "consume":
        if scope.is_async:
            return [draw(st.sampled_from(["results.append([d['_id'] async for d in cursor])",
                                          "results.append(len(await cursor.to_list()))",
                                          "results.append([d['_id'] for d in cursor])"]))]
        return ["results.append([d['_id'] for d in cursor])"]
    if kind == "method":
        scope.bound_method = True
        return [f"insert = {draw(_collection_expression(scope))}.insert_one"]
    if kind == "call_method":
        call = "insert({'_id': %d})" % scope.next_id()
        return [f"results.append({scope.aw(call)})"]
    if kind == "close":
        return [scope.aw(f"{draw(st.sampled_from(scope.clients))}.close()")]
    if kind == "end_session":
        return [scope.aw("s.end_session()")]
    if kind == "has_ended":
        return ["results.append(s.has_ended)"]
    if kind == "del":
        scope.sessions = False
        return ["del s"]
    if kind == "positional":
        return [f"results.append({scope.aw(f'{draw(_collection_expression(scope))}.count_documents({{}}, s)')})"]
    if kind == "transaction":
        method = draw(st.sampled_from(["start_transaction()", "start_transaction()", "commit_transaction()",
                                       "abort_transaction()"]))
        return [scope.aw(f"s.{method}")]
    if kind == "with_transaction":
        collection = draw(_collection_expression(scope))
        session = draw(st.sampled_from(["", ", session=session"]))
        commit = draw(st.sampled_from(["", " and session.commit_transaction()"]))
        return [f"results.append(s.with_transaction(lambda session: {collection}.insert_one("
                f"{{'_id': {scope.next_id()}}}{session}){commit}))"]
    if kind == "unawaited":
        return [f"{draw(_collection_expression(scope))}.insert_one({{'_id': {scope.next_id()}}})"]
    return [f"s = await {draw(_client_expression(scope))}.start_session()"]  # await_plain


@st.composite
def block(draw, scope: Scope, depth: int, size=(1, 3)) -> List[str]:
    lines: List[str] = []
    for _ in range(draw(st.integers(*size))):
        lines.extend(draw(statement(scope, depth)))
    return lines


@st.composite
def statement(draw, scope: Scope, depth: int) -> List[str]:
    if depth <= 0 or draw(st.integers(0, 2)) > 0:
        return draw(simple_statement(scope))
    kinds = ["if", "for", "try_finally", "try_except", "with_client", "with_session"]
    if scope.sessions:
        kinds.append("with_transaction")
    kind = draw(st.sampled_from(kinds))
    inner = depth - 1
    prefix = "async with" if scope.is_async else "with"
    if kind == "if":
        lines = ["if flag:"] + indent(draw(block(scope, inner)))
        if draw(st.booleans()):
            lines += ["else:"] + indent(draw(block(scope, inner)))
        return lines
    if kind == "for":
        return ["for i in range(2):"] + indent(draw(block(scope, inner)))
    if kind == "try_finally":
        body = draw(block(scope, inner))
        return ["try:"] + indent(body) + ["finally:"] + indent(draw(block(scope, inner, size=(1, 2))))
    if kind == "try_except":
        error = draw(st.sampled_from(["PyMongoError", "InvalidOperation", "Exception"]))
        body = draw(block(scope, inner))
        return ["try:"] + indent(body) + [f"except {error} as error:", "    results.append(type(error).__name__)"]
    if kind == "with_client":
        name = draw(st.sampled_from(CLIENTS))
        scope.clients.append(name)
        client_class = "AsyncMongoClient" if scope.is_async else "MongoClient"
        return [f"{prefix} {client_class}(URI) as {name}:"] + indent(draw(block(scope, inner)))
    if kind == "with_session":
        scope.sessions = True
        header = f"{prefix} {draw(_client_expression(scope))}.start_session() as s:"
        return [header] + indent(draw(block(scope, inner)))
    header = "async with await s.start_transaction():" if scope.is_async else "with s.start_transaction():"
    return [header] + indent(draw(block(scope, inner)))


@st.composite
def _prologue(draw, scope: Scope) -> List[str]:
    """Most programs own a client and a session: the lifetimes the fixes manage."""
    lines = []
    client_class = "AsyncMongoClient" if scope.is_async else "MongoClient"
    if draw(st.integers(0, 9)) < 7:
        scope.clients.append("client")
        lines.append(f"client = {client_class}(URI)")
        if draw(st.booleans()):
            scope.collections.append("orders")
            lines.append("orders = client.shop.orders")
    if draw(st.booleans()):
        scope.sessions = True
        lines.append(f"s = {draw(_client_expression(scope))}.start_session()")
    return lines


@st.composite
def _epilogue(draw, scope: Scope) -> List[str]:
    """A release at the end, outside `finally` (what MGL101/MGL102 report), and
    sometimes a look at the released object afterwards."""
    lines = []
    if scope.sessions and draw(st.booleans()):
        lines.append(scope.aw("s.end_session()"))
        if draw(st.integers(0, 3)) == 0:
            lines.append("results.append(s.has_ended)")
    if "client" in scope.clients and draw(st.booleans()):
        lines.append(scope.aw("client.close()"))
    return lines


@st.composite
def runnable_programs(draw, max_depth: int = 2) -> str:
    is_async = draw(st.booleans())
    scope = Scope(is_async, sloppy_awaits=is_async and draw(st.integers(0, 3)) == 0)
    lines = list(HEADER)
    lines.append(f"SHARED = {'AsyncMongoClient' if is_async else 'MongoClient'}(URI)")
    flag = draw(st.sampled_from(["True", "False"]))
    lines += ["", "", ("async def" if is_async else "def") + f" main(flag={flag}):"]
    body = ["results = []"] + draw(_prologue(scope)) + draw(block(scope, max_depth, size=(1, 5)))
    body += draw(_epilogue(scope)) + ["return results"]
    return "\n".join(lines + indent(body)) + "\n"
