"""Files written whole or not at all: a temporary file beside the target, then one rename.

A reader (or a crash) never sees a half-written statement, ledger, access file or chart; a
failure leaves the old file as it was and no temporary file behind. A target that cannot be
written is bad input (E061, exit 1), not a crash.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from .problems import Problem, TermsheetError


def cannot_write(path: Path, err: BaseException) -> TermsheetError:
    if isinstance(err, (FileExistsError, NotADirectoryError)):
        reason = "a file stands where its folder should be"
    else:
        reason = getattr(err, "strerror", None) or (str(err).splitlines() or [""])[0] or \
            type(err).__name__
    return TermsheetError([Problem("E061", f"cannot write {path}: {reason}", str(path),
                                   hint="choose a path in a folder you may write to")])


@contextmanager
def replacing(path: str | Path, errors: tuple[type[BaseException], ...] = ()) -> Iterator[Path]:
    """A temporary path (with ``path``'s suffix) to write to; on success it replaces ``path``.
    ``errors``: more exception types that mean the target cannot be written (an engine's)."""
    path = Path(path)
    if path.is_dir():
        raise TermsheetError([Problem("E061", f"cannot write {path}: it is a folder", str(path),
                                      hint="give a file name")])
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix or ".tmp",
                                    dir=path.parent)
        os.close(fd)
    except OSError as err:
        raise cannot_write(path, err) from None
    temp = Path(name)
    try:
        yield temp
        os.replace(temp, path)
    except (OSError, *errors) as err:
        temp.unlink(missing_ok=True)
        raise cannot_write(path, err) from None
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def write_atomic(path: str | Path, data: str | bytes) -> None:
    with replacing(path) as temp:
        if isinstance(data, bytes):
            temp.write_bytes(data)
        else:
            temp.write_text(data, encoding="utf-8")
