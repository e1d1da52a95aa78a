"""Hypothesis strategies that write valid Python programs using MongoDB's drivers.

`programs()` composes snippets into modules: imports of PyMongo (sync and
async) and Motor; clients, databases, collections, sessions and transactions;
loops, `try/finally`, `with`/`async with`, `if`, nested functions and classes,
`async def`; and the ways objects escape a function (returned, stored on self,
appended, passed on, yielded, captured by a closure). Names come from a small
pool so that bindings shadow and alias each other. Every program compiles
(the fuzz tests assert it); what the rules should say about it is not known,
only that they must not crash and that fixes must leave valid, stable code.
"""

from __future__ import annotations

from typing import List

from hypothesis import strategies as st

IMPORTS = [
    "import pymongo",
    "from pymongo import MongoClient",
    "from pymongo import AsyncMongoClient",
    "from pymongo import MongoClient as MC",
    "import motor.motor_asyncio",
    "from motor.motor_asyncio import AsyncIOMotorClient",
    "from motor import motor_asyncio",
    "from pymongo.errors import PyMongoError",
    "import asyncio",
]

SYNC_CLIENTS = [
    "pymongo.MongoClient()",
    'pymongo.MongoClient("mongodb://localhost:27017")',
    "MongoClient()",
    "MongoClient(host='db', port=27017, connect=False)",
    "MC()",
    "make_client()",
]
ASYNC_CLIENTS = [
    "AsyncMongoClient()",
    "pymongo.AsyncMongoClient()",
    "AsyncIOMotorClient()",
    "motor.motor_asyncio.AsyncIOMotorClient('mongodb://x')",
    "motor_asyncio.AsyncIOMotorClient()",
]
CLIENT_NAMES = ["client", "c", "conn", "self.client", "CLIENT"]
PLAIN_NAMES = ["client", "c", "conn", "session", "s", "db", "coll", "x", "result"]
COLLECTIONS = ["{c}.db.items", "{c}['db']['items']", "{c}.get_database('db').items",
               "{c}.get_default_database()['items']"]
OPERATIONS = ["insert_one({{'x': 1}}{session})", "find_one({{}}{session})", "delete_many({{}}{session})",
              "update_one({{'_id': 1}}, {{'$set': {{'x': 2}}}}{session})", "count_documents({{}}{session})"]
ESCAPES = ["return {v}", "self.saved = {v}", "registry.append({v})", "helper({v})", "{v} = None",
           "del {v}", "print({v})", "cache['k'] = {v}", "yield {v}", "callbacks.append(lambda: {v})"]
STRINGS = ['"caf\\u00e9"', "'tab\\tand\\\\backslash'", 'r"\\d+"', "b'\\x00\\xff'", "f'{1 + 1}'",
           '"""doc\nstring"""', "'\\N{SNOWMAN}'", "'mongodb://user:p%40ss@host/?tls=true'"]


class Context:
    def __init__(self, is_async: bool, in_loop: bool, in_class_method: bool, depth: int,
                 in_function: bool = True) -> None:
        self.is_async, self.in_loop, self.in_class_method, self.depth = is_async, in_loop, in_class_method, depth
        self.in_function = in_function

    def deeper(self, **changes) -> "Context":
        values = dict(is_async=self.is_async, in_loop=self.in_loop, in_class_method=self.in_class_method,
                      depth=self.depth - 1, in_function=self.in_function)
        values.update(changes)
        return Context(**values)


def indent(lines: List[str], by: str = "    ") -> List[str]:
    return [by + line if line else line for line in lines]


@st.composite
def client_name(draw, context: Context) -> str:
    names = CLIENT_NAMES if context.in_class_method else [n for n in CLIENT_NAMES if not n.startswith("self.")]
    name = draw(st.sampled_from(names))
    return "CLIENT_" + name.lower() if name == "CLIENT" else name  # never rebinds the module's CLIENT


@st.composite
def constructor(draw, context: Context) -> str:
    pool = SYNC_CLIENTS + (ASYNC_CLIENTS if context.is_async else [])
    return draw(st.sampled_from(pool))


@st.composite
def session_argument(draw) -> str:
    return draw(st.sampled_from(["", ", session=s", ", session=session"]))


def _await(context: Context, expression: str, draw) -> str:
    if context.is_async and draw(st.booleans()):
        return "await " + expression
    return expression


@st.composite
def simple_statement(draw, context: Context) -> List[str]:
    name = draw(client_name(context))
    choices = ["create", "close", "operation", "session", "end_session", "transaction", "escape", "plain",
               "string", "find_loop", "comprehension"]
    kind = draw(st.sampled_from(choices))
    if kind == "create":
        return [f"{name} = {draw(constructor(context))}"]
    if kind == "close":
        return [_await(context, f"{name}.close()", draw)]
    if kind == "operation":
        collection = draw(st.sampled_from(COLLECTIONS)).format(c=name)
        operation = draw(st.sampled_from(OPERATIONS)).format(session=draw(session_argument()))
        target = draw(st.sampled_from(["", "result = ", "x = "]))
        return [target + _await(context, f"{collection}.{operation}", draw)]
    if kind == "session":
        variable = draw(st.sampled_from(["s", "session"]))
        return [f"{variable} = " + _await(context, f"{name}.start_session()", draw)]
    if kind == "end_session":
        return [_await(context, f"{draw(st.sampled_from(['s', 'session']))}.end_session()", draw)]
    if kind == "transaction":
        variable = draw(st.sampled_from(["s", "session"]))
        method = draw(st.sampled_from(["start_transaction()", "commit_transaction()", "abort_transaction()"]))
        return [_await(context, f"{variable}.{method}", draw)]
    if kind == "escape":
        template = draw(st.sampled_from([e for e in ESCAPES
                                         if context.in_function or not e.startswith(("return", "yield"))]))
        if template.startswith("self.") and not context.in_class_method:
            template = "saved = {v}"
        if template.startswith("yield") and context.is_async:
            template = "await asyncio.sleep(0, {v})"
        return [template.format(v=draw(st.sampled_from(PLAIN_NAMES)))]
    if kind == "string":
        return [f"{draw(st.sampled_from(PLAIN_NAMES[-3:]))} = {draw(st.sampled_from(STRINGS))}"]
    if kind == "find_loop":
        collection = draw(st.sampled_from(COLLECTIONS)).format(c=name)
        loop = "async for" if context.is_async and draw(st.booleans()) else "for"
        return [f"{loop} doc in {collection}.find():", "    print(doc)"]
    if kind == "comprehension":
        return [f"clients = [{draw(constructor(context))} for _ in range(3)]"]
    return [f"{draw(st.sampled_from(PLAIN_NAMES))} = {draw(st.sampled_from(PLAIN_NAMES))}"]


@st.composite
def block(draw, context: Context, size=(1, 4)) -> List[str]:
    lines: List[str] = []
    for _ in range(draw(st.integers(*size))):
        lines.extend(draw(statement(context)))
    return lines


@st.composite
def statement(draw, context: Context) -> List[str]:
    if context.depth <= 0 or draw(st.integers(0, 2)) == 0:
        lines = draw(simple_statement(context))
        if context.in_loop and draw(st.integers(0, 6)) == 0:
            lines.append(draw(st.sampled_from(["break", "continue"])))
        return lines
    kind = draw(st.sampled_from(["for", "while", "if", "try_finally", "try_except", "with_client",
                                 "with_session", "with_transaction", "nested_def", "nested_class"]))
    inner = context.deeper()
    if kind == "for":
        return ["for item in items:"] + indent(draw(block(context.deeper(in_loop=True))))
    if kind == "while":
        return ["while retries:"] + indent(draw(block(context.deeper(in_loop=True)))) + ["    retries -= 1"]
    if kind == "if":
        lines = ["if flag:"] + indent(draw(block(inner)))
        if draw(st.booleans()):
            lines += ["else:"] + indent(draw(block(inner)))
        return lines
    if kind == "try_finally":
        return (["try:"] + indent(draw(block(inner))) + ["finally:"] + indent(draw(block(inner))))
    if kind == "try_except":
        error = draw(st.sampled_from(["Exception", "PyMongoError", "(ValueError, KeyError)"]))
        return (["try:"] + indent(draw(block(inner))) + [f"except {error} as error:"]
                + indent(draw(block(inner))))
    if kind in ("with_client", "with_session", "with_transaction"):
        prefix = "async with" if context.is_async and draw(st.booleans()) else "with"
        if kind == "with_client":
            header = f"{prefix} {draw(constructor(context))} as {draw(client_name(context))}:"
        elif kind == "with_session":
            header = f"{prefix} {draw(client_name(context))}.start_session() as s:"
        else:
            header = f"{prefix} s.start_transaction():"
        return [header] + indent(draw(block(inner)))
    if kind == "nested_def":
        is_async = draw(st.booleans())
        body = draw(block(Context(is_async, False, False, context.depth - 1)))
        return [f"{'async def' if is_async else 'def'} inner(items, flag, retries):"] + indent(body) + [
            draw(st.sampled_from(["inner(items, flag, retries)", "handlers.append(inner)", "pass"]))]
    return ["class Repository:"] + indent(draw(method(context.depth - 1)))


@st.composite
def method(draw, depth: int) -> List[str]:
    is_async = draw(st.booleans())
    name = draw(st.sampled_from(["__init__", "load", "close", "run"]))
    if name == "__init__":
        is_async = False
    body = draw(block(Context(is_async, False, True, depth)))
    return [f"{'async def' if is_async else 'def'} {name}(self, items=(), flag=True, retries=3):"] + indent(body)


@st.composite
def function(draw, depth: int) -> List[str]:
    is_async = draw(st.booleans())
    decorator = draw(st.sampled_from(["", "@functools.lru_cache(maxsize=None)", "@app.route('/')"]))
    body = draw(block(Context(is_async, False, False, depth)))
    name = draw(st.sampled_from(["load", "handler", "main", "get_client", "worker"]))
    header = f"{'async def' if is_async else 'def'} {name}(items=(), flag=True, retries=3):"
    return ([decorator] if decorator else []) + [header] + indent(body)


@st.composite
def programs(draw, max_depth: int = 3) -> str:
    imports = draw(st.lists(st.sampled_from(IMPORTS[1:]), max_size=5, unique=True))
    lines = ["import functools", "import pymongo"] + imports + [""]
    if draw(st.booleans()):
        lines.append(f"CLIENT = {draw(st.sampled_from(SYNC_CLIENTS[:3]))}")
    for _ in range(draw(st.integers(1, 4))):
        part = draw(st.sampled_from(["function", "function", "class", "module_statement"]))
        lines.append("")
        if part == "function":
            lines.extend(draw(function(max_depth)))
        elif part == "class":
            lines.append("class Service:")
            for _ in range(draw(st.integers(1, 3))):
                lines.extend(indent(draw(method(max_depth - 1))))
        else:
            lines.extend(draw(block(Context(False, False, False, 1, in_function=False), size=(1, 2))))
    if draw(st.booleans()):
        lines += ["", "if __name__ == '__main__':", "    main()"]
    text = "\n".join(lines) + "\n"
    ending = draw(st.sampled_from(["\n", "\n", "\r\n"]))
    return text.replace("\n", ending)
