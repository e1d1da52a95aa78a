"""`exclude`, `extend-exclude`, `per-file-ignores` and .gitignore files are matched
as git matches them (git itself is the oracle here), in time that does not explode
on patterns built to make a backtracking matcher explode."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys

import pytest

from mongolint.gitignore import Spec

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is the oracle")

FILES = [
    "a.py", "ab.py", "abc", "aXb.py", "b/a.py", "x/y/z.py", "foo", "foo.pyi", "foo2/bar.py", "doc/frotz/x.py",
    "a/b/c/d.py", "a/x/b/e.py", "a b.py", "#x.py", "!x.py", "dir.d/f.py", "deep/a/b/c/e/f.py", "build/keep.py",
    "build/x/y.py", "src/build/z.py", "tests/test_a.py", "tests/unit/test_b.py", "star*.py", "q?.py", "br[a].py",
    "trail .py", "UPPER.PY", "migrations/0001_initial.py", "src/app/migrations/0002.py", "vendor/lib/mod.py",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaac.py",
]
PATTERNS = [
    "*.py", "/*.py", "a.py", "/a.py", "a/", "b/", "build/", "/build/", "build", "build/*", "build/**", "**/build",
    "**/build/**", "a/**/d.py", "a/**/b", "**/b/**", "x/*", "x/*/z.py", "doc/frotz/", "frotz/", "*.pyi", "?.py",
    "??.py", "[ab].py", "[!a]*.py", "[^a]*.py", "[a-c]*", "[[:upper:]]*", "[[:digit:]]*", "\\#x.py", "\\!x.py",
    "#x.py", "!x.py", "star\\*.py", "q\\?.py", "br\\[a].py", "trail\\ .py", "trail .py", "*.PY", "a*b*.py",
    "a**b.py", "**", "*", "*/", "/**/a.py", "migrations/", "**/migrations/*.py", "tests/**/test_*.py",
    "tests/test_*.py", "vendor", "/vendor/lib", "dir.d", "*.d/", "a*a*a*a*a*a*a*a*a*c.py", "deep/**/f.py",
    "deep/*/*/c", "[a-", "[]a]*", "[!]]*", "\\", "a/b/", "*/b/a.py",
]
SPECS = [[p] for p in PATTERNS] + [
    ["build/", "!build/keep.py"], ["*.py", "!a.py"], ["*.py", "!/b/"], ["b/*", "!b/a.py"], ["tests/", "!tests/unit/"],
    ["*", "!*/", "!*.py"], ["/*", "!/a"], ["**/x", "!x"], ["*.py", "!*.py", "a.py"], ["# comment", "", "  ", "a.py"],
]


def _random_patterns(count: int, seed: int):
    pieces = ["a", "b", "x", "*", "?", "/", "**", "[ab]", "[!a]", ".py", "c", "d", "\\*", "y"]
    generator = random.Random(seed)
    return [["".join(generator.choice(pieces) for _ in range(generator.randint(1, 6)))] for _ in range(count)]


def _directories(files):
    found = set()
    for path in files:
        parts = path.split("/")[:-1]
        found.update("/".join(parts[:end]) for end in range(1, len(parts) + 1))
    return sorted(found)


@pytest.fixture(scope="module")
def git_answers(tmp_path_factory):
    """For each spec: the paths git ignores, with a .gitignore of that spec."""
    root = tmp_path_factory.mktemp("wildmatch")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    specs = SPECS + _random_patterns(150, seed=13)
    queries = []
    for index, spec in enumerate(specs):
        case = root / f"case{index}"
        for path in FILES:
            (case / path).parent.mkdir(parents=True, exist_ok=True)
            (case / path).write_text("")
        (case / ".gitignore").write_text("".join(line + "\n" for line in spec))
        queries.extend(f"case{index}/{path}" for path in FILES + _directories(FILES))
    result = subprocess.run(["git", "-c", "core.excludesFile=/dev/null", "-c", "core.ignoreCase=false",
                             "check-ignore", "--no-index", "--stdin"], cwd=root, input="\n".join(queries) + "\n",
                            capture_output=True, text=True, timeout=120)
    assert result.returncode in (0, 1), result.stderr
    ignored = set(result.stdout.splitlines())
    return [(spec, {q.split("/", 1)[1] for q in queries if q in ignored and q.startswith(f"case{i}/")})
            for i, spec in enumerate(specs)]


def test_patterns_match_what_git_ignores(git_answers):
    files, directories = set(FILES), set(_directories(FILES))
    mismatches = []
    for spec, expected in git_answers:
        matcher = Spec(spec)
        mine = {path for path in files if matcher.match_file(path)}
        mine |= {path for path in directories if matcher.match_file(path, is_dir=True)}
        if mine != expected:
            mismatches.append(f"{spec}: git only {sorted(expected - mine)}, mongolint only {sorted(mine - expected)}")
    assert not mismatches, "\n".join(mismatches)


CATASTROPHIC = "a*a*a*a*a*a*a*a*a*a*a*a*b"


@pytest.mark.parametrize("where", ["exclude", "gitignore", "per-file-ignores"])
def test_a_backtracking_pattern_does_not_hang_discovery(tmp_path, where):
    """Bounded by a subprocess timeout: a backtracking matcher takes minutes here."""
    table = "[tool.mongolint]\n"
    if where == "exclude":
        table += f'exclude = ["{CATASTROPHIC}"]\n'
    elif where == "per-file-ignores":
        table += f'per-file-ignores = {{ "{CATASTROPHIC}" = ["MGL1"] }}\n'
    else:
        (tmp_path / ".gitignore").write_text(CATASTROPHIC + "\n")
    (tmp_path / "pyproject.toml").write_text(table)
    name = "a" * 40 + ".py"
    (tmp_path / name).write_text("import pymongo\n\ndef leak():\n    client = pymongo.MongoClient()\n"
                                 "    client.db.c.find_one()\n")
    result = subprocess.run([sys.executable, "-m", "mongolint", "--no-cache", "--format", "concise", "."],
                            cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and result.stdout.startswith(f"{name}:4:"), result.stderr


def test_discovery_skips_what_git_ignores_with_nested_gitignores(tmp_path):
    """A deeper .gitignore overrides a higher one; an excluded folder keeps its files excluded."""
    from mongolint import discovery

    layout = {
        ".gitignore": "*.py\n!keep*.py\ngenerated/\n",
        "sub/.gitignore": "!*.py\nkeep_not.py\n",
        "sub/deeper/.gitignore": "/local.py\n",
    }
    files = ["a.py", "keep_me.py", "sub/b.py", "sub/keep_not.py", "sub/deeper/local.py", "sub/deeper/x/local.py",
             "generated/g.py", "sub/generated/h.py", "sub/generated/.gitignore"]
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    for path, content in layout.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(content)
    for path in files:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        if not (tmp_path / path).exists():
            (tmp_path / path).write_text("")
    (tmp_path / "sub/generated/.gitignore").write_text("!h.py\n")
    listed = subprocess.run(["git", "-c", "core.excludesFile=/dev/null", "ls-files", "--others", "--exclude-standard"],
                            cwd=tmp_path, capture_output=True, text=True, check=True).stdout.split()
    found, _ = discovery.discover([str(tmp_path)], root=str(tmp_path))
    mine = sorted(os.path.relpath(path, tmp_path).replace(os.sep, "/") for path in found)
    assert mine == sorted(path for path in listed if path.endswith(".py"))
