"""Precision on real MongoDB projects: mongolint's findings against a triage file.

Downloads pinned source releases (sdists, which carry the projects' tests) from
the package index with pip, unpacks them in a scratch folder, runs mongolint
over each, and compares every finding with `real_projects.triage.json`, where
each one is marked `true` (a real bug), `false` (a false alarm) or `noise`
(correct, but a maintainer would not want it), with a one-line reason.

    python benchmarks/real_projects.py                 # check against the triage
    python benchmarks/real_projects.py --projects motor,beanie
    python benchmarks/real_projects.py --add-untriaged # append new findings, verdict null

A finding is keyed by project, path, code, the def or class that holds it, the
text of its line and its rank among equal keys there (line numbers alone would
shift with every edit). Entries marked `"reported": false` are findings an
earlier mongolint made that the model now rightly leaves alone (false alarms and
noise fixed): they document the fix and catch its regression.

It prints the findings that are new (not triaged), those that vanished, those
that came back, and per project false alarms per 10,000 lines of Python. Exit
status: 0 when every finding is triaged and no finding triaged `true` vanished;
1 otherwise (a new finding to read, or a real bug no longer found); 2 when a
download or a run failed.

Not part of the test suite: it needs the package index and a few minutes.
Run it with the Python of a virtual environment where mongolint is installed
(the repository's `.venv`); pip is that interpreter's.
"""

from __future__ import annotations

import argparse
import ast
import collections
import json
import os
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

HERE = Path(__file__).resolve().parent
TRIAGE = HERE / "real_projects.triage.json"
DEFAULT_WORKDIR = HERE / ".real_projects"
VERDICTS = ("true", "false", "noise")
TARGET_FALSE_PER_10K = 0.5  # the bar: at most 1 false alarm per 20,000 lines


@dataclass(frozen=True)
class Project:
    name: str  # the distribution's name on the package index
    version: str
    kind: str  # why it is in the set

    @property
    def pin(self) -> str:
        return f"{self.name}=={self.version}"


PROJECTS: Tuple[Project, ...] = (
    Project("pymongo", "4.20.0", "the driver itself, with its sync and async test suites"),
    Project("motor", "3.7.1", "the Motor driver, its Tornado/asyncio tests and doc examples"),
    Project("mongoengine", "0.29.3", "a sync ODM, with its tests"),
    Project("beanie", "2.2.0", "an async ODM on PyMongo Async (the sdist has no tests)"),
    Project("bunnet", "1.3.0", "beanie's sync twin, with its tests"),
    Project("umongo", "3.1.0", "an ODM over PyMongo, Motor and mongomock, with its tests"),
    Project("yadm", "2.0.9", "an ODM with sync and Motor back-ends, with its tests"),
    Project("pymodm", "0.4.3", "MongoDB's own sync ODM, with its tests"),
    Project("ming", "0.17.3", "an ODM with a unit-of-work session, with its tests"),
    Project("Flask-PyMongo", "2.3.0", "a web framework integration, with its tests"),
    Project("Eve", "2.1.0", "a REST application framework on PyMongo, with its tests"),
    Project("mongomock", "4.3.0", "a mocking library, tested against real PyMongo"),
    Project("pytest-mongo", "6.0.0", "a pytest plugin: client fixtures"),
    Project("mtools", "1.7.2", "driver-level tools: launch clusters, parse and replay logs"),
    Project("langchain-mongodb", "0.12.1", "an application library: vector search, caches, chat history"),
    Project("django-mongodb-backend", "5.2.4", "MongoDB's Django backend, with transactions"),
    Project("Mongo-Thingy", "0.17.2", "an ODM over PyMongo, Motor and mongomock, with its tests"),
    Project("mongodb-migrations", "1.3.1", "a migration tool"),
    Project("log4mongo", "1.8.1", "a logging handler that writes to MongoDB"),
)


# -- fetching ---------------------------------------------------------------

def fetch(project: Project, workdir: Path) -> Path:
    """The unpacked source tree of `project`, downloading its sdist if needed."""
    tree = workdir / "src" / f"{project.name}-{project.version}"
    if tree.is_dir():
        return tree
    sdists = workdir / "sdists"
    sdists.mkdir(parents=True, exist_ok=True)
    archive = _archive_in(sdists, project)
    if archive is None:
        completed = subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                                    "--no-binary", project.name, "--dest", str(sdists), project.pin],
                                   capture_output=True, text=True)
        if completed.returncode != 0:
            raise RuntimeError(f"pip download {project.pin} failed: {completed.stderr.strip()[-2000:]}")
        archive = _archive_in(sdists, project)
        if archive is None:
            raise RuntimeError(f"{project.pin}: pip downloaded no source archive")
    staging = tree.with_name(tree.name + ".partial")
    _unpack(archive, staging)
    entries = list(staging.iterdir())
    (entries[0] if len(entries) == 1 and entries[0].is_dir() else staging).rename(tree)
    if staging.exists():
        staging.rmdir()
    return tree


def _archive_in(folder: Path, project: Project) -> Optional[Path]:
    normalised = {project.name.lower().replace("-", "_"), project.name.lower()}
    for path in sorted(folder.iterdir()):
        stem = path.name.lower()
        for suffix in (".tar.gz", ".zip", ".tar.bz2"):
            if stem.endswith(suffix):
                name, _, version = stem[: -len(suffix)].rpartition("-")
                if version == project.version and name.replace("-", "_") in normalised | {
                        n.replace("-", "_") for n in normalised}:
                    return path
    return None


def _unpack(archive: Path, destination: Path) -> None:
    destination.mkdir(parents=True, exist_ok=True)
    if archive.name.endswith(".zip"):
        with zipfile.ZipFile(archive) as handle:
            handle.extractall(destination)
    else:
        with tarfile.open(archive) as handle:
            if hasattr(tarfile, "data_filter"):
                handle.extractall(destination, filter="data")
            else:  # pragma: no cover - Pythons before the extraction filters
                handle.extractall(destination)


def python_lines(tree: Path) -> int:
    total = 0
    for path in tree.rglob("*.py"):
        try:
            with open(path, "rb") as handle:
                total += sum(1 for _ in handle)
        except OSError:
            continue
    return total


# -- running ----------------------------------------------------------------

def run_mongolint(tree: Path, workdir: Path, strict_tests: bool) -> List[dict]:
    """mongolint's findings on `tree`, with the defaults (an empty
    [tool.mongolint], so neither the project's nor this repository's settings apply)."""
    config = workdir / ("strict.toml" if strict_tests else "defaults.toml")
    config.write_text("[tool.mongolint]\n" + ("strict-tests = true\n" if strict_tests else ""),
                      encoding="utf-8")
    completed = subprocess.run(
        [sys.executable, "-m", "mongolint", "check", "--format", "json", "--no-cache",
         "--exit-zero", "--config", str(config), "."],
        cwd=tree, capture_output=True, text=True)
    if completed.returncode != 0:
        raise RuntimeError(f"mongolint failed on {tree.name} ({completed.returncode}): "
                           f"{completed.stderr.strip()[-2000:]}")
    return json.loads(completed.stdout or "[]")


def keyed_findings(project: Project, tree: Path, findings: Sequence[dict]) -> Dict[Tuple, dict]:
    """Findings by a key that survives edits elsewhere in a file: project, path,
    code, the function (or class) that holds the finding, the text of the
    finding's first line, and its rank among equal keys in that function."""
    keyed: Dict[Tuple, dict] = {}
    counts: collections.Counter = collections.Counter()
    sources: Dict[str, Tuple[List[str], List[Tuple[int, int, str]]]] = {}
    for finding in sorted(findings, key=lambda f: (f["filename"], f["location"]["row"],
                                                   f["location"]["column"], f["code"])):
        path = Path(finding["filename"]).as_posix()
        path = path[2:] if path.startswith("./") else path
        if path not in sources:
            text = (tree / path).read_text(encoding="utf-8", errors="replace")
            sources[path] = (text.splitlines(), _scopes(text))
        lines, scopes = sources[path]
        row = finding["location"]["row"]
        text = lines[row - 1].strip() if row <= len(lines) else ""
        base = (project.name, path, finding["code"], _scope_at(scopes, row), text)
        counts[base] += 1
        keyed[base + (counts[base],)] = dict(finding, line=row, text=text, path=path)
    return keyed


def _scopes(text: str) -> List[Tuple[int, int, str]]:
    """(first line, last line, qualified name) of every def and class."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return []
    found: List[Tuple[int, int, str]] = []

    def visit(node, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = f"{prefix}{child.name}"
                found.append((child.lineno, child.end_lineno or child.lineno, name))
                visit(child, name + ".")
            else:
                visit(child, prefix)

    visit(tree, "")
    return found


def _scope_at(scopes: List[Tuple[int, int, str]], row: int) -> str:
    inside = [s for s in scopes if s[0] <= row <= s[1]]
    return max(inside, key=lambda s: s[0])[2] if inside else ""


# -- triage -----------------------------------------------------------------

def load_triage() -> Dict[Tuple, dict]:
    if not TRIAGE.is_file():
        return {}
    entries = json.loads(TRIAGE.read_text(encoding="utf-8"))
    return {entry_key(e): e for e in entries}


def entry_key(entry: dict) -> Tuple:
    return (entry["project"], entry["path"], entry["code"], entry.get("scope", ""), entry["text"],
            entry.get("occurrence", 1))


def save_triage(triage: Dict[Tuple, dict]) -> None:
    entries = [triage[key] for key in sorted(triage, key=lambda k: (k[0].lower(),) + k[1:])]
    TRIAGE.write_text(json.dumps(entries, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def triage_entry(key: Tuple, finding: dict) -> dict:
    project, path, code, scope, text, occurrence = key
    entry = {"project": project, "path": path, "code": code, "scope": scope, "text": text}
    if occurrence != 1:
        entry["occurrence"] = occurrence
    entry.update({"line": finding["line"], "verdict": None, "reason": "", "message": finding["message"]})
    return entry


# -- the report ---------------------------------------------------------------

def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR,
                        help="scratch folder for the downloads and trees (default: %(default)s)")
    parser.add_argument("--projects", help="comma-separated names from the pinned set (default: all)")
    parser.add_argument("--strict-tests", action="store_true",
                        help="run with `strict-tests = true` (the triage is for the defaults)")
    parser.add_argument("--add-untriaged", action="store_true",
                        help="append new findings to the triage file with verdict null, to be read")
    parser.add_argument("--show", choices=("new", "all", "false"), default="new",
                        help="which findings to list (default: new)")
    args = parser.parse_args(argv)

    chosen = [p for p in PROJECTS if not args.projects
              or p.name.lower() in {n.strip().lower() for n in args.projects.split(",")}]
    args.workdir.mkdir(parents=True, exist_ok=True)
    triage = load_triage()
    found: Dict[Tuple, dict] = {}
    lines: Dict[str, int] = {}
    for project in chosen:
        try:
            tree = fetch(project, args.workdir)
            findings = run_mongolint(tree, args.workdir, args.strict_tests)
        except (subprocess.CalledProcessError, RuntimeError, OSError) as error:
            print(f"error: {project.pin}: {error}", file=sys.stderr)
            return 2
        lines[project.name] = python_lines(tree)
        found.update(keyed_findings(project, tree, findings))

    names = {p.name for p in chosen}
    in_scope = {k: v for k, v in triage.items() if k[0] in names}
    # Entries with "reported": false are findings an earlier mongolint made and
    # this one must not (false alarms and noise fixed in the model).
    removed = {k for k, v in in_scope.items() if v.get("reported") is False}
    new = [k for k in found if k not in in_scope or in_scope[k].get("verdict") not in VERDICTS]
    vanished = [k for k in in_scope if k not in found and k not in removed]
    returned = [k for k in found if k in removed]
    _print_findings("new (untriaged)", new, found, triage)
    _print_findings("vanished", vanished, None, triage)
    _print_findings("reported again, though triaged as no longer reported", returned, found, triage)
    if args.show != "new":
        wanted = [k for k in found if args.show == "all" or triage.get(k, {}).get("verdict") == "false"]
        _print_findings(args.show, wanted, found, triage)
    _print_table(chosen, lines, found, triage, removed)

    if args.add_untriaged and new:
        for key in new:
            triage.setdefault(key, triage_entry(key, found[key]))
        save_triage(triage)
        print(f"{len(new)} findings appended to {TRIAGE.name} with verdict null")
    lost = [k for k in vanished if in_scope[k].get("verdict") == "true"] + \
        [k for k in removed if in_scope[k].get("verdict") == "true" and k not in found]
    if lost:
        print(f"{len(lost)} real bugs triaged `true` are no longer found")
    return 1 if new or lost else 0


def _print_findings(title: str, keys: Sequence[Tuple], found, triage) -> None:
    if not keys:
        return
    print(f"\n{title}: {len(keys)}")
    for key in sorted(keys):
        project, path, code, _, text, _ = key
        if found is not None and key in found:
            finding = found[key]
            where = f"{project}/{path}:{finding['line']}"
            message = finding["message"]
        else:
            where, message = f"{project}/{path}", triage[key].get("message", "")
        verdict = triage.get(key, {}).get("verdict")
        note = f" [{verdict}: {triage[key].get('reason', '')}]" if verdict else ""
        print(f"  {code} {where}: {text}\n      {message}{note}")


def _print_table(chosen, lines, found, triage, removed) -> None:
    print(f"\n{'project':<24}{'lines':>9}{'findings':>10}{'true':>6}{'noise':>7}{'false':>7}"
          f"{'new':>5}{'false/10k':>11}{'removed':>9}")
    totals = collections.Counter()
    for project in chosen:
        counts = collections.Counter(
            triage.get(k, {}).get("verdict") or "new" for k in found if k[0] == project.name)
        row = lines.get(project.name, 0)
        gone = sum(1 for k in removed if k[0] == project.name and k not in found)
        totals.update(counts)
        totals["lines"] += row
        totals["removed"] += gone
        print(f"{project.name:<24}{row:>9}{sum(counts.values()):>10}{counts['true']:>6}"
              f"{counts['noise']:>7}{counts['false']:>7}{counts['new']:>5}{_rate(counts['false'], row):>11}"
              f"{gone:>9}")
    total_findings = sum(v for k, v in totals.items() if k not in ("lines", "removed"))
    print(f"{'total':<24}{totals['lines']:>9}{total_findings:>10}{totals['true']:>6}"
          f"{totals['noise']:>7}{totals['false']:>7}{totals['new']:>5}{_rate(totals['false'], totals['lines']):>11}"
          f"{totals['removed']:>9}")
    print("(removed: findings of an earlier mongolint, triaged, that are no longer reported)")
    rate = 10_000 * totals["false"] / totals["lines"] if totals["lines"] else 0.0
    status = "PASS" if rate <= TARGET_FALSE_PER_10K else "MISS"
    print(f"false alarms per 10,000 lines: {rate:.2f} (target at most {TARGET_FALSE_PER_10K}: {status})")


def _rate(count: int, lines: int) -> str:
    return f"{10_000 * count / lines:.2f}" if lines else "-"


if __name__ == "__main__":
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    sys.exit(main())
