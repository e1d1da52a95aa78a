"""What the project index finds on real applications that keep their client in
a separate module (issue 11), and whether every such finding was read.

Not part of the test suite. It fetches nothing while it runs: it is handed
exported source trees (`--apps-dir`, one folder per application named
`owner+name`), or, run by hand on a machine that reaches GitHub, `--clone`
clones each pinned commit into that folder first. `--from-bare DIR` exports
the Python files of bare git repositories (`DIR/owner+name` or
`DIR/owner+name/repo`) at their pinned commit instead.

For each application it runs `mongolint check --jobs 1 --no-cache --format json`
twice from the application's folder (where `uvicorn main:app` would run), with
the index on and with `project-index = false` (a config file outside the tree),
and compares every finding of either run with `real_apps.triage.json`
(repo, commit, path, line, code, whether the index adds it, removes it or both
runs have it, the verdict and a one-line reason). Nothing fetched is committed.

    python benchmarks/real_apps.py --apps-dir /tmp/apps               # compare with the triage
    python benchmarks/real_apps.py --apps-dir /tmp/apps --show index  # what the index changes
    python benchmarks/real_apps.py --apps-dir /tmp/apps --add-untriaged
    python benchmarks/real_apps.py --apps-dir /tmp/apps --clone       # by hand, with GitHub access
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, List, Optional, Tuple

HERE = Path(__file__).resolve().parent
TRIAGE = HERE / "real_apps.triage.json"
MONGOLINT = [sys.executable, "-m", "mongolint"]

# (owner/name, commit, where the client lives): applications whose client is
# built in one module and used from others.
APPS: List[Tuple[str, str, str]] = [
    ("Bhargavi1210/FastApi-Mongo-App", "23990acc531b160e9c88c672c4c9a8ec9d6615a7",
     "config/database.py: PyMongo collection, async FastAPI routes"),
    ("isroil01/python-fastapi-_with_mongodb", "db77465ad104b9a1b34c53b875e3999411f1c524",
     "config/database.py: PyMongo collection, async FastAPI routes"),
    ("Samyakshrma/Authentication", "b47f88fd03611a1feb6e3367a5fea26dbe31455c",
     "app/database.py: PyMongo collection, used by app/crud.py"),
    ("tejas01010/fastapi-mongo-crud", "d3c6e8417e09e27267b1f6707efcbdd9c48ebcf0",
     "6jan2026/app/database.py: PyMongo collection, sync FastAPI routes"),
    ("wallacemt/SI3DE-backend", "69730f399a81723ed5faecb93bbfa762ea25ae21",
     "db/database.py: PyMongo collections, Flask routes"),
    ("maorgeter/be", "ea45dc18e586a7dcb48e31607c221c889fb53cf6",
     "database.py: PyMongo collection, imported by the app and its tests"),
    ("angreatharva/FastAPI", "4a593343be33268ea736f14c9ca302acb31c9d2c",
     "app/database/connection.py: Motor client, re-exported by app/database/__init__.py"),
    ("bakhtiyorovdilshod/fastapi_mongodb", "3ace6739e335794c1ec2071b288b973369b2b367",
     "src/database.py: Motor collection, services"),
    ("rvindr/Python_Django_Learning", "2fd81c00bb131eb129dfd23e0b92480c7653cda6",
     "*/mongo_client.py: PyMongo collections, Django views"),
    ("keynervera/Cinetica", "6acff041d769f22dd8921bdf7aa9e6b4898e8bf9",
     "core/mongo.py: get_mongo_db() builds a client, Django views"),
    ("iml1111/IMFast-Motor", "a9e7e800c16268adcc23148b53071b38b4dcfde4",
     "IMFast/model/mongodb: Motor client handed to model classes"),
    ("mongodb-university/mflix-python", "d9667e709bd400f3d3dbd6e7f1474b3702d9d5fa",
     "mflix/db.py: Flask-PyMongo behind a LocalProxy (unknown)"),
    ("Kostiantyn-Salnykov/fastapi-mongodb", "e8d0edf59632912fe8854df951d81d63eaf3478d",
     "fastapi_mongodb/db.py: Motor client class, repositories in other modules"),
    ("userbotindo/Anjani", "90d29b87cef178f96015614eff220652de8220d7",
     "anjani/util/db: an async client wrapper, plugins in other modules"),
]

KEPT_SUFFIXES = (".py", ".pyi")
KEPT_NAMES = ("pyproject.toml", "setup.cfg", "setup.py")


def folder_name(repo: str) -> str:
    return repo.replace("/", "+")


def clone(repo: str, commit: str, target: Path) -> None:
    if target.exists():
        return
    subprocess.run(["git", "clone", "--quiet", f"https://github.com/{repo}.git", str(target)], check=True)
    subprocess.run(["git", "-C", str(target), "checkout", "--quiet", commit], check=True)


def export_bare(git_dir: Path, commit: str, target: Path) -> None:
    """The Python files (and project files) of `commit`: large data files of a
    partial mirror may be missing, so only these are read."""
    listing = subprocess.run(["git", f"--git-dir={git_dir}", "ls-tree", "-r", "-z", commit],
                             check=True, capture_output=True).stdout.decode("utf-8", "surrogateescape")
    for entry in filter(None, listing.split("\0")):
        meta, path = entry.split("\t", 1)
        mode, kind, blob = meta.split()
        if kind != "blob" or mode == "120000" or not (path.endswith(KEPT_SUFFIXES)
                                                       or os.path.basename(path) in KEPT_NAMES):
            continue
        data = subprocess.run(["git", f"--git-dir={git_dir}", "cat-file", "blob", blob],
                              capture_output=True)
        if data.returncode != 0:
            continue
        destination = target / path
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(data.stdout)


def findings(tree: Path, config: Path) -> List[dict]:
    result = subprocess.run(MONGOLINT + ["check", "--jobs", "1", "--no-cache", "--format", "json",
                                         "--exit-zero", "--config", str(config), "."],
                            cwd=tree, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"mongolint failed in {tree}:\n{result.stderr}")
    found = []
    for item in json.loads(result.stdout or "[]"):
        path = os.path.relpath(os.path.join(tree, item["filename"]), tree).replace(os.sep, "/")
        found.append({"path": path, "line": item["location"]["row"], "code": item["code"],
                      "message": item["message"]})
    return found


def compare(repo: str, commit: str, tree: Path, configs: Dict[str, Path]) -> List[dict]:
    """Every finding of either run, with what the index did to it."""
    on = {(f["path"], f["line"], f["code"]): f for f in findings(tree, configs["on"])}
    off = {(f["path"], f["line"], f["code"]): f for f in findings(tree, configs["off"])}
    rows = []
    for key in sorted(set(on) | set(off)):
        index = "both" if key in on and key in off else "adds" if key in on else "removes"
        item = on.get(key) or off[key]
        rows.append({"repo": repo, "commit": commit, "path": key[0], "line": key[1], "code": key[2],
                     "index": index, "message": item["message"]})
    return rows


def load_triage() -> List[dict]:
    if not TRIAGE.exists():
        return []
    return json.loads(TRIAGE.read_text(encoding="utf-8"))


def key_of(row: dict) -> Tuple:
    return row["repo"], row["commit"], row["path"], row["line"], row["code"]


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--apps-dir", type=Path, required=True, help="one exported tree per app: owner+name")
    parser.add_argument("--apps", help="comma-separated owner/name (default: all)")
    parser.add_argument("--clone", action="store_true", help="git clone missing apps from GitHub first")
    parser.add_argument("--from-bare", type=Path, help="export missing apps from bare git repositories here")
    parser.add_argument("--show", choices=("index", "false", "untriaged", "all"), default="untriaged")
    parser.add_argument("--add-untriaged", action="store_true", help="append new findings (verdict null)")
    args = parser.parse_args(argv)
    chosen = [app for app in APPS if not args.apps or app[0] in args.apps.split(",")]
    triage = load_triage()
    triaged = {key_of(row): row for row in triage}
    untriaged: List[dict] = []
    seen = set()
    with tempfile.TemporaryDirectory() as scratch:
        configs = {"on": Path(scratch) / "on.toml", "off": Path(scratch) / "off.toml"}
        configs["on"].write_text("[tool.mongolint]\n", encoding="utf-8")
        configs["off"].write_text("[tool.mongolint]\nproject-index = false\n", encoding="utf-8")
        for repo, commit, _ in chosen:
            tree = args.apps_dir / folder_name(repo)
            if not tree.exists() and args.clone:
                clone(repo, commit, tree)
            if not tree.exists() and args.from_bare:
                bare = args.from_bare / folder_name(repo)
                export_bare(bare / "repo" if (bare / "repo").is_dir() else bare, commit, tree)
            if not tree.exists():
                print(f"{repo}: no tree at {tree} (skipped)")
                continue
            rows = compare(repo, commit, tree, configs)
            counts = {kind: sum(r["index"] == kind for r in rows) for kind in ("both", "adds", "removes")}
            print(f"{repo}@{commit[:10]}: {len(rows)} findings "
                  f"(index adds {counts['adds']}, removes {counts['removes']}, both {counts['both']})")
            for row in rows:
                seen.add(key_of(row))
                known = triaged.get(key_of(row))
                if known is None:
                    untriaged.append(row)
                if known is not None and known.get("index") != row["index"]:
                    print(f"  changed: {row['path']}:{row['line']} {row['code']} was {known.get('index')}, "
                          f"now {row['index']}")
                shown = (args.show == "all" or args.show == "index" and row["index"] != "both"
                         or args.show == "false" and known is not None and known.get("verdict") is False
                         or args.show == "untriaged" and known is None)
                if shown:
                    verdict = "untriaged" if known is None else known.get("verdict")
                    print(f"  [{row['index']}] {row['path']}:{row['line']} {row['code']} ({verdict}) "
                          f"{row['message']}")
    gone = [row for row in triage if key_of(row) not in seen and row["repo"] in {a[0] for a in chosen}]
    for row in gone:
        print(f"  no longer reported: {row['repo']} {row['path']}:{row['line']} {row['code']}")
    false_alarms = [row for row in triage if key_of(row) in seen and row.get("verdict") is False]
    print(f"untriaged: {len(untriaged)}; false alarms still reported: {len(false_alarms)}; "
          f"triaged but gone: {len(gone)}")
    if args.add_untriaged and untriaged:
        for row in untriaged:
            row.update(verdict=None, reason="")
            row.pop("message", None)
        TRIAGE.write_text(json.dumps(triage + untriaged, indent=1) + "\n", encoding="utf-8")
    return 1 if untriaged or false_alarms else 0


if __name__ == "__main__":
    sys.exit(main())
