"""Runs a program against the fake driver (fake_driver.py) and reports its
outcome in the shape behaviour_outcomes.py compares."""

from __future__ import annotations

import asyncio
import gc
import inspect
import re
import warnings

import fake_driver
from behaviour_outcomes import describe


def run_on_fake(text: str, scenario: str) -> dict:
    record = fake_driver.new_run(scenario)
    namespace = {"__name__": "fuzzed"}
    outcome = {"exception": None, "value": None}
    with fake_driver.installed(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            exec(compile(text, "fuzzed.py", "exec", dont_inherit=True), namespace)
            main = namespace["main"]
            value = asyncio.run(main()) if inspect.iscoroutinefunction(main) else main()
            outcome["value"] = _plain(repr(value))
        except Exception as error:  # the program's outcome, recorded
            outcome["exception"] = _plain(describe(error))
        record.phase = "cleanup"
        outcome["open_clients"] = [c.tag for c in record.clients if not c._closed]
        outcome["open_sessions"] = [s.label for s in record.sessions if not s.has_ended]
        outcome["clients"] = len(record.clients)
        for client in record.clients:
            client._close()
        namespace.clear()
        gc.collect()
    outcome["unawaited"] = sum(1 for w in caught if "was never awaited" in str(w.message))
    outcome["events"] = record.events
    outcome["raised"] = record.raised
    return outcome


def _plain(text: str) -> str:
    return re.sub(r" at 0x[0-9a-f]+", "", text)
