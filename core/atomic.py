"""Atomic file writes: a save either completes or leaves the previous file exactly as it was.

The new content goes to a temporary file in the destination folder (same file system, so the final
os.replace is a single atomic rename), is flushed and fsync'ed, and only then replaces the target.
A crash, a kill or a full disk at any point before the rename leaves the old file untouched; errors
remove the temporary file, so no partial file is left behind either (only SIGKILL can leave a stray
hidden ``.<name>.*.tmp`` next to the target — it is never mistaken for the real file).
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable

from core.errors import ExportError

# Test hook: called with the temporary path after it is complete and fsync'ed, right before
# os.replace. The kill-during-save test parks a subprocess here; production code never sets it.
_before_replace: Callable[[Path], None] | None = None


def describe_os_error(exc: OSError, path: Path, what: str = "the file") -> str:
    """One plain-language line for an OSError met while saving `what` to `path`."""
    folder = path.parent
    code = exc.errno
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return f"Not enough disk space to save {what} to {folder}; nothing was changed."
    if code == errno.EROFS:
        return f"Cannot save {what}: {folder} is on a read-only disk."
    if code in (errno.EACCES, errno.EPERM):
        return f"Cannot save {what}: no permission to write in {folder}."
    if code in (errno.ENOENT, errno.ENOTDIR):
        return f"Cannot save {what}: the folder {folder} does not exist."
    if code == errno.EISDIR:
        return f"Cannot save {what}: {path} is a folder."
    if code == errno.ENAMETOOLONG:
        return f"Cannot save {what}: the file name is too long."
    reason = exc.strerror or exc.__class__.__name__
    return f"Cannot save {what} to {path}: {reason}."


def check_folder(path: Path, what: str) -> None:
    # A clearer message than whatever mkstemp would say when the parent is missing or is a file.
    folder = path.parent
    if not folder.exists():
        raise ExportError(f"Cannot save {what}: the folder {folder} does not exist.")
    if not folder.is_dir():
        raise ExportError(f"Cannot save {what}: {folder} is a file, not a folder.")
    if path.is_dir():
        raise ExportError(f"Cannot save {what}: {path} is a folder.")


def _umask() -> int:
    # os.umask can only be read by setting it, which briefly changes it for every thread; Linux shows
    # it in /proc, so the round trip is only the fallback.
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    umask = os.umask(0o022)
    os.umask(umask)
    return umask


def _target_mode(path: Path, default: int = 0o666) -> int:
    # mkstemp/mkdtemp create private (0600/0700) entries; keep the permissions of what is overwritten,
    # else give what a plain open() would have.
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        return default & ~_umask()


def _fsync_dir(folder: Path) -> None:
    # Makes the rename itself durable; not possible on every platform/file system, so best effort.
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def atomic_write(path: str | os.PathLike, content: bytes | Callable[[BinaryIO], None], *,
                 what: str = "the file") -> Path:
    """Write `content` (bytes, or a callable writing into a binary file object) to `path` atomically.

    Raises ExportError with a one-line message (disk full, read-only, no permission, missing folder);
    on any failure the previous file at `path`, if any, is unchanged and no temporary file remains.
    Exceptions raised by the `content` callable itself propagate unchanged (after clean-up).
    """
    path = Path(path)
    check_folder(path, what)
    tmp_name = None
    try:
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            if callable(content):
                content(handle)
            else:
                handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, _target_mode(path))
        if _before_replace is not None:
            _before_replace(Path(tmp_name))
        os.replace(tmp_name, path)
        tmp_name = None
    except OSError as exc:
        raise ExportError(describe_os_error(exc, path, what)) from exc
    finally:
        if tmp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)
    _fsync_dir(path.parent)
    return path


def atomic_write_text(path: str | os.PathLike, text: str, *, what: str = "the file") -> Path:
    return atomic_write(path, text.encode("utf-8"), what=what)


def atomic_write_dir(path: str | os.PathLike, fill: Callable[[Path], None], *,
                     what: str = "the folder") -> Path:
    """Create folder `path` by letting `fill(tmp_folder)` write into a temporary sibling, then renaming.

    A folder cannot be swapped atomically when one already exists, so the old folder is first moved
    aside, the new one renamed in, and the old one deleted; if the second rename fails the old folder
    is moved back. Either way `path` never holds a half-written set of files.
    """
    path = Path(path)
    folder = path.parent
    if not folder.exists():
        raise ExportError(f"Cannot save {what}: the folder {folder} does not exist.")
    if not folder.is_dir():
        raise ExportError(f"Cannot save {what}: {folder} is a file, not a folder.")
    if path.exists() and not path.is_dir():
        raise ExportError(f"Cannot save {what}: {path} is a file, not a folder.")
    tmp_dir = old_dir = None
    try:
        tmp_dir = Path(tempfile.mkdtemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp"))
        fill(tmp_dir)
        for item in tmp_dir.iterdir():
            with open(item, "rb") as handle:
                os.fsync(handle.fileno())
        os.chmod(tmp_dir, _target_mode(path, 0o777))
        if _before_replace is not None:
            _before_replace(tmp_dir)
        if path.exists():
            old_dir = Path(tempfile.mkdtemp(dir=folder, prefix=f".{path.name}.", suffix=".old"))
            os.replace(path, old_dir)          # replaces the empty placeholder directory
            try:
                os.replace(tmp_dir, path)
            except OSError:
                os.replace(old_dir, path)
                old_dir = None
                raise
        else:
            os.replace(tmp_dir, path)
        tmp_dir = None
    except OSError as exc:
        raise ExportError(describe_os_error(exc, path, what)) from exc
    finally:
        if tmp_dir is not None:
            shutil.rmtree(tmp_dir, ignore_errors=True)
        if old_dir is not None:
            shutil.rmtree(old_dir, ignore_errors=True)
    _fsync_dir(folder)
    return path
