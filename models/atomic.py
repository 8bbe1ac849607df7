"""Files the product writes: always whole or not at all."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def write_atomically(path: Path, data: bytes | str) -> None:
    """Write `data` to `path` through a temporary file in the same folder, then rename, so a
    crash or a full disk never leaves half a file under the real name. Text is written as
    UTF-8."""
    path = Path(path)
    if isinstance(data, str):
        data = data.encode("utf-8")
    directory = path.parent if str(path.parent) else Path(".")
    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_output(path: Path, data: bytes, refused: Callable[[str], Exception]) -> None:
    """`write_atomically`, a failure raised as `refused("không ghi được PATH: why")`, for the
    files a command writes where the user asked (-o)."""
    try:
        write_atomically(path, data)
    except OSError as exc:
        raise refused(f"không ghi được {path}: {exc.strerror or exc}") from None
