"""The behavioural fuzzer: generated PyMongo programs (runnable_programs.py) run
before and after `--fix`, and `--fix --unsafe-fixes`, against the fake driver
(fake_driver.py, which raises where PyMongo raises), under each of its
scenarios; the outcomes may differ only as the applied rules declare
(behaviour_outcomes.INTENDED).

The run here is bounded and derandomized (the same programs every time, the
known shapes of issue 10 among them as explicit examples); scripts/behaviour_fuzz.py
runs it for as long as asked.
"""

from __future__ import annotations

import textwrap

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings

import fake_driver
from behaviour_outcomes import undeclared_differences
from fake_runner import run_on_fake
from mongolint.config import Settings
from mongolint.fixes import fix_text
from runnable_programs import HEADER, runnable_programs

pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning", "ignore::DeprecationWarning")
ALL_RULES = Settings(select=("ALL",))
# No shrinking: a failure is reported with the program as generated, within the budget.
BOUNDED = settings(deadline=None, derandomize=True, database=None, print_blob=True,
                   phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))


def program(body: str, is_async: bool = False) -> str:
    """A runnable program around `body` (the main() of the generated ones)."""
    shared = "AsyncMongoClient" if is_async else "MongoClient"
    header = "\n".join(HEADER) + f"\nSHARED = {shared}(URI)\n\n\n"
    signature = "async def main(flag=True):\n" if is_async else "def main(flag=True):\n"
    return header + signature + textwrap.indent(textwrap.dedent(body).strip() + "\n", "    ")


# The shapes of issue 10's causes, so that the bounded run always tries them.
DERIVED_AFTER_LAST_MENTION = program("""
    results = []
    client = MongoClient(URI)
    orders = client.shop.orders
    results.append(orders.insert_one({'_id': 1}))
    results.append(orders.count_documents({}))
    return results""")
LAZY_CURSOR = program("""
    results = []
    s = SHARED.start_session()
    cursor = SHARED.shop.orders.find({}, session=s)
    results.append(SHARED.shop.orders.insert_one({'_id': 1}, session=s))
    results.append([d['_id'] for d in cursor])
    return results""")
RELEASE_IN_THE_MIDDLE = program("""
    results = []
    s = SHARED.start_session()
    results.append(SHARED.shop.orders.insert_one({'_id': 1}, session=s))
    s.end_session()
    results.append(s.has_ended)
    return results""")
ASYNC_DERIVED_CURSOR = program("""
    results = []
    client = AsyncMongoClient(URI)
    cursor = client.shop.orders.find({})
    results.append(await client.shop.orders.insert_one({'_id': 1}))
    results.append(len(await cursor.to_list()))
    return results""", is_async=True)
POSITIONAL_SESSION = program("""
    results = []
    with SHARED.start_session() as s:
        with s.start_transaction():
            results.append(SHARED.shop.orders.insert_one({'_id': 1}, session=s))
            results.append(SHARED.shop.orders.count_documents({}, s))
    return results""")
CONSTRUCTOR_CAUGHT = program("""
    results = []
    try:
        client = MongoClient(URI)
        results.append(client.shop.orders.insert_one({'_id': 1}))
    except PyMongoError:
        client.close()
        return None
    return results""")
# Found by scripts/behaviour_fuzz.py: MGL103 hoists one of two clients, MGL102
# then manages it; clients are no longer the same ones, so they are counted.
HOISTED_THEN_MANAGED = program("""
    results = []
    for i in range(2):
        results.append(await SHARED.shop.orders.update_one({'_id': 1}, {'$set': {'x': 1}}))
        other = AsyncMongoClient(URI)
    insert = other.shop.stock.insert_one
    if flag:
        stock = other['shop']['stock']
        cursor = stock.find({})
    else:
        for i in range(2):
            await other.close()
            insert = other.shop.stock.insert_one
            await other.close()
        client = AsyncMongoClient(URI)
        stock = client.shop.stock
    insert = other.shop.orders.insert_one
    return results""", is_async=True).replace("flag=True", "flag=False")

# Found by scripts/behaviour_fuzz.py: the error MGL205's fix removes was caught.
CAUGHT_SESSION_ERROR = program("""
    results = []
    s = SHARED.start_session()
    try:
        results.append(SHARED.shop.orders.estimated_document_count(session=s))
    except Exception as error:
        results.append(type(error).__name__)
    return results""")


def check(text: str, unsafe: bool) -> None:
    compile(text, "fuzzed.py", "exec", dont_inherit=True)  # the generator writes runnable Python only
    outcome = fix_text("fuzzed.py", text, ALL_RULES, unsafe=unsafe)
    assert not outcome.internal_errors, outcome.internal_errors
    if outcome.text == text:
        return
    rules = {code for code, _ in outcome.applied}
    problems = []
    for scenario in fake_driver.SCENARIOS:
        for problem in undeclared_differences(rules, run_on_fake(text, scenario), run_on_fake(outcome.text, scenario)):
            problems.append(f"[{scenario}] {problem}")
    assert not problems, "\n".join(problems) + f"\n\nfixed by {sorted(rules)}:\n{outcome.text}\noriginal:\n{text}"


@settings(BOUNDED, max_examples=30)
@given(runnable_programs())
@example(DERIVED_AFTER_LAST_MENTION)
@example(LAZY_CURSOR)
@example(RELEASE_IN_THE_MIDDLE)
@example(ASYNC_DERIVED_CURSOR)
def test_safe_fixes_change_only_what_their_rules_intend(text):
    check(text, unsafe=False)


@settings(BOUNDED, max_examples=20)
@given(runnable_programs())
@example(POSITIONAL_SESSION)
@example(CONSTRUCTOR_CAUGHT)
@example(HOISTED_THEN_MANAGED)
@example(CAUGHT_SESSION_ERROR)
def test_unsafe_fixes_change_only_what_their_rules_intend(text):
    check(text, unsafe=True)


def test_the_fuzzer_catches_a_broken_fix():
    """The check can fail: a fix of the first wave's kind (the client closed
    after the last line naming it, while a collection derived from it is still
    in use) is reported."""
    broken = DERIVED_AFTER_LAST_MENTION.replace(
        "    client = MongoClient(URI)\n    orders = client.shop.orders\n",
        "    with MongoClient(URI) as client:\n        orders = client.shop.orders\n")
    assert broken != DERIVED_AFTER_LAST_MENTION
    problems = undeclared_differences({"MGL102"}, run_on_fake(DERIVED_AFTER_LAST_MENTION, "ok"),
                                      run_on_fake(broken, "ok"))
    assert any("Cannot use MongoClient after close" in p for p in problems), problems
