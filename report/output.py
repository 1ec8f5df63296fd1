"""Where the report goes: a file we may replace, a directory to write into, or a stream.

Only regular files are replaced (atomically). A device or a pipe (`-o /dev/stdout`, a named
FIFO with a reader) is written into as it is and never replaced, and nothing is created beside
it: `results.csv` then stays in the sweep directory. Errors name the path the user gave.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import NamedTuple

from report.jobfiles import write_atomically

REPORT_NAME = "report.html"


class Destination(NamedTuple):
    path: Path  # where the HTML goes
    stream: bool  # a device or a pipe: written into, never replaced


def destination(output: Path | str | None, default_dir: Path, name: str = REPORT_NAME) -> Destination:
    """The page's destination for `-o output` (default: `name` in `default_dir`); an existing
    directory means `name` inside it. Raises OSError naming `output` when it cannot be one."""
    if output is None:
        return Destination(default_dir / name, False)
    path = Path(output)
    if str(output) == "":
        raise OSError(0, "an empty path; give a file or a directory", "''")
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return Destination(path, False)
    if stat.S_ISDIR(mode):
        return Destination(path / name, False)
    if stat.S_ISREG(mode):
        return Destination(path, False)
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return Destination(path, True)
    raise OSError(0, "not a regular file, a directory, a device or a pipe", str(path))


def write_to(target: Destination, content: str) -> None:
    """Write `content` to the destination: atomically into a file (its directory created), or
    straight into a stream. A FIFO without a reader is refused instead of blocking forever."""
    data = content.encode("utf-8", errors="replace")  # a lone surrogate from a run becomes "?"
    if not target.stream:
        target.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(target.path, data)
        return
    try:
        handle = os.open(target.path, os.O_WRONLY | os.O_NONBLOCK)
    except OSError as error:
        reason = "a pipe with no reader" if error.errno == 6 else error.strerror  # ENXIO
        raise OSError(error.errno, reason, str(target.path)) from None
    try:
        os.set_blocking(handle, True)
        view = memoryview(data)
        while view:
            view = view[os.write(handle, view):]
    except OSError as error:
        raise OSError(error.errno, error.strerror, str(target.path)) from None
    finally:
        os.close(handle)
