"""The one way an output file is written: to a temporary file beside it, renamed on success.

Every output the CLI writes (``distance --points`` CSV/GeoJSON/Parquet, ``buffer``
GeoJSON, ``brief`` PNG/PDF/SVG, ``scenarios export``) goes through
:func:`atomic_output`: the data goes to a hidden temporary file in the target's
folder, which is flushed, synced and renamed over the target only when every
byte is written.  If the input turns out bad half-way, the disk fills up or the
program is interrupted, the old file is untouched and no partial file is left.

A target that exists and is not a regular file (a device such as ``/dev/null``, a
FIFO, a folder) is refused: renaming over it would replace the device node.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> with atomic_output(d / "a.txt", "w") as fh:
...     _ = fh.write("done")
>>> (d / "a.txt").read_text(), sorted(p.name for p in d.iterdir())
('done', ['a.txt'])
"""
from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from dashboard.geo.errors import InputError
from dashboard.io.filecheck import shown

__all__ = ["atomic_output", "check_output_target", "write_bytes_atomic"]


def check_output_target(path: str | Path) -> Path:
    """``path`` as a Path if a file may be written there: its folder exists and it is not
    an existing folder, device or FIFO.  :class:`InputError` otherwise."""
    p = Path(path)
    try:
        st = os.stat(p)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise InputError(f"cannot write {shown(str(path))}: {exc.strerror or exc}") from None
    if st is not None and not stat.S_ISREG(st.st_mode):
        what = "a folder" if stat.S_ISDIR(st.st_mode) else "not a regular file"
        raise InputError(f"cannot write {shown(str(path))}: it is {what}")
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.is_dir():
        raise InputError(f"cannot write {shown(str(path))}: its folder {shown(str(parent))} "
                         "does not exist")
    return p


@contextlib.contextmanager
def atomic_output(path: str | Path, mode: str = "wb", **open_kw: Any) -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path`` for writing; on a clean exit it is synced and
    renamed to ``path``; on any exception it is removed and the old ``path`` is left as
    it was.  An ``OSError`` (a full disk, no permission) becomes one :class:`InputError`
    line naming ``path``."""
    p = check_output_target(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{p.name[:60]}.", suffix=".part",
                                   dir=str(p.parent) if str(p.parent) else ".")
    except OSError as exc:
        raise InputError(f"cannot write {shown(str(path))}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, mode, **open_kw) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        with contextlib.suppress(OSError):
            if p.exists():
                os.chmod(tmp, stat.S_IMODE(os.stat(p).st_mode))
            else:
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, p)
    except OSError as exc:
        _remove(tmp)
        raise InputError(f"cannot write {shown(str(path))}: {exc.strerror or exc}; nothing "
                         "was written (an existing file is unchanged)") from None
    except BaseException:
        _remove(tmp)
        raise


def _remove(tmp: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(tmp)


def write_bytes_atomic(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` all at once or not at all (:func:`atomic_output`)."""
    with atomic_output(path, "wb") as fh:
        fh.write(data)
