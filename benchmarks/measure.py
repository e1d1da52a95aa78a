"""Run one command; write its wall time, CPU time, peak RSS and exit code as JSON.

    python -I -S measure.py RESULT.json COMMAND [ARG ...]

run.py starts every measured command through this small process instead of
spawning it itself, because of how Linux counts peak memory: when a process
execs, the peak RSS of the memory it had before (the copy of its parent, made
by fork) is added to its own record, so a command spawned by run.py would
never show a peak below run.py's own size.  This launcher is a bare
interpreter (-I -S, nothing imported before the fork) of about 10 MiB, less
than any tool measured here.  Timing is done here too, around fork and reap,
so the launcher's own start-up is not counted.
"""

import os
import sys
import time


def main() -> int:
    result_path, argv = sys.argv[1], sys.argv[2:]
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        try:
            os.execvp(argv[0], argv)
        except OSError as error:
            os.write(2, f"measure.py: cannot run {argv[0]}: {error}\n".encode())
        os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start

    import json

    result = {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,  # includes the workers the command reaped
        "maxrss_kib": usage.ru_maxrss,  # its largest single process, not a sum
        "returncode": os.waitstatus_to_exitcode(status),
    }
    with open(result_path, "w", encoding="utf-8") as handle:
        json.dump(result, handle)
    return 0


if __name__ == "__main__":
    sys.exit(main())
