"""Every fix, run: programs of fixtures/behaviour/ before and after `--fix` (and
`--fix --unsafe-fixes`) against a scripted MockupDB, compared command by command.

A program is named after the rule whose fix it exercises (`MGL101_*.py`); its
`main()` is run in a subprocess (behaviour_runner.py) under each scenario of
behaviour_server.py: every command succeeds, a network error on the second
write, a WriteConflict in a transaction, a constructor that raises. The
commands sent, the exception raised and the value returned must be the same
before and after the fix, except for the one difference the rule declares
(behaviour_outcomes.INTENDED).
"""

from __future__ import annotations

import difflib
import functools
import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List

import pytest

from behaviour_outcomes import INTENDED, undeclared_differences
from behaviour_server import SCENARIOS, ScriptedServer
from fixture_markers import FIXTURES
from mongolint.config import Settings
from mongolint.engine import check_text
from mongolint.fixes import fix_text
from mongolint.rules import ALL_RULES, RULES_BY_CODE

HERE = Path(__file__).resolve().parent
PROGRAMS = sorted((FIXTURES / "behaviour").glob("MGL[0-9][0-9][0-9]_*.py"))
BROKEN = sorted((FIXTURES / "behaviour" / "broken").glob("MGL[0-9][0-9][0-9]_*.py"))
ASYNC_ONLY = {"MGL301", "MGL302", "MGL304", "MGL305"}  # their findings exist only in async code
PROGRAM_TIMEOUT = 60  # seconds for all the runs of one program (a loaded machine is slow)


def rule_of(program: Path) -> str:
    return program.name[:6]


@dataclass
class Versions:
    """A program's texts (original, and each distinct fixed version) and how they ran."""

    texts: Dict[str, str]
    outcomes: Dict[str, Dict[str, dict]] = field(default_factory=dict)
    server_counts: Dict[str, int] = field(default_factory=dict)
    error: str = ""


@functools.lru_cache(maxsize=None)
def fixed_versions(program: Path) -> Dict[str, str]:
    text = program.read_text(encoding="utf-8")
    settings = Settings(select=(rule_of(program),))
    versions = {"original": text}
    for name, unsafe in (("--fix", False), ("--fix --unsafe-fixes", True)):
        outcome = fix_text(str(program), text, settings, unsafe=unsafe)
        assert not outcome.internal_errors, outcome.internal_errors
        if outcome.text not in versions.values():
            versions[name] = outcome.text
    return versions


def _runs(server: ScriptedServer, directory: Path, key: str, texts: Dict[str, str]) -> List[dict]:
    runs = []
    for index, (version, text) in enumerate(texts.items()):
        path = directory / f"{key}_{index}.py"
        path.write_text(text, encoding="utf-8")
        for scenario in SCENARIOS:
            run_id = f"{key}-{index}.{scenario}"
            runs.append({"id": run_id, "path": str(path), "uri": server.uri(run_id), "version": version,
                         "scenario": scenario})
    return runs


def run_all(server: ScriptedServer, directory: Path, jobs: Dict[str, Dict[str, str]],
            timeout: int = PROGRAM_TIMEOUT) -> Dict[str, Versions]:
    """Every version of every program under every scenario: one runner process,
    which forks a child per program (see behaviour_runner.py)."""
    programs = [{"key": key, "runs": _runs(server, directory, key, texts)} for key, texts in jobs.items()]
    spec = {"programs": programs, "out": str(directory), "timeout": timeout, "parallel": 2}
    subprocess.run([sys.executable, str(HERE / "behaviour_runner.py")], input=json.dumps(spec), text=True,
                   timeout=timeout * len(programs) + 60, check=True)
    results = {}
    for program in programs:
        versions = results[program["key"]] = Versions(jobs[program["key"]])
        report = json.loads((directory / f"{program['key']}.json").read_text(encoding="utf-8"))
        if "error" in report:
            versions.error = report["error"]
            continue
        for run, outcome in zip(program["runs"], report["outcomes"]):
            versions.outcomes.setdefault(run["version"], {})[run["scenario"]] = outcome
            versions.server_counts[run["id"]] = server.requests_of(run["id"])
    return results


@pytest.fixture(scope="module")
def ran(scripted_server, tmp_path_factory) -> Dict[str, Versions]:
    jobs = {p.stem: fixed_versions(p) for p in PROGRAMS if rule_of(p) in RULES_BY_CODE}
    jobs.update({f"broken_{p.stem}": {"original": (FIXTURES / "behaviour" / p.name).read_text(encoding="utf-8"),
                                      "broken": p.read_text(encoding="utf-8")} for p in BROKEN})
    return run_all(scripted_server, tmp_path_factory.mktemp("behaviour"), jobs)


def _report(versions: Versions, rule: str) -> List[str]:
    problems = []
    original = versions.outcomes["original"]
    for version, outcomes in versions.outcomes.items():
        if version == "original":
            continue
        for scenario in SCENARIOS:
            for problem in undeclared_differences([rule], original[scenario], outcomes[scenario]):
                problems.append(f"[{version}, scenario {scenario}] {problem}")
    return problems


def _diff(versions: Versions) -> str:
    original = versions.texts["original"].splitlines(keepends=True)
    return "".join("".join(difflib.unified_diff(original, text.splitlines(keepends=True), "original", version))
                   for version, text in versions.texts.items() if version != "original")


def skip_unless_the_rule_exists(program: Path) -> None:
    """A program may come before its rule (written for a branch not merged yet)."""
    if rule_of(program) not in RULES_BY_CODE:
        pytest.skip(f"{rule_of(program)} is not in this build")


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.stem)
def test_fix_changes_only_what_its_rule_intends(program, ran):
    skip_unless_the_rule_exists(program)
    versions = ran[program.stem]
    assert not versions.error, versions.error
    for run_id, count in versions.server_counts.items():
        sent = [o for outcomes in versions.outcomes.values() for o in outcomes.values() if o["id"] == run_id]
        assert count == len(sent[0]["events"]), f"{run_id}: the server saw {count} commands, the driver sent " \
                                                f"{len(sent[0]['events'])}"
    problems = _report(versions, rule_of(program))
    assert not problems, "\n".join(problems) + "\n\nThe fix:\n" + _diff(versions)


def expects_a_finding(program: Path) -> bool:
    """A program whose docstring says "(no finding" is a shape the rule must leave alone."""
    return "(no finding" not in program.read_text(encoding="utf-8").split("\n", 1)[0]


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.stem)
def test_program_is_flagged_by_its_rule_or_declared_clean(program):
    skip_unless_the_rule_exists(program)
    findings = check_text(str(program), program.read_text(encoding="utf-8"), Settings(select=(rule_of(program),)))
    if expects_a_finding(program):
        assert findings.findings, f"{program.name}: {rule_of(program)} does not fire, so its fix is not exercised"
    else:
        assert not findings.findings, f"{program.name} is declared clean, but {rule_of(program)} fires"


@pytest.mark.parametrize("broken", BROKEN, ids=lambda p: p.stem)
def test_a_broken_fix_is_caught(broken, ran):
    """The comparison can fail: each file of fixtures/behaviour/broken/ is a wrong
    fix of the program of the same name (one the first wave produced)."""
    versions = ran[f"broken_{broken.stem}"]
    assert not versions.error, versions.error
    assert _report(versions, rule_of(broken)), f"{broken.name}: the broken fix went unnoticed"


FIXABLE = sorted(rule.code for rule in ALL_RULES if rule.fix_applicability is not None)


def test_every_fixable_rule_declares_its_intended_difference():
    assert set(FIXABLE) <= set(INTENDED), sorted(set(FIXABLE) - set(INTENDED))


@pytest.mark.parametrize("code", FIXABLE)
def test_every_fixable_rule_has_programs_that_its_fix_changes(code):
    programs = [p for p in PROGRAMS if rule_of(p) == code and expects_a_finding(p)]
    texts = [p.read_text(encoding="utf-8") for p in programs]
    assert len(programs) >= 5, f"{code} has {len(programs)} behaviour programs; five at least"
    assert any("async def main" in t for t in texts), f"{code} has no async program"
    if code not in ASYNC_ONLY:
        assert any("\ndef main" in t for t in texts), f"{code} has no sync program"
    assert any(len(fixed_versions(p)) > 1 for p in programs), f"no program of {code} is changed by its fix"


def test_a_program_that_hangs_costs_only_its_own_runs(scripted_server, tmp_path):
    hanging = "import time\n\n\ndef main():\n    time.sleep(600)\n"
    quick = "def main():\n    return 42\n"
    results = run_all(scripted_server, tmp_path, {"hangs": {"original": hanging}, "quick": {"original": quick}},
                      timeout=2)
    assert "did not finish within 2 s" in results["hangs"].error
    assert results["quick"].outcomes["original"]["ok"]["value"] == "42"
