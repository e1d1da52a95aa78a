#!/usr/bin/env python3
"""Benchmark mongolint against ruff, flake8 (+ bugbear) and Fixit, and against
the cost floors of its design (bare ast.parse and libcst.parse_module).

Installs pinned packages into a scratch virtual environment, copies the source
trees of PyMongo, Motor, MongoEngine, Beanie and Django out of it, runs every
tool on every tree in interleaved repetitions, prints medians, peak memory and
the target ratios, and writes docs/performance.md.

Standard library only.  See benchmarks/README.md for what is measured and why.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
FLOOR_SCRIPT = HERE / "parse_floor.py"
MEASURE_SCRIPT = HERE / "measure.py"
NOTES = HERE / "notes.md"

# Exact pins: current releases that install on Python 3.11.  Changing one makes
# the next run rebuild the scratch venv.
PINS = {
    "pymongo": "4.20.0",
    "motor": "3.7.1",
    "mongoengine": "0.29.3",
    "beanie": "2.2.0",
    "django": "5.2.19",
    "ruff": "0.17.6",
    "flake8": "7.5.0",
    "flake8-bugbear": "26.10.27",
    "fixit": "2.2.1",
    "libcst": "1.9.0",
}
# The second venv: flake8 + bugbear without mongolint, for "flake8 without the plugin".
FLAKE8_PINS = {name: PINS[name] for name in ("flake8", "flake8-bugbear")}

# Trees: the package folder in site-packages.  Django first: it is the tree
# that barely uses the driver.
TREES = ("django", "pymongo", "motor", "mongoengine", "beanie")
# One file of each tree, checked alone as pre-commit does: one that imports many
# of the tree's other modules, so that its imports are resolved through the index.
ONE_FILE = {"django": "db/models/base.py", "pymongo": "synchronous/collection.py", "motor": "core.py",
            "mongoengine": "document.py", "beanie": "odm/documents.py"}
MONGO_TREES = ("pymongo", "motor", "mongoengine", "beanie")

# Used only when the mongolint CLI has no --list-parsed: an approximation of
# its pre-filter (mongolint/prefilter.py: a file that never spells one of these
# words, or a configured client factory, is not parsed).
APPROX_WORDS = ("pymongo", "motor", "MongoClient", "AsyncMongoClient", "AsyncIOMotorClient")
APPROX_PREFILTER = re.compile(rb"\b(?:" + b"|".join(w.encode() for w in APPROX_WORDS) + rb")\b")

CACHE_DIR_NAME = ".mongolint_cache"
DEFAULT_TIMEOUT = 1800.0


# --------------------------------------------------------------------------
# Small helpers


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_quiet(argv: list, log: Path | None = None, **kwargs) -> subprocess.CompletedProcess:
    """Run a set-up command; on failure show the tail of its output and stop."""
    result = subprocess.run(
        [str(a) for a in argv], capture_output=True, text=True, **kwargs
    )
    if log is not None:
        log.write_text(result.stdout + result.stderr, encoding="utf-8")
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-25:])
        raise SystemExit(f"command failed ({result.returncode}): {shlex.join(map(str, argv))}\n{tail}")
    return result


def child_env(venv: Path) -> dict:
    """The environment every measured process gets: the venv first on PATH,
    no colour, nothing inherited that changes what Python imports."""
    dropped = ("PYTHONPATH", "PYTHONHOME", "PYTHONDONTWRITEBYTECODE", "FORCE_COLOR")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env["VIRTUAL_ENV"] = str(venv)
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["NO_COLOR"] = "1"
    return env


def mib(kib: float) -> float:
    return kib / 1024


# --------------------------------------------------------------------------
# The scratch virtual environments


def installed_versions(python: Path, names) -> dict:
    code = (
        "import importlib.metadata as m, json, sys\n"
        "out = {}\n"
        "for n in sys.argv[1:]:\n"
        "    try: out[n] = m.version(n)\n"
        "    except m.PackageNotFoundError: out[n] = None\n"
        "print(json.dumps(out))\n"
    )
    result = subprocess.run([str(python), "-c", code, *names], capture_output=True, text=True)
    if result.returncode != 0:
        return {}
    return json.loads(result.stdout)


def ensure_venv(venv: Path, pins: dict, extra: list[str] = ()) -> Path:
    """Create venv if needed and install the pins unless it has them already.
    extra (the local mongolint project) is installed every time: pip always
    rebuilds a local folder, so the venv holds the code as it is now."""
    python = venv / "bin" / "python"
    if not python.exists():
        say(f"creating virtual environment {venv}")
        run_quiet([sys.executable, "-m", "venv", venv])
    specs = [f"{name}=={version}" for name, version in pins.items()]
    if extra or installed_versions(python, pins) != dict(pins):
        say(f"installing into {venv}: {' '.join(specs + list(extra))}")
        # The pins go along with extra so that resolving its dependencies keeps them.
        run_quiet([python, "-m", "pip", "install", "--disable-pip-version-check", *specs, *extra],
                  log=venv / "pip-install.log")
    return python


def pip_freeze(python: Path) -> list[str]:
    result = subprocess.run([str(python), "-m", "pip", "freeze", "--disable-pip-version-check"],
                            capture_output=True, text=True)
    return [line for line in result.stdout.splitlines() if line.strip()]


def site_packages(python: Path) -> Path:
    code = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    return Path(run_quiet([python, "-c", code]).stdout.strip())


# --------------------------------------------------------------------------
# What the mongolint CLI offers (it is being written in parallel: ask it)


@dataclass
class Mongolint:
    exe: Path | None
    version: str = "not installed"
    problem: str = ""
    flags: set = field(default_factory=set)
    subcommand: list = field(default_factory=list)

    @property
    def available(self) -> bool:
        return self.exe is not None


def probe_mongolint(venv: Path, install_problem: str) -> Mongolint:
    exe = venv / "bin" / "mongolint"
    if install_problem or not exe.exists():
        return Mongolint(None, problem=install_problem or f"{exe} does not exist")
    env = child_env(venv)
    help_text = subprocess.run([str(exe), "--help"], capture_output=True, text=True, env=env)
    if help_text.returncode != 0:
        return Mongolint(None, problem=f"`mongolint --help` failed: {help_text.stderr.strip()[-300:]}")
    text = help_text.stdout
    check_help = subprocess.run([str(exe), "check", "--help"], capture_output=True, text=True, env=env)
    if check_help.returncode == 0:
        text += check_help.stdout
    flags = {flag for flag in ("--list-parsed", "--cache-dir", "--no-cache", "--jobs") if flag in text}
    version = subprocess.run([str(exe), "--version"], capture_output=True, text=True, env=env)
    subcommand = ["check"] if check_help.returncode == 0 else []
    version_text = (version.stdout or version.stderr).strip().removeprefix("mongolint ")
    return Mongolint(exe, version=version_text or "?",
                     flags=flags, subcommand=subcommand)


def probe_flake8_plugin(venv: Path) -> str:
    """"" if the venv's flake8 starts and lists the mongolint plugin, else why not."""
    result = subprocess.run([str(venv / "bin" / "flake8"), "--version"], capture_output=True,
                            text=True, env=child_env(venv))
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["?"])[-1]
        return f"`flake8 --version` failed: {last[:200]}"
    if "mongolint" not in result.stdout:
        return f"`flake8 --version` does not list it: {' '.join(result.stdout.split())}"
    return ""


def git_describe(source: Path) -> str:
    head = subprocess.run(["git", "-C", str(source), "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(source), "status", "--porcelain", "--",
                            "mongolint", "pyproject.toml"], capture_output=True, text=True).stdout.strip()
    return f"{head or '?'}{' + uncommitted changes' if dirty else ''}"


# --------------------------------------------------------------------------
# The trees


@dataclass
class Tree:
    name: str
    path: Path        # the copied package folder that every tool is pointed at
    cwd: Path         # an empty folder each tool runs in
    files: int = 0
    lines: int = 0
    parsed_list: Path | None = None   # files mongolint parses after its pre-filter
    parsed_count: int | None = None
    parsed_source: str = ""
    one_file: Path | None = None      # ONE_FILE, in the copied tree
    one_file_twice: Path | None = None    # a list naming it twice (the floor's input)
    no_files: Path | None = None          # an empty list (the floor's start-up alone)
    index_on: Path | None = None          # configurations with the project index on and off
    index_off: Path | None = None


def python_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.suffix in (".py", ".pyi") and p.is_file()
                  and "__pycache__" not in p.parts)


def copy_tree(site: Path, name: str, workdir: Path) -> Tree:
    """Copy an installed package out of the venv.  Outside the venv and this
    repository no tool skips it as a virtual environment, and none picks up
    this repository's .gitignore, pyproject.toml or flake8 configuration."""
    source = site / name
    if not source.is_dir():
        raise SystemExit(f"{source} is not installed")
    target = workdir / "trees" / name
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    cwd = workdir / "cwd" / name
    cwd.mkdir(parents=True, exist_ok=True)
    tree = Tree(name, target, cwd)
    files = python_files(target)
    tree.files = len(files)
    tree.lines = sum(p.read_bytes().count(b"\n") for p in files)
    return tree


def list_parsed_files(tree: Tree, mongolint: Mongolint, venv: Path, workdir: Path) -> None:
    """Which files does mongolint parse?  Ask it (--list-parsed) if it can
    tell; otherwise approximate its pre-filter with a word-bounded scan."""
    paths = None
    if mongolint.available and "--list-parsed" in mongolint.flags:
        argv = [str(mongolint.exe), *mongolint.subcommand, "--list-parsed", "--no-cache", str(tree.path)]
        if "--no-cache" not in mongolint.flags:
            argv.remove("--no-cache")
        result = subprocess.run(argv, capture_output=True, text=True, cwd=tree.cwd, env=child_env(venv))
        if result.returncode in (0, 1):
            paths = [(tree.cwd / line.strip()).resolve() for line in result.stdout.splitlines() if line.strip()]
            missing = [p for p in paths if not p.is_file()]
            if missing:
                say(f"warning: `mongolint --list-parsed` named {len(missing)} paths that do not exist; "
                    "using the approximation")
                paths = None
            else:
                tree.parsed_source = "`mongolint --list-parsed`"
        else:
            say(f"warning: `mongolint --list-parsed` exited {result.returncode}; using the approximation")
    if paths is None:
        paths = [p for p in python_files(tree.path) if APPROX_PREFILTER.search(p.read_bytes())]
        tree.parsed_source = f"approximation: files naming {'/'.join(APPROX_WORDS)}"
    tree.parsed_list = workdir / "lists" / f"{tree.name}.parsed.txt"
    tree.parsed_list.parent.mkdir(parents=True, exist_ok=True)
    tree.parsed_list.write_text("".join(f"{p}\n" for p in paths), encoding="utf-8")
    tree.parsed_count = len(paths)
    lists = tree.parsed_list.parent
    tree.one_file = tree.path / ONE_FILE[tree.name]
    tree.one_file_twice = lists / f"{tree.name}.one-file-twice.txt"
    tree.one_file_twice.write_text(f"{tree.one_file}\n{tree.one_file}\n", encoding="utf-8")
    tree.no_files = lists / "no-files.txt"
    tree.no_files.write_text("", encoding="utf-8")
    tree.index_on, tree.index_off = lists / "index-on.toml", lists / "index-off.toml"
    tree.index_on.write_text("[tool.mongolint]\n", encoding="utf-8")
    tree.index_off.write_text("[tool.mongolint]\nproject-index = false\n", encoding="utf-8")


# --------------------------------------------------------------------------
# The tools


@dataclass
class Context:
    venv: Path            # everything, mongolint included
    flake8_venv: Path     # flake8 + bugbear only
    mongolint: Mongolint
    workdir: Path
    cold_flags: list = field(default_factory=list)   # ["--no-cache"] if its cache can't be found
    cache_note: str = ""
    plugin_problem: str = ""
    warm: set = field(default_factory=set)            # trees whose results mongolint has cached

    def missing(self, need: str) -> str:
        """Why a tool that needs this cannot run, or "" when it can."""
        if need in ("mongolint", "flake8-plugin") and not self.mongolint.available:
            return f"mongolint: {self.mongolint.problem}"
        if need == "flake8-plugin" and self.plugin_problem:
            return f"flake8 plugin: {self.plugin_problem}"
        return ""


@dataclass
class Tool:
    key: str
    label: str
    argv: Callable[[Context, Tree], list]
    venv: str = "main"                 # "main" or "flake8"
    ok_codes: tuple = (0, 1)
    needs: str = ""                    # "", "mongolint" or "flake8-plugin"
    cache: str = ""                    # "", "cold" or "warm": mongolint's cache before the run


def bin_of(ctx: Context, name: str) -> str:
    return str(ctx.venv / "bin" / name)


def cache_dir(ctx: Context, tree: Tree) -> Path:
    return ctx.workdir / "cache" / tree.name


def mongolint_argv(ctx: Context, tree: Tree, *extra: str) -> list:
    argv = [str(ctx.mongolint.exe), *ctx.mongolint.subcommand, *extra]
    if "--cache-dir" in ctx.mongolint.flags:
        argv += ["--cache-dir", str(cache_dir(ctx, tree))]
    return argv + [str(tree.path)]


TOOLS = [
    Tool("ast", "`ast.parse`, all files (floor)",
         lambda c, t: [c.venv / "bin" / "python", FLOOR_SCRIPT, "ast", t.path], ok_codes=(0,)),
    Tool("libcst", "`libcst.parse_module`, all files (floor)",
         lambda c, t: [c.venv / "bin" / "python", FLOOR_SCRIPT, "libcst", t.path], ok_codes=(0,)),
    Tool("libcst-parsed", "`libcst.parse_module`, files mongolint parses (floor)",
         lambda c, t: [c.venv / "bin" / "python", FLOOR_SCRIPT, "libcst", "--files", t.parsed_list],
         ok_codes=(0,)),
    Tool("ruff", "`ruff check --no-cache`",
         lambda c, t: [bin_of(c, "ruff"), "check", "--no-cache", t.path]),
    Tool("flake8", "`flake8` + bugbear",
         lambda c, t: [c.flake8_venv / "bin" / "flake8", t.path], venv="flake8"),
    Tool("flake8-mongolint", "`flake8` + bugbear + mongolint plugin",
         lambda c, t: [bin_of(c, "flake8"), t.path], needs="flake8-plugin", cache="cold"),
    Tool("mongolint-cold-j1", "`mongolint --jobs 1`, cold",
         lambda c, t: mongolint_argv(c, t, "--jobs", "1", *c.cold_flags), needs="mongolint",
         cache="cold"),
    Tool("mongolint-cold", "`mongolint`, cold",
         lambda c, t: mongolint_argv(c, t, *c.cold_flags), needs="mongolint", cache="cold"),
    Tool("mongolint-warm", "`mongolint`, warm cache",
         lambda c, t: mongolint_argv(c, t), needs="mongolint", cache="warm"),
    # The project index's cost: the same cold run (no cache, one process) with it on and off.
    Tool("mongolint-index", "`mongolint --jobs 1 --no-cache`, project index on",
         lambda c, t: index_argv(c, t, t.index_on, t.path), needs="mongolint"),
    Tool("mongolint-noindex", "`mongolint --jobs 1 --no-cache`, `project-index = false`",
         lambda c, t: index_argv(c, t, t.index_off, t.path), needs="mongolint"),
    Tool("mongolint-one-file", "`mongolint --jobs 1 --no-cache ONE_FILE`, index on",
         lambda c, t: index_argv(c, t, t.index_on, t.one_file), needs="mongolint"),
    Tool("mongolint-one-file-noindex", "`mongolint --jobs 1 --no-cache ONE_FILE`, index off",
         lambda c, t: index_argv(c, t, t.index_off, t.one_file), needs="mongolint"),
    Tool("libcst-one-file-twice", "`libcst.parse_module` of ONE_FILE, twice (floor)",
         lambda c, t: [c.venv / "bin" / "python", FLOOR_SCRIPT, "libcst", "--files", t.one_file_twice],
         ok_codes=(0,)),
    Tool("libcst-start-up", "`parse_floor.py libcst` of no file (its start-up)",
         lambda c, t: [c.venv / "bin" / "python", FLOOR_SCRIPT, "libcst", "--files", t.no_files],
         ok_codes=(0,)),
    Tool("fixit", "`fixit lint`",
         lambda c, t: [bin_of(c, "fixit"), "lint", t.path], ok_codes=(0, 1, 2)),
]
TOOLS_BY_KEY = {tool.key: tool for tool in TOOLS}


def index_argv(ctx: Context, tree: Tree, configuration: Path, target: Path) -> list:
    return [str(ctx.mongolint.exe), *ctx.mongolint.subcommand, "--jobs", "1", "--no-cache",
            "--config", str(configuration), str(target)]
# Untimed: fills the cache before a warm run that no cached run preceded.
WARMUP = Tool("mongolint-warmup", "`mongolint` (warm-up)", lambda c, t: mongolint_argv(c, t),
              needs="mongolint")


# --------------------------------------------------------------------------
# mongolint's cache: where it is, emptying it, filling it


def cache_locations(ctx: Context, tree: Tree) -> list[Path]:
    """Every mongolint cache that could hold this tree: the --cache-dir we
    pass, or else a .mongolint_cache anywhere in the scratch folder."""
    if "--cache-dir" in ctx.mongolint.flags:
        return [p for p in [cache_dir(ctx, tree)] if p.exists()]
    return list(ctx.workdir.rglob(CACHE_DIR_NAME))


def empty_cache(ctx: Context, tree: Tree) -> None:
    for path in cache_locations(ctx, tree):
        shutil.rmtree(path)
    if "--cache-dir" in ctx.mongolint.flags:
        ctx.warm.discard(tree.name)
    else:                       # the sweep emptied every tree's cache
        ctx.warm.clear()


def warm_cache(ctx: Context, tree: Tree) -> None:
    """An untimed run, only when no cached run on this tree came since its
    cache was last emptied."""
    if tree.name not in ctx.warm:
        measure(ctx, tree, WARMUP, timeout=DEFAULT_TIMEOUT)


def locate_cache(ctx: Context, tree: Tree) -> None:
    """Find out where mongolint keeps its cache, so cold runs can empty it.
    If it is nowhere we can see, cold runs use --no-cache instead."""
    if "--cache-dir" in ctx.mongolint.flags:
        ctx.cache_note = "each tree gets its own `--cache-dir`, deleted before a cold run"
        return
    empty_cache(ctx, tree)
    measure(ctx, tree, WARMUP, timeout=DEFAULT_TIMEOUT)
    where = [str(p.relative_to(ctx.workdir)).replace(tree.name, "TREE")
             for p in cache_locations(ctx, tree)]
    if where:
        ctx.cache_note = (f"the cache landed in `{', '.join(where)}` under the scratch folder "
                          "(`cwd/TREE` is the folder each tool runs in) and is deleted before "
                          "every cold run")
        return
    if "--no-cache" in ctx.mongolint.flags:
        ctx.cold_flags = ["--no-cache"]
        ctx.cache_note = ("no `--cache-dir`, and a run left no `.mongolint_cache` in the scratch "
                          "folder: cold runs use `--no-cache`")
    else:
        ctx.cache_note = ("this mongolint has no cache (no `--no-cache` flag, no `.mongolint_cache` "
                          "written): every run is cold, the warm ones included")
    say(f"warning: {ctx.cache_note}")


# --------------------------------------------------------------------------
# Measuring one process


@dataclass
class Sample:
    wall: float       # seconds, time.perf_counter around fork and reap (in measure.py)
    cpu: float        # user + system seconds of the process and the workers it reaped
    maxrss_kib: int   # peak RSS of the largest single process in its tree
    returncode: int
    out_lines: int
    ok: bool          # an exit code the tool uses for success or findings (exit 1 must print some)


def kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def timed_process(argv: list[str], cwd: Path, env: dict, out, err, result: Path, timeout: float):
    """Run argv through measure.py and return (wall seconds, CPU seconds, peak
    RSS in KiB, exit code).  The launcher and the command share a new process
    group, killed after timeout seconds."""
    result.unlink(missing_ok=True)
    launcher = [sys.executable, "-I", "-S", str(MEASURE_SCRIPT), str(result)]
    proc = subprocess.Popen(launcher + argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL, cwd=cwd,
                            env=env, start_new_session=True)
    timer = threading.Timer(timeout, kill_group, (proc.pid,))
    timer.start()
    proc.wait()
    timer.cancel()
    try:
        data = json.loads(result.read_text(encoding="utf-8"))
    except (OSError, ValueError):   # killed, or the launcher itself failed
        return 0.0, 0.0, 0, proc.returncode if proc.returncode else -1
    return data["wall"], data["cpu"], data["maxrss_kib"], data["returncode"]


def measure(ctx: Context, tree: Tree, tool: Tool, timeout: float) -> Sample:
    venv = ctx.flake8_venv if tool.venv == "flake8" else ctx.venv
    argv = [str(a) for a in tool.argv(ctx, tree)]
    env = child_env(venv)
    logs = ctx.workdir / "logs"
    logs.mkdir(exist_ok=True)
    out_path, err_path = logs / f"{tree.name}.{tool.key}.out", logs / f"{tree.name}.{tool.key}.err"
    result = logs / f"{tree.name}.{tool.key}.json"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        wall, cpu, maxrss_kib, code = timed_process(argv, tree.cwd, env, out, err, result, timeout)
    with open(out_path, "rb") as handle:
        out_lines = sum(1 for _ in handle)
    # Exit 1 means "findings" to every tool here, so it must come with output.
    ok = code in tool.ok_codes and not (code == 1 and out_lines == 0)
    if not ok:
        tail = err_path.read_text(errors="replace").strip().splitlines()[-10:]
        say(f"  {tree.name} {tool.key}: exit {code}, {out_lines} lines of output; stderr ends:\n    "
            + "\n    ".join(tail))
    elif tool.key.startswith("mongolint-") and "--no-cache" not in argv:
        ctx.warm.add(tree.name)          # a cached run has filled the cache
    return Sample(wall, cpu, maxrss_kib, code, out_lines, ok)


def run_once(ctx: Context, tree: Tree, tool: Tool, timeout: float) -> Sample:
    if tool.cache == "cold":
        empty_cache(ctx, tree)
    elif tool.cache == "warm":
        warm_cache(ctx, tree)
    return measure(ctx, tree, tool, timeout)


def run_benchmark(ctx: Context, trees: list[Tree], tools: list[Tool], repeat: int,
                  timeout: float) -> dict:
    """for rep: for tree: for tool: run once.  Interleaving spreads any drift
    of the machine (other load, CPU frequency, page cache) over all tools; the
    tools run in reverse order every other repetition, so that a machine that
    speeds up or slows down through the run does not favour the tools that come
    later (the index on / off pair is compared within each repetition)."""
    samples: dict = {(tree.name, tool.key): [] for tree in trees for tool in tools}
    for rep in range(1, repeat + 1):
        for tree in trees:
            for tool in (tools if rep % 2 else tools[::-1]):
                sample = run_once(ctx, tree, tool, timeout)
                samples[tree.name, tool.key].append(sample)
                say(f"rep {rep}/{repeat}  {tree.name:<12} {tool.key:<18} {sample.wall:8.3f} s "
                    f"{mib(sample.maxrss_kib):7.1f} MiB  exit {sample.returncode}")
    return samples


# --------------------------------------------------------------------------
# Summaries and targets


@dataclass
class Summary:
    median: float
    low: float
    high: float
    cpu: float
    maxrss_mib: float
    out_lines: int
    failures: int
    runs: int


def summarize(runs: list[Sample]) -> Summary | None:
    good = [s for s in runs if s.ok]
    if not good:
        return None
    walls = [s.wall for s in good]
    return Summary(statistics.median(walls), min(walls), max(walls),
                   statistics.median(s.cpu for s in good), mib(max(s.maxrss_kib for s in good)),
                   good[-1].out_lines, len(runs) - len(good), len(runs))


@dataclass
class Target:
    text: str
    measured: str
    limit: str
    verdict: str      # PASS, MISS or n/a
    detail: str = ""


def verdict(value: float, limit: float, at_most: bool) -> tuple[str, str]:
    ok = value <= limit if at_most else value >= limit
    if ok:
        return "PASS", ""
    off = (value / limit - 1) if at_most else (1 - value / limit)
    return "MISS", f"{off * 100:.{0 if off >= 0.1 else 1}f}% {'over' if at_most else 'short of'} the limit"


def median_of(summaries: dict, tree: str, key: str) -> float | None:
    summary = summaries.get((tree, key))
    return summary.median if summary else None


def ratio_target(summaries, text, tree, numerator, denominator, limit, at_most,
                 fmt="{:.2f}×") -> Target:
    top, bottom = median_of(summaries, tree, numerator), median_of(summaries, tree, denominator)
    if top is None or bottom is None:
        return Target(text, "not measured", fmt.format(limit), "n/a")
    value = top / bottom
    result, detail = verdict(value, limit, at_most)
    # CPU seconds say the same thing less noisily when the machine is busy.
    cpu = summaries[tree, numerator].cpu / max(summaries[tree, denominator].cpu, 1e-9)
    return Target(text, f"{fmt.format(value)} ({top:.2f} s / {bottom:.2f} s; CPU {fmt.format(cpu)})",
                  fmt.format(limit), result, detail)


def difference_target(summaries, text, tree, cost: tuple, budget: tuple, limit: float) -> Target:
    """(cost[0] - cost[1]) / (budget[0] - budget[1]): start-up cancels out of both."""
    values = [median_of(summaries, tree, key) for key in cost + budget]
    if any(v is None for v in values):
        return Target(text, "not measured", f"{limit:.2f}×", "n/a")
    extra, allowed = values[0] - values[1], values[2] - values[3]
    value = extra / max(allowed, 1e-9)
    result, detail = verdict(value, limit, True)
    return Target(text, f"{value:.2f}× ({extra * 1000:+.0f} ms / {allowed * 1000:.0f} ms)", f"{limit:.2f}×",
                  result, detail)


def targets(summaries: dict, trees: list[Tree]) -> list[Target]:
    names = [tree.name for tree in trees]
    found = []
    if "django" in names:
        found.append(ratio_target(summaries, "django: cold `mongolint` / `ruff check --no-cache`",
                                  "django", "mongolint-cold", "ruff", 1.0, True))
    for name in (n for n in MONGO_TREES if n in names):
        found.append(ratio_target(
            summaries, f"{name}: cold `mongolint --jobs 1` / `libcst.parse_module` of the files it parses",
            name, "mongolint-cold-j1", "libcst-parsed", 1.5, True))
    for name in (n for n in MONGO_TREES if n in names):
        found.append(ratio_target(summaries, f"{name}: `fixit lint` / cold `mongolint` (defaults)",
                                  name, "fixit", "mongolint-cold", 10.0, False))
    for name in names:
        found.append(ratio_target(
            summaries, f"{name}: cold `mongolint --jobs 1`, project index on / off", name,
            "mongolint-index", "mongolint-noindex", 1.15, True))
    for name in names:
        found.append(difference_target(
            summaries, f"{name}: one file ({ONE_FILE[name]}): what the index adds / two LibCST parses of it",
            name, ("mongolint-one-file", "mongolint-one-file-noindex"),
            ("libcst-one-file-twice", "libcst-start-up"), 1.0))
    warm = [summaries.get((n, "mongolint-warm")) for n in TREES]
    if all(w is not None for w in warm):
        total = sum(w.median for w in warm)
        result, detail = verdict(total, 0.5, True)
        found.append(Target("all five trees: warm `mongolint` re-runs, total",
                            f"{total:.2f} s (CPU {sum(w.cpu for w in warm):.2f} s)", "0.50 s",
                            result, detail))
    else:
        found.append(Target("all five trees: warm `mongolint` re-runs, total",
                            "needs all five trees and `mongolint-warm`", "0.50 s", "n/a"))
    if "django" in names:
        found.append(ratio_target(summaries, "django: `flake8` + bugbear, with / without the mongolint plugin",
                                  "django", "flake8-mongolint", "flake8", 1.10, True))
    return found


# --------------------------------------------------------------------------
# The report


def python_version(python: Path) -> str:
    code = "import platform; print(platform.python_implementation(), platform.python_version())"
    return subprocess.run([str(python), "-c", code], capture_output=True, text=True).stdout.strip()


def load_average() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def machine(python: Path, loads: tuple[str, str]) -> list[str]:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "?"
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kib / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return [
        f"- CPU: {cpu}; cores (nproc): {len(os.sched_getaffinity(0))}; memory: {memory}",
        f"- OS: {platform.system()} {platform.release()}",
        f"- Python (the benchmark venv's): {python_version(python)}",
        f"- Load average (1 / 5 / 15 min) before the measurements: {loads[0]}; after: {loads[1]}",
    ]


def table(header: list[str], rows: list[list[str]], align: str) -> list[str]:
    """A markdown table; align has one letter per column, l or r."""
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join("---:" if a == "r" else "---" for a in align) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def results_table(trees: list[Tree], tools: list[Tool], summaries: dict, samples: dict) -> list[str]:
    rows = []
    for tree in trees:
        for tool in tools:
            s = summaries.get((tree.name, tool.key))
            if s is None:
                codes = ", ".join(str(x.returncode) for x in samples[tree.name, tool.key])
                rows.append([tree.name, tool.label, f"failed (exit {codes})", "", "", "", ""])
                continue
            note = f" ({s.failures} of {s.runs} runs failed)" if s.failures else ""
            rows.append([tree.name, tool.label + note, f"{s.median:.3f}", f"{s.low:.3f}–{s.high:.3f}",
                         f"{s.cpu:.2f}", f"{s.maxrss_mib:.0f}", str(s.out_lines)])
    return table(["tree", "tool", "median wall (s)", "min–max (s)", "CPU (s)", "peak RSS (MiB)",
                  "output lines"], rows, "llrrrrr")


def trees_table(trees: list[Tree]) -> list[str]:
    rows = [[t.name, str(t.files), f"{t.lines:,}",
             "—" if t.parsed_count is None else str(t.parsed_count), t.parsed_source or "—"]
            for t in trees]
    return table(["tree", ".py/.pyi files", "lines", "files mongolint parses", "how we know"], rows,
                 "lrrrl")


def targets_table(found: list[Target]) -> list[str]:
    rows = [[t.text, t.measured, t.limit, f"**{t.verdict}**" + (f" ({t.detail})" if t.detail else "")]
            for t in found]
    return table(["target", "measured", "limit", "verdict"], rows, "lrrl")


def report(args, ctx: Context, trees, tools, samples, summaries, found, freeze, skipped) -> str:
    lines = [
        "# Performance",
        "",
        "Generated by `benchmarks/run.py`; do not edit by hand (hand-written notes go in",
        "`benchmarks/notes.md` and are copied in at the end).",
        "",
        "Reproduce from the repository root with:",
        "",
        "```",
        shlex.join(["python", "benchmarks/run.py", *args.argv]),
        "```",
        "",
        f"Run on {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, "
        f"{args.repeat} interleaved repetition{'s' if args.repeat != 1 else ''} "
        "(for each repetition, for each tree, each tool once; every other repetition in reverse order).",
        "",
        "## Machine",
        "",
        *machine(ctx.venv / "bin" / "python", args.loads),
        "",
        "## Versions",
        "",
        f"- mongolint: {ctx.mongolint.version} (commit {git_describe(args.mongolint_source)})"
        + (f" — **not measured**: {ctx.mongolint.problem}" if not ctx.mongolint.available else ""),
        *[f"- {name}: {version}" for name, version in PINS.items()],
        "",
        "## Trees",
        "",
        *trees_table(trees),
        "",
        "## Targets",
        "",
        *targets_table(found),
        "",
        "## Results",
        "",
        "Medians over the repetitions. Wall time is measured around each process",
        "(start-up included); CPU is user + system time of the process and its",
        "workers; peak RSS is that of the largest single process (`ru_maxrss`",
        "from `wait4`), not the sum over a tool's workers. Output lines: what the",
        "tool printed in the last run (findings, or a summary line).",
        "",
        *results_table(trees, tools, summaries, samples),
        "",
    ]
    if skipped:
        lines += ["Not measured: " + ", ".join(f"`{key}` ({why})" for key, why in skipped), ""]
    lines += [
        "## How it is measured",
        "",
        "- Every package is installed from the package index at the versions above into",
        "  a scratch virtual environment; its installed folder is copied into a scratch",
        "  directory outside any project, so that no tool reads this repository's",
        "  configuration or skips the files as part of a virtual environment.",
        "- `flake8` without the plugin runs from a second virtual environment that has",
        "  only flake8 and flake8-bugbear: flake8 runs every installed plugin and filters",
        "  the codes afterwards, so `--extend-ignore` would not remove the plugin's cost.",
        "- Cold `mongolint` runs start with its cache deleted (and fill it); the warm run",
        "  follows a cached run on the same tree. Where the cache is:",
        f"  {ctx.cache_note or 'not measured'}.",
        "- Each tool otherwise uses its own defaults (`mongolint`, `flake8` and `fixit`",
        "  use all cores).",
        "- The floors are `benchmarks/parse_floor.py` in the same venv: one process that",
        "  reads each file as bytes and parses it, nothing more.",
        "",
    ]
    if NOTES.exists():
        lines += ["## Notes", "", NOTES.read_text(encoding="utf-8").strip(), ""]
    lines += ["<details><summary>Everything installed in the benchmark venv</summary>", "", "```",
              *freeze, "```", "", "</details>", ""]
    return "\n".join(lines)


# --------------------------------------------------------------------------
# Command line


def csv_choice(allowed):
    def parse(text: str) -> list[str]:
        chosen = [item.strip() for item in text.split(",") if item.strip()]
        unknown = [item for item in chosen if item not in allowed]
        if unknown or not chosen:
            raise argparse.ArgumentTypeError(
                f"unknown: {', '.join(unknown) or '(empty)'}; choose from {', '.join(allowed)}")
        return chosen
    return parse


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Every option's default is the full benchmark that writes docs/performance.md.")
    parser.add_argument("--repeat", type=int, default=5, metavar="N",
                        help="interleaved repetitions (default: 5)")
    parser.add_argument("--trees", type=csv_choice(TREES), default=",".join(TREES),
                        help=f"comma-separated subset of: {','.join(TREES)}")
    parser.add_argument("--tools", type=csv_choice(list(TOOLS_BY_KEY)), default=",".join(TOOLS_BY_KEY),
                        help=f"comma-separated subset of: {', '.join(TOOLS_BY_KEY)}")
    parser.add_argument("--output", type=Path, default=REPO / "docs" / "performance.md",
                        help="where to write the markdown report (default: docs/performance.md)")
    parser.add_argument("--venv", type=Path, default=HERE / ".venv",
                        help="the scratch venv; a second one, VENV-flake8, holds flake8 without "
                             "mongolint (default: benchmarks/.venv)")
    parser.add_argument("--mongolint-source", type=Path, default=REPO, metavar="PATH",
                        help="the mongolint project to pip-install (default: this repository)")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="scratch folder for the copied trees, logs and caches, kept "
                             "afterwards (default: a new temporary folder, removed afterwards)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                        help=f"kill one measured process after this long (default: {DEFAULT_TIMEOUT:.0f})")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    args.argv = argv
    return args


def install(args) -> tuple[Context, Path]:
    venv = args.venv.resolve()
    flake8_venv = venv.with_name(venv.name + "-flake8")
    problem = ""
    try:
        python = ensure_venv(venv, PINS, extra=[str(args.mongolint_source.resolve())])
    except SystemExit as error:  # the linter may not build yet: measure the others
        problem = f"could not install it: {str(error).splitlines()[-1]}"
        say(f"warning: mongolint {problem}\n{error}")
        python = ensure_venv(venv, PINS)
    ensure_venv(flake8_venv, FLAKE8_PINS)
    mongolint = probe_mongolint(venv, problem)
    ctx = Context(venv, flake8_venv, mongolint, Path())
    if mongolint.available:
        ctx.plugin_problem = probe_flake8_plugin(venv)
    for problem in dict.fromkeys(ctx.missing(need) for need in ("mongolint", "flake8-plugin")):
        if problem:
            say(f"warning: not measured: {problem}")
    return ctx, python


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    ctx, python = install(args)
    tools = [tool for tool in TOOLS if tool.key in args.tools]   # always in the same order
    skipped = [(t.key, ctx.missing(t.needs)) for t in tools if ctx.missing(t.needs)]
    tools = [t for t in tools if not ctx.missing(t.needs)]

    temporary = args.workdir is None
    ctx.workdir = Path(tempfile.mkdtemp(prefix="mongolint-bench-")) if temporary else args.workdir.resolve()
    ctx.workdir.mkdir(parents=True, exist_ok=True)
    if REPO in ctx.workdir.parents:
        say(f"warning: {ctx.workdir} is inside this repository: the tools may read its "
            "pyproject.toml and .gitignore; a folder outside it is better")
    try:
        site = site_packages(python)
        trees = [copy_tree(site, name, ctx.workdir) for name in args.trees]
        for tree in trees:
            list_parsed_files(tree, ctx.mongolint, ctx.venv, ctx.workdir)
        if any(t.needs for t in tools):
            locate_cache(ctx, trees[0])
        before = load_average()
        if os.getloadavg()[0] > 0.5:
            say(f"warning: the machine is busy (load average {before}); timings will be noisy")
        samples = run_benchmark(ctx, trees, tools, args.repeat, args.timeout)
        args.loads = (before, load_average())
    finally:
        if temporary:
            shutil.rmtree(ctx.workdir, ignore_errors=True)

    summaries = {key: summarize(runs) for key, runs in samples.items()}
    summaries = {key: s for key, s in summaries.items() if s is not None}
    found = targets(summaries, trees)
    text = report(args, ctx, trees, tools, samples, summaries, found, pip_freeze(python), skipped)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(text.split("## How it is measured")[0].rstrip())
    say(f"\nwrote {args.output}")
    failed = len(samples) - len(summaries)
    return 1 if failed or skipped else 0


if __name__ == "__main__":
    sys.exit(main())
