"""The output folder, replaced as a whole: a run's files appear all at once or not at all.

The files are written into a sibling staging folder ``.NAME.mentor-match-new``. Only when all
are complete and on disk is it swapped with ``NAME``: on Linux in one step
(``renameat2(RENAME_EXCHANGE)``, so at every instant ``NAME`` is either the old folder or the
new one), elsewhere in two renames (the old folder aside as ``.NAME.mentor-match-old``, then
the new one in). The old folder is then removed. A run killed at any moment leaves at most a
staging or an old folder beside ``NAME``; the next run clears it first (after the one window of
the two-rename swap it puts the old folder back), so nothing stays behind and nothing is mixed.
One run at a time may write a given folder.

A folder is replaced only if it is empty or holds an earlier run's results (``MARKER``); a
folder with anything else in it is refused, never deleted.
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from matcher.errors import OutputFolderError

MARKER = "summary.json"
"""The file every run writes: a folder holding it is an earlier run's result."""
STAGING_SUFFIX = ".mentor-match-new"
ASIDE_SUFFIX = ".mentor-match-old"
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def staging_of(out: Path) -> Path:
    return out.with_name(f".{out.name}{STAGING_SUFFIX}")


def aside_of(out: Path) -> Path:
    return out.with_name(f".{out.name}{ASIDE_SUFFIX}")


def check_replaceable(out: Path) -> None:
    """Refuse, before any work, a folder that is not ours to replace."""
    if out.exists() and not out.is_dir():
        raise OutputFolderError(f"«{out}» — это файл, а не папка; укажите папку для результатов")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise OutputFolderError(
            f"папка «{out}» не пуста и не похожа на результаты прежнего запуска (нет {MARKER}); "
            "результаты заменяют папку целиком, поэтому укажите новую или пустую папку"
        )


def recover(out: Path) -> None:
    """Undo what a killed run left beside ``out``: the old folder back if ``out`` is missing,
    every staging or old folder removed."""
    aside = aside_of(out)
    if aside.is_dir() and not out.exists():
        os.rename(aside, out)
    for leftover in (staging_of(out), aside):
        if leftover.exists():
            shutil.rmtree(leftover)


def _flush(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            with path.open("rb") as handle:
                os.fsync(handle.fileno())
    _fsync_directory(folder)


def _fsync_directory(folder: Path) -> None:
    if sys.platform == "win32":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two folders in one step; False where the system or file system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(first))


def _swap_in(staging: Path, out: Path) -> None:
    if not out.exists():
        os.rename(staging, out)
    elif _exchange(staging, out):
        shutil.rmtree(staging)
    else:
        aside = aside_of(out)
        os.rename(out, aside)
        os.rename(staging, out)
        shutil.rmtree(aside)
    _fsync_directory(out.parent)


@contextmanager
def replacing(out: Path) -> Iterator[Path]:
    """Yield an empty staging folder; when the block ends without an error, it becomes ``out``.

    On an error the staging folder is removed and ``out`` is left as it was.
    """
    out = out.absolute()
    check_replaceable(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    recover(out)
    staging = staging_of(out)
    staging.mkdir()
    try:
        yield staging
        _flush(staging)
        _swap_in(staging, out)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
