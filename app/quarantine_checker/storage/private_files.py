"""The app's own small files: written private (0600 in 0700 folders), read as regular files only.

Every file the app keeps for one person (the encrypted token cache, the "already told" records, the
desktop preferences) goes through here, so one set of rules covers them all:
- written atomically through a fresh ``0600`` temp file in a ``0700`` folder, so other local users can't
  read them and readers never see half a file;
- read without following a symbolic link, only if it is a regular file, and only up to a size cap: a
  FIFO or a device (``/dev/zero``) in its place would otherwise hang the app, a folder would crash it,
  and a link could make it read (or overwrite) a file somewhere else;
- removed with an answer saying whether that worked, so sign-out can say truthfully what is left.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from pathlib import Path

# O_NOFOLLOW / O_NONBLOCK don't exist on Windows, where FIFOs and symlinks in a profile folder aren't a
# practical way in; the S_ISREG check below still refuses anything that isn't a plain file.
_READ_FLAGS = (os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
               | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))


class NotARegularFile(OSError):
    """Something other than a plain file of a sensible size sits where one of our files should be."""


def ensure_private_dir(path: Path) -> None:
    """Create ``path`` (and parents) as ``0700``; tighten it if it already exists and is ours."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(OSError):  # not ours (e.g. a shared parent): leave it as it is
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            path.chmod(0o700)


def read_regular(path: Path, max_bytes: int, *, follow_links: bool = False) -> tuple[bytes, os.stat_result]:
    """The whole file and its stat. Raises FileNotFoundError, or NotARegularFile for a link, FIFO,
    device, folder or anything larger than ``max_bytes``.

    ``follow_links`` is for files IT manages (the machine-wide settings file is often a link placed by
    configuration tools): the link is followed, but what it leads to must still be a regular file."""
    flags = _READ_FLAGS & ~getattr(os, "O_NOFOLLOW", 0) if follow_links else _READ_FLAGS
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # O_NOFOLLOW met a symbolic link
            raise NotARegularFile(errno.ELOOP, "is a link, not a file", str(path)) from None
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotARegularFile(errno.EINVAL, "is not a regular file", str(path))
        if st.st_size > max_bytes:
            raise NotARegularFile(errno.EFBIG, "is too large", str(path))
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as fh:  # a regular file now: O_NONBLOCK changes nothing for its reads
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:  # grew while we read it
        raise NotARegularFile(errno.EFBIG, "is too large", str(path))
    return data, st


def write_private(path: Path, data: bytes) -> os.stat_result:
    """Write via a 0600 temp file and rename, so readers see the old or the new file, never half of one.

    The rename replaces whatever sits at ``path`` (a link is replaced, not followed). Returns the stat
    of what was written (rename keeps inode and mtime), for change detection.
    """
    ensure_private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
            st = os.fstat(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return st


def remove_path(path: Path) -> str | None:
    """Remove the file (or link, FIFO, empty folder) at ``path``. None when nothing is left there,
    otherwise a few plain words on why it couldn't be removed."""
    try:
        st = path.lstat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        return exc.strerror or "it can't be looked at"
    try:
        if stat.S_ISDIR(st.st_mode):
            path.rmdir()  # only if empty: never delete a folder's contents we didn't put there
        else:
            path.unlink()
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno in (errno.ENOTEMPTY, errno.EEXIST):
            return "a folder with other files sits in its place"
        return exc.strerror or "it can't be removed"
    return None
