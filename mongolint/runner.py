"""Checking many files: in worker processes, one per core, each file under a time limit."""

from __future__ import annotations

import functools
import multiprocessing
import os
import signal
import sys
import tempfile
import time
from collections import deque
from multiprocessing import connection as mp_connection
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Union

from mongolint import discovery, limits, prefilter, project_files
from mongolint.cache import content_digest
from mongolint.findings import FileReport
from mongolint.source import DecodeError, decode

# Where workers cannot be forked, below this many files a pool costs more than it saves.
MIN_FILES_FOR_POOL = 8


def check_path(path: str, settings) -> FileReport:
    from mongolint import engine

    try:
        data = limits.read_file(path, settings.max_file_size)
    except OSError as error:
        return FileReport(path, error=f"cannot read: {error.strerror or error}")
    except limits.TooLarge as error:
        return FileReport(path, error=str(error))
    pattern = prefilter.build_pattern(settings.client_factories)
    module_name = discovery.module_name(path, settings.project_root)
    report = engine.check_bytes(path, data, settings, module_name=module_name, pattern=pattern,
                                project=project_files.view_for(path, settings))
    report.source_digest = content_digest(data)
    if settings.project_index:
        report.summaries = project_files.for_root(settings.project_root).take_new_summaries()
    return report


def check_data(path: str, data: bytes, settings) -> FileReport:
    """Code that is not in a file (stdin), in a worker under the same time and
    memory limits as a file; its imports resolve from where `path` says it is."""
    return _check_all([path], settings, 1, functools.partial(_check_bytes, data))[0]


def _check_bytes(data: bytes, path: str, settings) -> FileReport:
    from mongolint import engine

    pattern = prefilter.build_pattern(settings.client_factories)
    return engine.check_bytes(path, data, settings, pattern=pattern, project=project_files.view_for(path, settings))


def fix_path(path: str, settings, *, unsafe: bool, diff_only: bool) -> FileReport:
    from mongolint import engine, fixes

    module_name = discovery.module_name(path, settings.project_root)
    # On a big stack, as check_text does for each file it parses (see engine.run_deep).
    return engine.run_deep(functools.partial(fixes.fix_file, path, settings, unsafe=unsafe, diff_only=diff_only,
                                             module_name=module_name,
                                             project=project_files.view_for(path, settings)))


def check_paths(paths: Sequence[str], settings, jobs: Optional[int] = None,
                check: Callable[[str, object], FileReport] = check_path) -> List[FileReport]:
    """Reports in the order of `paths`, whatever the number of jobs.

    Files are checked in worker processes, one file at a time each, so that a
    file that takes longer than `settings.file_timeout` or kills its worker (a
    crash in native code) is reported as an internal error for that file alone
    while every other file is still checked."""
    paths = list(paths)
    if getattr(check, "func", check) in (check_path, fix_path):
        return _screened(paths, settings, jobs, check)
    return _check_all(paths, settings, jobs, check)


def _screened(paths: List[str], settings, jobs: Optional[int], check) -> List[FileReport]:
    """Files the pre-filter rules out are settled here, in this process, without
    LibCST or a worker; only the others are sent to be parsed."""
    settled = screen_all(paths, settings)
    todo = [path for path in paths if path not in settled]
    checked = dict(zip(todo, _check_all(todo, settings, jobs, check)))
    return [settled[path] if path in settled else checked[path] for path in paths]


def screen_all(paths: Sequence[str], settings) -> Dict[str, FileReport]:
    """The reports of the files that cannot be read, decoded, or have a finding,
    or are too large. A file that names no driver but imports a module of the
    project that exports driver objects is not among them: it must be parsed."""
    pattern = prefilter.build_pattern(settings.client_factories)
    settled: Dict[str, FileReport] = {}
    unnamed: Dict[str, Tuple[str, str]] = {}  # path -> (text, digest)
    named: List[str] = []
    for path in paths:
        screened = _screen(path, pattern, settings.max_file_size)
        if isinstance(screened, FileReport):
            settled[path] = screened
        elif screened is not None:
            unnamed[path] = screened
        else:
            named.append(path)
    if unnamed and settings.project_index:
        project = project_files.for_root(settings.project_root)
        texts = {path: text for path, (text, _) in unnamed.items()}
        for path, dependencies in project.settle_unnamed(texts, named).items():
            settled[path] = FileReport(path, dependencies=dependencies, source_digest=unnamed[path][1])
    else:
        settled.update((path, FileReport(path, source_digest=digest)) for path, (_, digest) in unnamed.items())
    return settled


def _screen(path: str, pattern, max_file_size: float = 0) -> Union[FileReport, Tuple[str, str], None]:
    """The report of a file that cannot be read or decoded, or is too large;
    (its text, its digest) when it names no driver; None when it must be parsed."""
    try:
        data = limits.read_file(path, max_file_size)
    except OSError as error:
        return FileReport(path, error=f"cannot read: {error.strerror or error}")
    except limits.TooLarge as error:
        return FileReport(path, error=str(error))
    try:
        text = decode(data).text
    except DecodeError as error:
        return FileReport(path, error=str(error), source_digest=content_digest(data))
    if prefilter.may_have_findings(text, pattern):
        return None
    return text, content_digest(data)


def _check_all(paths: List[str], settings, jobs: Optional[int], check) -> List[FileReport]:
    if not paths:
        return []
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(paths)))
    context = _fork_context()
    if context is None:  # a worker is a fresh interpreter here: worth it for many files only
        if jobs <= 1 or len(paths) < MIN_FILES_FOR_POOL:
            return [_guarded(check, path, settings) for path in paths]
        context = multiprocessing.get_context()
    if context.get_start_method() == "fork":
        # Imported once here, every forked worker inherits LibCST and the rules.
        from mongolint import engine, rules  # noqa: F401
    timeout = getattr(settings, "file_timeout", 0) or None
    return _Workers(context, jobs, check, settings, timeout).run(paths)


def _fork_context():
    """Forked workers start in milliseconds; not on macOS, where fork is unsafe."""
    if sys.platform == "darwin" or "fork" not in multiprocessing.get_all_start_methods():
        return None
    return multiprocessing.get_context("fork")


def _guarded(check, path: str, settings) -> FileReport:
    try:
        return check(path, settings)
    except MemoryError:
        return FileReport(path, error=limits.out_of_memory(getattr(settings, "memory_limit", 0)))
    except Exception as error:  # never lose the other files' results
        report = FileReport(path)
        report.internal_errors.append(f"internal error: {type(error).__name__}: {error}")
        return report


def _internal_error(path: str, message: str) -> FileReport:
    report = FileReport(path)
    report.internal_errors.append(f"internal error: {message}")
    return report


def _work(connection, check, settings, stderr) -> None:
    """A worker: check each path it is sent, send back the report. What native
    code prints as it dies goes to `stderr`, for the parent to read."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    if stderr is not None:
        from mongolint.engine import DEEP_STACK_SIZE

        os.dup2(stderr.fileno(), 2)
        limits.cap_memory(getattr(settings, "memory_limit", 0), DEEP_STACK_SIZE)
    while True:
        try:
            path = connection.recv()
        except (EOFError, OSError):
            return
        if path is None:
            return
        report = _guarded(check, path, settings)
        try:
            connection.send(report)
        except Exception as error:  # e.g. a report that does not pickle
            connection.send(_internal_error(path, f"cannot return the report: {type(error).__name__}: {error}"))


class _Worker:
    def __init__(self, context, check, settings) -> None:
        self.connection, child = context.Pipe()
        # Only a forked worker inherits the file; only there is its memory capped.
        self.stderr = tempfile.TemporaryFile() if context.get_start_method() == "fork" else None
        self.process = context.Process(target=_work, args=(child, check, settings, self.stderr), daemon=True)
        self.process.start()
        child.close()
        self.task: Optional[Tuple[int, str]] = None
        self.deadline = 0.0

    def give(self, index: int, path: str, timeout: Optional[float]) -> None:
        self.task = (index, path)
        self.deadline = time.monotonic() + timeout if timeout else float("inf")
        self.connection.send(path)

    def stop(self, force: bool = False) -> None:
        """Ask an idle worker to exit; kill a busy, late or stuck one."""
        if self.process.is_alive() and not force:
            try:
                self.connection.send(None)
            except OSError:
                pass
            self.process.join(1)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.connection.close()
        if self.stderr is not None:
            self.stderr.close()

    def ran_out_of_memory(self) -> bool:
        if self.stderr is None:
            return False
        try:
            self.stderr.seek(0)
            return limits.NATIVE_OUT_OF_MEMORY in self.stderr.read(64 * 1024)
        except (OSError, ValueError):
            return False


class _Workers:
    def __init__(self, context, jobs: int, check, settings, timeout: Optional[float]) -> None:
        self.context, self.jobs, self.check, self.settings, self.timeout = context, jobs, check, settings, timeout

    def run(self, paths: Sequence[str]) -> List[FileReport]:
        for stream in (sys.stdout, sys.stderr):  # a forked worker must not write them again
            try:
                stream.flush()
            except (AttributeError, OSError, ValueError):
                pass
        reports: Dict[int, FileReport] = {}
        waiting = deque(enumerate(paths))
        workers: List[_Worker] = []
        try:
            while waiting or any(w.task for w in workers):
                while waiting and len(workers) < self.jobs:
                    workers.append(_Worker(self.context, self.check, self.settings))
                for worker in workers:
                    if worker.task is None and waiting:
                        worker.give(*waiting.popleft(), self.timeout)
                busy = [w for w in workers if w.task is not None]
                wait_for = min(w.deadline for w in busy) - time.monotonic()
                mp_connection.wait([w.connection for w in busy] + [w.process.sentinel for w in busy],
                                   timeout=None if wait_for == float("inf") else max(0.0, wait_for))
                for worker in busy:
                    finished = self._collect(worker, reports)
                    if finished is False:  # the worker is gone: a fresh one takes its place
                        workers.remove(worker)
        finally:
            for worker in workers:  # busy ones only when interrupted (Ctrl-C)
                worker.stop(force=worker.task is not None)
        return [reports[index] for index in range(len(paths))]

    def _collect(self, worker: _Worker, reports: Dict[int, FileReport]) -> Optional[bool]:
        """True: a report came; None: still working; False: the worker was lost."""
        index, path = worker.task
        try:
            if worker.connection.poll():
                reports[index] = worker.connection.recv()
                worker.task = None
                return True
            lost = False
        except (EOFError, OSError):
            lost = True
        if lost or not worker.process.is_alive():
            worker.process.join(5)
            if worker.ran_out_of_memory():
                reports[index] = FileReport(path, error=limits.out_of_memory(getattr(self.settings, "memory_limit", 0)))
            else:
                reports[index] = _internal_error(path, f"the worker process died while checking this file "
                                                       f"({_exit_reason(worker.process.exitcode)})")
        elif time.monotonic() >= worker.deadline:
            reports[index] = _internal_error(path, limits.timed_out(self.timeout))
        else:
            return None
        worker.task = None
        worker.stop(force=True)
        return False


def _exit_reason(exitcode: Optional[int]) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exit status {exitcode}"
