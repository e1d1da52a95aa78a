"""The project index's cost counted in instructions: `mongolint --jobs 1
--no-cache` with the index on and off, under valgrind's callgrind.

    python benchmarks/instructions.py --workdir W [--trees mongoengine,beanie]

W is a work directory `run.py --workdir W` has prepared (its trees and lists);
mongolint is the benchmark venv's, which run.py installed from this repository.
Wall time on a shared or virtual machine drifts between runs by more than the
15% budget; an instruction count does not, so this is the tie-breaker when
`run.py`'s index ratio is near its limit. It is slow (callgrind runs the program
about 50 times slower) and needs valgrind.

Counting: every process's instructions are summed. callgrind hands a forked
child the counters its parent had at the fork, so the worker's file would
repeat the parent's start-up, discovery and pre-filter; `--dump-before=fork`
writes the parent's counts out (and zeroes them) just before each fork, so
each instruction is in exactly one dump. The hash seed is fixed: the order a
set is walked in changes which question the index answers first, and so the
count, by a percent or two from one run to the next.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

INDEX_TREES = ("django", "pymongo", "motor", "mongoengine", "beanie")
LIMIT = 1.15


def count(argv: list, cwd: Path) -> int:
    """The instructions all processes of `argv` executed (every dump, summed)."""
    with tempfile.TemporaryDirectory() as scratch:
        completed = subprocess.run(
            ["valgrind", "--tool=callgrind", "--trace-children=yes", "--dump-before=fork",
             f"--callgrind-out-file={scratch}/callgrind.%p", *argv],
            cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False,
            env={**os.environ, "PYTHONHASHSEED": "0"})
        if completed.returncode not in (0, 1):  # 1: findings; anything else did not run to the end
            raise SystemExit(f"{' '.join(argv)} exited {completed.returncode}:\n{completed.stderr[-2000:]}")
        total = 0
        for dump in Path(scratch).glob("callgrind.*"):
            for line in dump.read_text(errors="replace").splitlines():
                if line.startswith("summary:"):
                    total += int(line.split()[1])
        return total


def main(argv: list | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, required=True, help="a work directory run.py prepared")
    parser.add_argument("--trees", default=",".join(INDEX_TREES))
    parser.add_argument("--mongolint", type=Path, default=Path(__file__).parent / ".venv" / "bin" / "mongolint",
                        help="the mongolint to count (default: the benchmark venv's)")
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        print("valgrind is not installed", file=sys.stderr)
        return 2
    mongolint = args.mongolint
    lists = args.workdir / "lists"
    print("| tree | index on (billion) | index off (billion) | on / off | limit |")
    print("|---|---:|---:|---:|---:|")
    over = False
    for tree in args.trees.split(","):
        cwd = args.workdir / "cwd" / tree
        # Under callgrind a large file takes minutes: the default 60 s `file-timeout`
        # would leave it unchecked, and its instructions out of the count.
        counts = [count([str(mongolint), "--jobs", "1", "--no-cache", "--config", str(lists / f"index-{state}.toml"),
                         "--config", "file-timeout = 0", str(args.workdir / "trees" / tree)],
                        cwd if cwd.is_dir() else args.workdir)
                  for state in ("on", "off")]
        ratio = counts[0] / max(counts[1], 1)
        over |= ratio > LIMIT
        print(f"| {tree} | {counts[0] / 1e9:.3f} | {counts[1] / 1e9:.3f} | {ratio:.3f}× | {LIMIT:.2f}× |")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
