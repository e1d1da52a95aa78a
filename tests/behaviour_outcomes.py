"""What a fix may change in a program's outcome, rule by rule, and the check that
nothing else changed. Shared by the MockupDB programs (test_behaviour.py) and
the behavioural fuzzer (test_behaviour_fuzz.py), whose outcomes have the same shape:

``{"events": [...], "exception": str|None, "value": str|None, "open_clients": [...],
"open_sessions": [...], "clients": int, "unawaited": int}`` (the fake driver's
also lists in ``raised`` every error the driver raised, caught or not); an event is a
command as sent: ``{"client", "name", "target", "body", "session", "txn",
"retryable", "start", "phase"[, "ended"]}`` (see behaviour_runner.py).

Each rule declares its one intended difference as an adjustment of the pair
(before, after): it erases from both what the rule means to change, after
checking that the change goes the intended way. Whatever differs afterwards is
a behaviour change the fix did not declare.
"""

from __future__ import annotations

import copy
import re
from typing import Callable, Dict, Iterable, List

Outcome = dict
Adjustment = Callable[[Outcome, Outcome, List[str]], None]


def describe(error: BaseException) -> str:
    """An outcome's exception: the error, and the one it was raised while
    handling (a `finally` that raises hides the first error, which is part of
    the outcome too)."""
    text = f"{type(error).__name__}: {error}"
    if error.__context__ is not None and not error.__suppress_context__:
        text += f" (while handling {type(error.__context__).__name__}: {error.__context__})"
    return text


FIELDS = ("exception", "value", "open_clients", "open_sessions", "clients", "unawaited", "events")


def _drop(outcome: Outcome, keep: Callable[[dict], bool]) -> None:
    outcome["events"] = [e for e in outcome["events"] if keep(e)]


def _main(outcome: Outcome) -> List[dict]:
    return [e for e in outcome["events"] if e["phase"] == "main"]


def _sessions_are_ended(before: Outcome, after: Outcome, problems: List[str]) -> None:
    """MGL101: endSessions is sent on every path (the session goes back to the
    pool and is ended with the client); ending a session aborts its open transaction."""
    newly_open = sorted(set(after["open_sessions"] or ()) - set(before["open_sessions"] or ()))
    if newly_open:
        problems.append(f"the fix leaves sessions {newly_open} open that the original ended")
    left_open = set(before["open_sessions"] or ())
    for outcome in (before, after):
        _drop(outcome, lambda e: e["name"] != "endSessions"
              and not (e["name"] == "abortTransaction" and e["session"] in left_open))
        outcome["open_sessions"] = []


def _clients_are_closed(before: Outcome, after: Outcome, problems: List[str]) -> None:
    """MGL102: the client is closed on every path, after its last use (a use
    after the close raises, which the comparison of exceptions catches)."""
    newly_open = sorted(set(after["open_clients"] or ()) - set(before["open_clients"] or ()))
    if newly_open:
        problems.append(f"the fix leaves clients {newly_open} open that the original closed")
    for outcome in (before, after):
        _drop(outcome, lambda e: e["name"] != "endSessions")
        outcome["open_clients"] = []


def _one_client_for_the_loop(before: Outcome, after: Outcome, problems: List[str]) -> None:
    """MGL103: one client built before the loop instead of one per iteration
    (closed once, after the loop, or built lazily the first time it is needed).
    Clients are no longer the same ones, so they are counted, not named (and
    MGL102's check, after this one, finds no names to compare)."""
    if (after["clients"] or 0) > (before["clients"] or 0):
        problems.append(f"the fix builds {after['clients']} clients where the original built {before['clients']}")
    for outcome in (before, after):
        _drop(outcome, lambda e: e["name"] != "endSessions")
        for event in outcome["events"]:
            event["client"] = "C"
    if len(after["open_clients"] or ()) > len(before["open_clients"] or ()):
        problems.append("the fix leaves more clients open than the original")
    for outcome in (before, after):
        outcome["clients"] = outcome["open_clients"] = None


_UNBOUND = re.compile(r"^(UnboundLocalError|NameError)\b")
_CONSTRUCTOR_ERRORS = re.compile(r"^(InvalidURI|ConfigurationError|ValueError|TypeError)\b")


def _constructor_error_surfaces(before: Outcome, after: Outcome, problems: List[str]) -> None:
    """MGL104: when the constructor raises, the program raises the constructor's
    error instead of the NameError/UnboundLocalError its `finally` raised."""
    if (before["exception"] and after["exception"] and _UNBOUND.match(before["exception"])
            and _CONSTRUCTOR_ERRORS.match(after["exception"])):
        before["exception"] = after["exception"]


def _transaction_is_finished(before: Outcome, after: Outcome, problems: List[str]) -> None:
    """MGL201: the transaction commits on normal exit and aborts on error; a later
    start_transaction() that the open transaction made fail ("Transaction already
    in progress") now succeeds, and the program goes on."""
    for outcome in (before, after):
        _drop(outcome, lambda e: e["name"] not in ("commitTransaction", "abortTransaction"))
    _ALREADY_IN_PROGRESS(before, after, problems)


_SCRIPTED_FAILURE = re.compile(r"AutoReconnect|WriteConflict|connection closed")


def _write_joins_the_transaction(before: Outcome, after: Outcome, problems: List[str]) -> None:
    """MGL202: the operation carries the transaction's lsid and txnNumber. Being
    part of the transaction, it is not retried on its own, and a scripted failure
    on it is the transaction's (aborted with it, retried by with_transaction), so
    under a failing scenario the outcomes are compared up to the joined operation.
    A transaction that was empty now has an operation, so its commit or abort
    is sent (an empty one sends none)."""
    used = {(e["session"], e["txn"]) for e in _main(before)
            if e["txn"] and e["name"] not in ("commitTransaction", "abortTransaction")}
    for outcome in (before, after):
        outcome["events"] = [e for e in _without_retries(_main(outcome))
                             if e["name"] not in ("commitTransaction", "abortTransaction")
                             or (e["session"], e["txn"]) in used]
    joined = None
    for index, (old, new) in enumerate(zip(before["events"], after["events"])):
        if old["name"] != new["name"] or old["body"] != new["body"]:
            break
        if old["session"] == "implicit" and new["session"] not in (None, "implicit") and new["txn"]:
            for key in ("session", "txn", "retryable"):
                old[key] = new[key]
            joined = index if joined is None else joined
    failed = any(o["exception"] and _SCRIPTED_FAILURE.search(o["exception"]) for o in (before, after))
    for outcome in (before, after):
        if failed and joined is not None:
            outcome["events"] = outcome["events"][:joined + 1]
            outcome["exception"] = outcome["value"] = None
        for event in outcome["events"]:
            event["start"] = None  # the transaction's first command may now be the joined one
        outcome["open_sessions"] = outcome["open_clients"] = None


def _without_retries(events: List[dict]) -> List[dict]:
    """A retry is the same command sent again at once."""
    return [e for i, e in enumerate(events) if i == 0 or e != events[i - 1]]


def _nothing(before: Outcome, after: Outcome, problems: List[str]) -> None:
    """MGL203: nothing changes (the block's exit or with_transaction commits).
    MGL001 (a useless noqa removed) and MGL304 (Motor to PyMongo Async: the same
    commands through the other driver) change nothing a run can see either."""


def _cursors_are_closed(before: Outcome, after: Outcome, problems: List[str]) -> None:
    """MGL105: the cursor or change stream is closed on every path: the
    killCursors for one the server still holds is sent when the block ends,
    not when the client is closed."""
    for outcome in (before, after):
        _drop(outcome, lambda e: e["name"] != "killCursors")


def _raised_call_now_runs(signature: str) -> Adjustment:
    pattern = re.compile(signature)

    def adjust(before: Outcome, after: Outcome, problems: List[str]) -> None:
        errors = [before["exception"] or ""] + before.get("raised", [])
        if not any(pattern.search(error) for error in errors):
            return
        if not _is_subsequence(_main(before), _main(after)):
            return  # compared as they are, so the difference shows
        for outcome in (before, after):
            outcome["events"] = []
            for key in ("exception", "value", "open_clients", "open_sessions", "clients", "unawaited"):
                outcome[key] = None

    adjust.__doc__ = (f"the call that raised ({signature}) now runs, and the program goes on (an except "
                      "clause that handled the error no longer runs): what it did before the error is done "
                      "the same way (the same commands, in order)")
    return adjust


def _skipped_work_now_runs(before: Outcome, after: Outcome, problems: List[str]) -> None:
    """MGL302/MGL305: the coroutine that was never awaited, or the async cursor
    that was iterated synchronously (zero items, or a TypeError), now runs: its
    commands are added, and what they return (or raise, under a failing
    scenario) flows into the rest of the program, so the commands are compared
    by kind (client, command, collection, session), in order, up to where the
    added work failed."""
    if (after["unawaited"] or 0) > (before["unawaited"] or 0):
        problems.append("the fix leaves more coroutines unawaited than the original")
    old = [_kind(e) for e in _main(before) if e["name"] != "endSessions"]
    new = [_kind(e) for e in _main(after) if e["name"] != "endSessions"]
    cut = _first_difference_of_kinds(old, new)
    if not (_is_subsequence(old, new) or (after["exception"] and old[:cut] == new[:cut])):
        for outcome in (before, after):  # compared as they are, so the difference shows
            _drop(outcome, lambda e: e["name"] != "endSessions")
            outcome["unawaited"] = outcome["open_clients"] = outcome["open_sessions"] = None
        return
    for outcome in (before, after):
        outcome["events"] = []
        for key in ("exception", "value", "open_clients", "open_sessions", "clients", "unawaited"):
            outcome[key] = None


def _kind(event: dict) -> tuple:
    return event["client"], event["name"], event["target"], event["session"], event["txn"]


def _first_difference_of_kinds(old: List[tuple], new: List[tuple]) -> int:
    index = 0
    while index < min(len(old), len(new)) and old[index] == new[index]:
        index += 1
    return index


def _is_subsequence(short: List[dict], long: List[dict]) -> bool:
    remaining = iter(long)
    return all(any(item == candidate for candidate in remaining) for item in short)


FLOW_CHANGING = {"MGL205", "MGL301", "MGL302", "MGL305", "MGL401"}
_ALREADY_IN_PROGRESS = _raised_call_now_runs(r"Transaction already in progress")

INTENDED: Dict[str, Adjustment] = {
    "MGL001": _nothing,
    "MGL101": _sessions_are_ended,
    "MGL102": _clients_are_closed,
    "MGL103": _one_client_for_the_loop,
    "MGL104": _constructor_error_surfaces,
    "MGL105": _cursors_are_closed,
    "MGL201": _transaction_is_finished,
    "MGL202": _write_joins_the_transaction,
    "MGL203": _nothing,
    "MGL205": _raised_call_now_runs(r"does not support sessions|unexpected keyword argument 'session'"),
    "MGL301": _raised_call_now_runs(r"can't be used in 'await' expression"),
    "MGL302": _skipped_work_now_runs,
    "MGL304": _nothing,
    "MGL305": _skipped_work_now_runs,
    # The misspelt keyword made the constructor raise; the renamed one is accepted.
    "MGL401": _raised_call_now_runs(r"ConfigurationError: Unknown option"),
}


def undeclared_differences(rules: Iterable[str], before: Outcome, after: Outcome) -> List[str]:
    """What differs between the outcomes once the rules' intended differences are
    taken out; empty when the fix changed only what it declares."""
    before, after = copy.deepcopy(before), copy.deepcopy(after)
    problems: List[str] = []
    adjustments = []
    # Those that decide which part of the run is comparable go first, then MGL103,
    # which renames the clients.
    for rule in sorted(set(rules), key=lambda code: (code not in FLOW_CHANGING, code != "MGL103", code)):
        adjustment = INTENDED.get(rule)
        if adjustment is None:
            problems.append(f"{rule} has no declared intended difference (behaviour_outcomes.INTENDED)")
        elif adjustment not in adjustments:
            adjustments.append(adjustment)
    for adjustment in adjustments:
        adjustment(before, after, problems)
    for field in FIELDS:
        if before.get(field) != after.get(field):
            problems.append(_describe_difference(field, before.get(field), after.get(field)))
    return problems


def _describe_difference(field: str, old, new) -> str:
    if field != "events":
        return f"{field}: {old!r} -> {new!r}"
    lines = [f"commands differ ({len(old)} before, {len(new)} after):"]
    for index in range(max(len(old), len(new))):
        left = old[index] if index < len(old) else None
        right = new[index] if index < len(new) else None
        marker = "  " if left == right else "!="
        lines.append(f"  {marker} {index}: {_short(left)}  |  {_short(right)}")
    return "\n".join(lines)


def _short(event) -> str:
    if event is None:
        return "-"
    parts = [event["client"], event["name"], event.get("target") or "", str(event.get("session")),
             f"txn={event['txn']}" if event.get("txn") else "", "start" if event.get("start") else "",
             event["phase"], str(event.get("ended", "")), str(event.get("body"))[:60]]
    return " ".join(p for p in parts if p)
