"""The bundled example: what the README's first command shows, and fixing it."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys

from fixture_markers import ROOT

EXAMPLES = ROOT / "examples"
MISSION = {"MGL101", "MGL102", "MGL103", "MGL201", "MGL301"}


def _every_rule() -> set:
    from mongolint.rules import ALL_RULES

    return {rule.code for rule in ALL_RULES if rule.enabled_by_default}


def _mongolint(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "mongolint", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


def _codes(output: str) -> set:
    return {line.split(": ", 1)[1].split()[0] for line in output.splitlines() if ": MGL" in line}


def test_example_shows_every_mission_rule_and_exits_1():
    result = _mongolint("examples/", "--format", "concise")
    assert result.returncode == 1, result.stderr
    assert MISSION <= _codes(result.stdout)
    assert _codes(result.stdout) == _every_rule(), "the example shows every rule at least once"


def test_correct_pymongo_code_exits_0():
    result = _mongolint("examples/correct")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == "All checks passed!\n"


def _snapshot(tree):
    return {p.relative_to(tree): p.read_bytes() for p in sorted(tree.rglob("*.py"))}


def test_diff_prints_and_writes_nothing(tmp_path):
    tree = tmp_path / "examples"
    shutil.copytree(EXAMPLES, tree)
    before = _snapshot(tree)
    result = _mongolint("--diff", "--unsafe-fixes", str(tree), cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith("---") and "+++" in result.stdout
    assert _snapshot(tree) == before


def test_fix_leaves_no_fixable_finding_and_is_stable(tmp_path):
    tree = tmp_path / "examples"
    shutil.copytree(EXAMPLES, tree)
    first = _mongolint("--fix", "--unsafe-fixes", str(tree), cwd=tmp_path)
    assert "internal error" not in first.stderr, first.stderr
    for path in tree.rglob("*.py"):
        ast.parse(path.read_text(encoding="utf-8"), str(path))
    after = _mongolint("--format", "text", str(tree), cwd=tmp_path)
    assert "[*]" not in after.stdout, f"fixable findings remain:\n{after.stdout}"
    assert _mongolint("--diff", "--unsafe-fixes", str(tree), cwd=tmp_path).stdout == ""
    fixed = _snapshot(tree)
    second = _mongolint("--fix", "--unsafe-fixes", str(tree), cwd=tmp_path)
    assert _snapshot(tree) == fixed, second.stderr
