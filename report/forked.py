"""Run some of a report's jobs in a forked copy of this process while this one runs the rest:
work that runs on one core (matplotlib's drawing; the posterior beside the importance's shares)
and does not depend on the other jobs. At 10,000 runs drawing took 1.6 s of the report's 4.7.

A fork, not a pool of fresh processes: the child starts with the analysis already in its memory
(nothing is pickled but the finished images), and never imports the user's `__main__` again.
Only on Linux with two cores or more: on macOS system libraries are not safe in a forked child,
Windows cannot fork, and on one core it would only add a copy. Whatever the child does not send
back (it crashed, was killed, or could not be started) is run here instead: the report never
depends on it.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
import sys
from multiprocessing.connection import Connection
from typing import Callable, Iterable, TypeVar

from report.interrupts import interrupts_deferred

Result = TypeVar("Result")
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameters (malloc.h)


def run_split(
    jobs: dict[str, Callable[[], Result]], aside: Iterable[str], done: Callable[[str], None] = lambda name: None
) -> dict[str, Result]:
    """Every job's result, in `jobs`' order; those named in `aside` run in a forked child where
    one can run. `done` is told each job's name as its result arrives."""
    wanted = set(aside)
    away = [name for name in jobs if name in wanted] if can_fork() else []
    child = None
    results: dict[str, Result] = {}
    try:
        child = _start(jobs, away) if away else None
        for name, job in jobs.items():
            if child is None or name not in away:
                results[name] = job()
                done(name)
    except BaseException:  # interrupted, or a job raised: the child's work is no longer wanted
        if child is not None:
            child[0].terminate()
            _receive(*child)
        raise
    if child is not None:
        for name, result in _receive(*child).items():
            results[name] = result
            done(name)
    for name in away:  # what the child did not deliver
        if name not in results:
            results[name] = jobs[name]()
            done(name)
    return {name: results[name] for name in jobs}


def can_fork() -> bool:
    """Whether `run_split` can run jobs in a forked copy: on Linux with two cores or more."""
    return sys.platform.startswith("linux") and len(os.sched_getaffinity(0)) > 1


def _start(jobs: dict[str, Callable[[], Result]], names: list[str]) -> tuple[multiprocessing.Process, Connection] | None:
    """The child running `names`, and the end of the pipe its results come through; None when no
    process can be started (out of processes or memory)."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_serve, args=({name: jobs[name] for name in names}, sender, receiver), daemon=True)
    # Ctrl-C reaches the whole process group: the child is born with SIGINT held back and then
    # ignores it, so that only this process is interrupted, and it stops the child (run_split).
    # One that arrives here is deferred until the fork is done and the child can be stopped.
    started = False
    try:
        with interrupts_deferred():
            held = signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGINT])
            try:
                gc.freeze()  # the child's collector then never walks (and copies) the objects it shares with us
                process.start()
                started = True
            except OSError:
                pass
            finally:
                gc.unfreeze()
                sender.close()  # the child holds its own copy: once it exits, the pipe reads as closed
                signal.pthread_sigmask(signal.SIG_SETMASK, held)
    except BaseException:  # interrupted: the child, if there is one, is no longer wanted
        if started:
            process.terminate()
            _receive(process, receiver)
        else:
            receiver.close()
        raise
    if not started:
        receiver.close()
        return None
    return process, receiver


def _serve(jobs: dict[str, Callable[[], Result]], sender: Connection, receiver: Connection) -> None:
    """In the child: run the jobs and send their results back in one message. Ctrl-C is left to
    the parent (see _start); left by a parent that no longer reads, it ends quietly (the child
    closes its copy of the reading end, so that the pipe breaks once the parent's is gone)."""
    receiver.close()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGINT])
    _keep_freed_memory()
    try:
        sender.send({name: job() for name, job in jobs.items()})
    except BrokenPipeError:
        raise SystemExit(1) from None
    sender.close()


def _keep_freed_memory() -> None:
    """Have glibc's malloc keep what is freed for reuse rather than hand it back to the system, in
    the child alone (it lives for one batch of jobs). A fresh child's heap is the parent's, shared
    copy-on-write: the posterior's kernel fit allocates and frees about 1 GB of few-MB arrays, and
    with the default thresholds each was mapped anew, 230,000 page faults that doubled its time
    (0.55 s to 1.0 s at 10,000 runs). Blocks over 4 MB (the posterior's draws) are still mapped
    and returned whole, so that the kept heap stays near what the child holds at once. No effect
    where the C library is not glibc."""
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):
        return
    mallopt(M_TRIM_THRESHOLD, 1 << 30)
    mallopt(M_MMAP_THRESHOLD, 1 << 22)


def _receive(process: multiprocessing.Process, receiver: Connection) -> dict[str, Result]:
    """The child's results; none if it ended without sending them."""
    try:
        return receiver.recv()
    except (EOFError, OSError):
        return {}
    except BaseException:  # interrupted while waiting: the child's work is no longer wanted
        process.terminate()
        raise
    finally:
        receiver.close()
        process.join()
