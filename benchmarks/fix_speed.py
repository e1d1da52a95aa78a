"""Fixing a file against checking it: `mongolint --fix` should take at most
twice as long as a check of the same file.

    python benchmarks/fix_speed.py                 # 40,000 lines, 3 repetitions
    python benchmarks/fix_speed.py --lines 10000 --repeat 1

Generates one big module of functions in the shapes the fixes handle (clients
and sessions never closed, closed before an early return, clients in loops,
transactions left open, awaits on plain methods) and times, in this process,
`engine.check_text` and `fixes.fix_file` (what `--fix` runs: safe fixes, then
with unsafe fixes; the file is rewritten before each repetition) on it. Prints a Markdown table; the numbers of a run are kept in
benchmarks/fix_speed.md.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mongolint.config import Settings  # noqa: E402
from mongolint.engine import check_text  # noqa: E402
from mongolint.fixes import fix_file  # noqa: E402

HEADER = '''import pymongo
from pymongo import AsyncMongoClient, MongoClient

URI = "mongodb://localhost:27017"
client = MongoClient(URI)
orders = client.shop.orders
'''

SHAPES = [
    '''
def report_{n}(uri):
    other = MongoClient(uri)
    coll = other.shop.orders
    total = coll.count_documents({{"n": {n}}})
    return total
''',
    '''
def session_{n}(doc):
    s = client.start_session()
    orders.insert_one(doc, session=s)
    first = orders.find_one({{}}, session=s)
    s.end_session()
    return first
''',
    '''
def early_{n}(uri, key):
    c = MongoClient(uri)
    doc = c.shop.orders.find_one({{"_id": key}})
    if doc is None:
        c.close()
        return None
    c.close()
    return doc
''',
    '''
def loop_{n}(docs):
    for doc in docs:
        c = MongoClient(URI)
        c.shop.orders.insert_one(doc)
        c.close()
''',
    '''
def transaction_{n}(doc):
    with client.start_session() as s:
        s.start_transaction()
        orders.insert_one(doc, session=s)
        orders.insert_one({{"audit": {n}}})
''',
    '''
async def plain_{n}(uri):
    async with AsyncMongoClient(uri) as c:
        return await c.shop.orders.find_one({{"n": {n}}})
''',
    '''
def quiet_{n}(docs):
    total = 0
    for doc in docs:
        total += len(doc)
    return total
''',
]


def generate(lines: int) -> str:
    parts = [HEADER]
    count = len(HEADER.splitlines())
    n = 0
    while count < lines:
        shape = SHAPES[n % len(SHAPES)].format(n=n)
        parts.append(shape)
        count += len(shape.splitlines())
        n += 1
    return "".join(parts)


def timed(function, repeat: int):
    times = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=40000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    text = generate(args.lines)
    settings = Settings(file_timeout=0)  # the time limit is the runner's; here every pass runs
    path = "big_module.py"
    check, report = timed(lambda: check_text(path, text, settings), args.repeat)
    with tempfile.TemporaryDirectory() as scratch:
        target = Path(scratch) / path

        def fix(unsafe: bool):
            target.write_text(text, encoding="utf-8")
            return fix_file(str(target), settings, unsafe=unsafe, diff_only=False)

        safe, outcome = timed(lambda: fix(False), args.repeat)
        unsafe, unsafe_outcome = timed(lambda: fix(True), args.repeat)
    lines = len(text.splitlines())
    print(f"{lines} lines, {len(report.findings)} findings; median of {args.repeat}; "
          f"Python {platform.python_version()}\n")
    print("| run | seconds | x check | fixes applied | notes |")
    print("|---|---:|---:|---:|---|")
    print(f"| check | {check:.2f} | 1.00 | | |")
    for label, seconds, result in (("--fix", safe, outcome), ("--fix --unsafe-fixes", unsafe, unsafe_outcome)):
        notes = "; ".join(result.notes) or "none"
        print(f"| {label} | {seconds:.2f} | {seconds / check:.2f} | {len(result.fixed)} | {notes} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
