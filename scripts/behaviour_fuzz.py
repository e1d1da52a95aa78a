"""The behavioural fuzzer, for as long as asked (tests/test_behaviour_fuzz.py runs a bounded, fixed part).

Generated PyMongo programs (tests/runnable_programs.py) run before and after
`--fix` and `--fix --unsafe-fixes` against the fake driver (tests/fake_driver.py)
under each scenario; a fix that changes an outcome its rules do not declare
(tests/behaviour_outcomes.py) is reported with the program, the fixed text and
the differences. Unlike the test, it keeps going after a failure and counts.

    python scripts/behaviour_fuzz.py --examples 2000          # safe and unsafe, random seed
    python scripts/behaviour_fuzz.py --examples 500 --seed 7 --show 5 --safe-only

Exit status 1 when a fix changed an undeclared outcome.
"""

from __future__ import annotations

import argparse
import collections
import difflib
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402

import fake_driver  # noqa: E402
from behaviour_outcomes import undeclared_differences  # noqa: E402
from fake_runner import run_on_fake  # noqa: E402
from mongolint.config import Settings  # noqa: E402
from mongolint.fixes import fix_text  # noqa: E402
from runnable_programs import runnable_programs  # noqa: E402

ALL_RULES = Settings(select=("ALL",))


def examine(text: str, unsafe: bool, counts: collections.Counter, failures: list) -> None:
    outcome = fix_text("fuzzed.py", text, ALL_RULES, unsafe=unsafe)
    mode = "unsafe" if unsafe else "safe"
    counts[f"{mode}: programs"] += 1
    if outcome.internal_errors:
        counts[f"{mode}: internal errors"] += 1
        failures.append((mode, "internal error", text, outcome.text, outcome.internal_errors))
        return
    if outcome.text == text:
        return
    rules = sorted({code for code, _ in outcome.applied})
    counts[f"{mode}: fixed"] += 1
    for scenario in fake_driver.SCENARIOS:
        problems = undeclared_differences(rules, run_on_fake(text, scenario), run_on_fake(outcome.text, scenario))
        if problems:
            counts[f"{mode}: changed an undeclared outcome ({', '.join(rules)})"] += 1
            failures.append((mode, f"{', '.join(rules)} under {scenario}", text, outcome.text, problems))
            return


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=1000, help="programs to generate (default 1000)")
    parser.add_argument("--seed", type=int, default=None, help="hypothesis seed (default: random)")
    parser.add_argument("--show", type=int, default=3, help="failures to print in full (default 3)")
    parser.add_argument("--safe-only", action="store_true", help="only --fix, not --fix --unsafe-fixes")
    args = parser.parse_args(argv)
    counts: collections.Counter = collections.Counter()
    failures: list = []
    started = time.monotonic()

    @settings(max_examples=args.examples, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(runnable_programs())
    def fuzz(text):
        examine(text, False, counts, failures)
        if not args.safe_only:
            examine(text, True, counts, failures)

    if args.seed is not None:
        fuzz = seed(args.seed)(fuzz)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fuzz()
    for mode, what, text, fixed, problems in failures[:args.show]:
        print(f"=== {mode} fix, {what}")
        print("".join(difflib.unified_diff(text.splitlines(True), fixed.splitlines(True), "original", "fixed")))
        print("\n".join(problems))
    print(f"{time.monotonic() - started:.0f} s")
    for key, value in sorted(counts.items()):
        print(f"{value:6d}  {key}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
