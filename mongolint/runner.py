"""Checking many files: reading them, one process per core when it pays."""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from typing import Callable, List, Optional, Sequence

from mongolint import discovery, engine, prefilter
from mongolint.engine import FileReport

# Below this many files a process pool costs more than it saves.
MIN_FILES_FOR_POOL = 8


def check_path(path: str, settings) -> FileReport:
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as error:
        return FileReport(path, error=f"cannot read: {error.strerror or error}")
    pattern = prefilter.build_pattern(settings.client_factories)
    module_name = discovery.module_name(path, settings.project_root)
    return engine.check_bytes(path, data, settings, module_name=module_name, pattern=pattern)


def fix_path(path: str, settings, *, unsafe: bool, diff_only: bool) -> FileReport:
    from mongolint import fixes

    module_name = discovery.module_name(path, settings.project_root)
    return fixes.fix_file(path, settings, unsafe=unsafe, diff_only=diff_only, module_name=module_name)


def check_paths(paths: Sequence[str], settings, jobs: Optional[int] = None,
                check: Callable[[str, object], FileReport] = check_path) -> List[FileReport]:
    """Reports in the order of `paths`, whatever the number of jobs."""
    jobs = jobs or os.cpu_count() or 1
    if jobs <= 1 or len(paths) < MIN_FILES_FOR_POOL:
        return [_guarded(check, path, settings) for path in paths]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(_guarded, check, path, settings) for path in paths]
        return [_result(future, path) for future, path in zip(futures, paths)]


def _guarded(check, path: str, settings) -> FileReport:
    try:
        return check(path, settings)
    except Exception as error:  # never lose the other files' results
        report = FileReport(path)
        report.internal_errors.append(f"internal error: {type(error).__name__}: {error}")
        return report


def _result(future, path: str) -> FileReport:
    try:
        return future.result()
    except Exception as error:  # the worker process died
        report = FileReport(path)
        report.internal_errors.append(f"internal error: worker failed: {type(error).__name__}: {error}")
        return report
