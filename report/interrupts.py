"""Hold a Ctrl-C back over code that an interrupt would leave broken, and raise it once that code
is done. Two places need it: importing the pipeline (omegaconf, imported by Hydra, cleans up a
half-built config in a `finally` that fails on it: the user saw an AttributeError's traceback
instead of "interrupted"), and forking (logging's fork callback swallows a KeyboardInterrupt)."""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Run the block with the first SIGINT noted rather than handled, and hand it to the handler
    after the block (a second is handled at once). Only the main thread may set handlers, and only a Python handler is swapped: where
    Ctrl-C is ignored, or C code owns it, it is left as it is."""
    previous = signal.getsignal(signal.SIGINT) if threading.current_thread() is threading.main_thread() else None
    if not callable(previous):
        yield
        return
    noted: list[int] = []

    def note(number: int, frame: object) -> None:
        noted.append(number)
        signal.signal(signal.SIGINT, previous)  # a second Ctrl-C is not held back: the block may hang

    signal.signal(signal.SIGINT, note)
    try:
        yield
    finally:  # also where the block raised: the user asked to stop, and that is what they see
        signal.signal(signal.SIGINT, previous)
        if noted:
            previous(signal.SIGINT, None)  # Python's own handler raises KeyboardInterrupt
