"""Write our own files so that a reader never sees half of one: temporary file, then rename."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

SHARED_MODE = 0o666  # as `open()` creates files: the process's umask then takes its bits away


def write_atomically(path: Path, content: str | bytes) -> None:
    """Write `content` to `path` through a temporary file in the same directory.

    The temporary file is created with mode 0666 and the kernel applies the umask, so the report
    gets the permissions any file the user writes gets, without reading or changing the umask
    (which is process-wide: changing it races with the threads of the app that imports us).
    """
    path = Path(path)
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        handle, temporary = _create_temporary(path)
    except OSError as error:  # name the user's path, not our temporary file's
        raise OSError(error.errno, error.strerror, str(path)) from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException as error:
        os.unlink(temporary)
        if isinstance(error, OSError):
            raise OSError(error.errno, error.strerror, str(path)) from None
        raise


def _create_temporary(path: Path) -> tuple[int, Path]:
    while True:
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, SHARED_MODE), temporary
        except FileExistsError:
            continue
