"""Migrate pinned releases of real Motor-based projects and report what happened.

Downloads each release from the package index (`pip download --no-deps`, no
install, nothing of theirs is kept in this repository), runs the Motor -> PyMongo
Async migration (MGL304's unsafe fix) on every Python file, and checks that

* every migrated file compiles,
* mongolint finds no MGL301/MGL302/MGL305 (async mistakes) in it that the
  original did not have,
* a second migration changes nothing;

then prints a Markdown summary (files migrated, files left alone and why) and
writes each file's diff under --out for reading. Results are recorded by hand in
docs/migrating-from-motor.md.

    python scripts/migrate_real_projects.py --out /tmp/motor-migrations
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tarfile
import tempfile
import warnings
import zipfile
from collections import Counter
from pathlib import Path
from typing import Dict, List, NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mongolint.config import Settings  # noqa: E402
from mongolint.engine import check_text  # noqa: E402
from mongolint.fixes import fix_text, unified_diff  # noqa: E402

# (distribution, version, what it is)
PROJECTS = (
    ("fastapi-mongo-admin", "2.0.2", "app: a server-rendered admin for FastAPI"),
    ("fastapi-users-db-mongodb", "1.1.0", "library: FastAPI Users' MongoDB adapter"),
    ("casbin-motor-adapter", "0.4.0", "library: a PyCasbin adapter"),
    ("fastapi-motor-oil", "0.5.2", "library: typed services over Motor"),
    ("beanie", "1.29.0", "ODM: the last Motor-based Beanie"),
    ("odmantic", "1.0.2", "ODM: Pydantic models over Motor"),
    ("motormongo", "0.1.19", "ODM: a small Motor ODM"),
)
MIGRATION = Settings(select=("MGL304",))
ASYNC_MISTAKES = Settings(select=("MGL301", "MGL302", "MGL305"))


class FileResult(NamedTuple):
    path: str
    migrated: bool
    reasons: List[str]  # why not, one line each
    problems: List[str]  # what a migrated file got wrong


def download(name: str, version: str, into: Path) -> Path:
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(into),
                    f"{name}=={version}"], check=True)
    archive = next(p for p in into.iterdir() if p.is_file())
    tree = into / "src"
    if archive.suffix == ".whl" or archive.suffix == ".zip":
        zipfile.ZipFile(archive).extractall(tree)
    else:
        with tarfile.open(archive) as handle:
            handle.extractall(tree, filter="data") if sys.version_info >= (3, 12) else handle.extractall(tree)
    return tree


def migrate_file(path: Path, root: Path, out: Path) -> FileResult:
    text = path.read_text(encoding="utf-8", errors="replace")
    relative = str(path.relative_to(root))
    findings = check_text(relative, text, MIGRATION).findings
    if not findings:
        return FileResult(relative, False, [], [])
    outcome = fix_text(relative, text, MIGRATION, unsafe=True)
    if outcome.text == text:
        reasons = [f"{f.line}: {f.message.split('not migrated: ', 1)[1]}" for f in findings
                   if "not migrated: " in f.message]
        return FileResult(relative, False, reasons or ["(no reason given)"] + outcome.internal_errors, [])
    problems = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(outcome.text, relative, "exec", dont_inherit=True)
    except SyntaxError as error:
        problems.append(f"does not compile: {error}")
    before = Counter(f.code for f in check_text(relative, text, ASYNC_MISTAKES).findings)
    after = Counter(f.code for f in check_text(relative, outcome.text, ASYNC_MISTAKES).findings)
    if after - before:
        problems.append(f"new async findings: {dict(after - before)}")
    if check_text(relative, outcome.text, MIGRATION).findings:
        problems.append("MGL304 left after migration")
    if fix_text(relative, outcome.text, MIGRATION, unsafe=True).text != outcome.text:
        problems.append("a second migration changes it")
    diff = out / (relative.replace("/", "__") + ".diff")
    diff.write_text(unified_diff(relative, text, outcome.text), encoding="utf-8")
    return FileResult(relative, True, [], problems)


def migrate_project(name: str, version: str, out: Path) -> List[FileResult]:
    with tempfile.TemporaryDirectory() as work:
        tree = download(name, version, Path(work))
        project_out = out / f"{name}-{version}"
        project_out.mkdir(parents=True, exist_ok=True)
        return [migrate_file(p, tree, project_out) for p in sorted(tree.rglob("*.py"))]


def summary(results: Dict[str, List[FileResult]]) -> str:
    lines = ["| project | what | files with Motor | migrated | left unchanged | problems |",
             "|---|---|---|---|---|---|"]
    details = []
    for (name, version, what) in PROJECTS:
        files = [r for r in results[name] if r.migrated or r.reasons]
        migrated = [r for r in files if r.migrated]
        left = [r for r in files if not r.migrated]
        problems = [r for r in migrated if r.problems]
        lines.append(f"| {name} {version} | {what} | {len(files)} | {len(migrated)} | {len(left)} | {len(problems)} |")
        for result in left:
            details.append(f"- `{name}` `{result.path}`: " + "; ".join(result.reasons))
        for result in problems:
            details.append(f"- PROBLEM `{name}` `{result.path}`: " + "; ".join(result.problems))
    return "\n".join(lines + [""] + details) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(Path(tempfile.gettempdir()) / "motor-migrations"),
                        help="where the diffs go (default: %(default)s)")
    args = parser.parse_args()
    out = Path(args.out)
    results = {name: migrate_project(name, version, out) for name, version, _ in PROJECTS}
    sys.stdout.write(summary(results))
    print(f"\ndiffs in {out}", file=sys.stderr)
    return 1 if any(r.problems for files in results.values() for r in files) else 0


if __name__ == "__main__":
    sys.exit(main())
