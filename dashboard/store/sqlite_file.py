"""A store's GeoPackage (SQLite) file: checked before it is opened, created whole, opened
with the busy timeout, and its SQLite errors worded as the store's one-line refusals.

The scenario store (:mod:`dashboard.store.gpkg_store`) and the incident store
(:mod:`dashboard.store.incidents.gpkg_incidents`) keep their file through a
:class:`StoreFile`; a :class:`FileWords` is what their messages say differently.

Every connection is in autocommit mode (``isolation_level=None``: the stores begin their
own transactions) and waits up to :data:`~dashboard.data.limits.BUSY_TIMEOUT_S` s (or
the store's ``busy_timeout_s``) for another writer's lock instead of failing; the file
keeps SQLite's rollback-journal mode, so it stays one portable ``.gpkg`` and a writer
killed mid-transaction leaves a hot journal that the next opener rolls back.
"""
from __future__ import annotations

import os
import sqlite3
import stat
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from dashboard.data.limits import BUSY_TIMEOUT_S
from dashboard.geo.errors import InputError
from dashboard.store.model import StoreBusy

__all__ = ["FileWords", "StoreFile", "connect_file"]


def connect_file(path: Path | str,
                 busy_timeout_s: float = BUSY_TIMEOUT_S) -> sqlite3.Connection:
    """An autocommit connection to ``path`` that waits up to ``busy_timeout_s`` s (by
    default ``BUSY_TIMEOUT_S``, 30) for another connection's lock (``timeout`` and
    ``PRAGMA busy_timeout``, in ms)."""
    conn = sqlite3.connect(path, timeout=busy_timeout_s, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
    return conn


@dataclass(frozen=True)
class FileWords:
    """What one store's messages about its file say; the rest of each message is shared.

    >>> w = FileWords("scenario store", "scenario folder", "another save", "",
    ...               "another scenario store", recovery=True)
    >>> StoreFile(Path("s.gpkg"), w).fail(sqlite3.OperationalError("database is locked"))
    StoreBusy('the scenario store s.gpkg is busy (another save held it for 30 s); try again')
    """

    #: The store, e.g. "scenario store": "the scenario store PATH is busy ...".
    noun: str
    #: Its folder in a failed ``mkdir``, e.g. "scenario folder".
    folder: str
    #: Who holds a busy store's lock, e.g. "another save".
    writer: str
    #: Said of a busy store before "try again": "" or "nothing was saved; ".
    busy_undone: str
    #: What to choose instead of a file that is not a GeoPackage, e.g. "another store".
    instead: str
    #: True: an odd, empty or damaged file is refused with how to recover (the long form).
    recovery: bool = False


class StoreFile:
    """One store's ``.gpkg`` file, with the store's words for its refusals.

    Parameters
    ----------
    path : Path
        The file (it need not exist: a write creates it and its folder).
    words : FileWords
        How the store's messages name it.
    busy_timeout_s : float
        Seconds a connection waits for another writer's lock before the store is
        busy (default :data:`~dashboard.data.limits.BUSY_TIMEOUT_S`).
    """

    def __init__(self, path: Path, words: FileWords,
                 busy_timeout_s: float = BUSY_TIMEOUT_S) -> None:
        self.path = path
        self.words = words
        self.busy_timeout_s = busy_timeout_s

    def connect(self) -> sqlite3.Connection:
        """:func:`connect_file` of :attr:`path`, with :attr:`busy_timeout_s`."""
        return connect_file(self.path, self.busy_timeout_s)

    # -- refusals -------------------------------------------------------------------
    def fail(self, exc: sqlite3.Error) -> InputError:
        """An SQLite error as the store's one-line refusal (:class:`StoreBusy` when a lock
        was held past the busy timeout)."""
        msg, w, p = str(exc), self.words, self.path
        if "locked" in msg or "busy" in msg:
            return StoreBusy(f"the {w.noun} {p} is busy ({w.writer} held it for "
                             f"{self.busy_timeout_s:g} s); {w.busy_undone}try again")
        if "not a database" in msg:
            return InputError(f"{p} is not a GeoPackage (SQLite) file; choose {w.instead}")
        if "malformed" in msg or "corrupt" in msg:
            return self.damaged(msg)
        return InputError(f"cannot use the {w.noun} {p}: {msg}")

    def damaged(self, what: str) -> InputError:
        """The one refusal of a damaged file (``what``: SQLite's words, cut to 120 chars)."""
        p = self.path
        text = f"the {self.words.noun} {p} is damaged ({what[:120]}); nothing was written to it"
        if self.words.recovery:
            text += (f". Move it aside (mv '{p}' '{p}.damaged') to start a new store, and "
                     f"recover what it holds with: sqlite3 '{p}.damaged' .recover")
        return InputError(text)

    def exists(self) -> bool:
        """Before a connection: True if the file exists.  A file that is not a regular
        file, or is empty (0 bytes: SQLite would take it for a new database and write over
        it), is refused."""
        p, w = self.path, self.words
        try:
            st = os.stat(p)
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise InputError(f"cannot use the {w.noun} {p}: {exc.strerror or exc}") from None
        regular = stat.S_ISREG(st.st_mode)
        if regular and st.st_size > 0:
            return True
        if not w.recovery:
            raise InputError(f"the {w.noun} {p} is {'an empty file' if regular else 'not a file'}"
                             ", not a GeoPackage; nothing was written to it")
        if not regular:
            raise InputError(f"the {w.noun} {p} is not a regular file; choose {w.instead}")
        raise InputError(f"the {w.noun} {p} is an empty file (0 bytes), not a GeoPackage; "
                         f"nothing was written to it. Move it aside (mv '{p}' '{p}.empty') or "
                         "choose another store")

    def check_integrity(self, conn: sqlite3.Connection) -> None:
        """Refuse to write into a damaged file (``PRAGMA quick_check``, at most 5 problems)."""
        rows = [r[0] for r in conn.execute("PRAGMA quick_check(5)")]
        if rows != ["ok"]:
            raise self.damaged("SQLite integrity check: " + "; ".join(map(str, rows))[:100])

    # -- making and opening ---------------------------------------------------------
    def make_folder(self) -> None:
        """Create the file's folder (and its parents) if missing."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"cannot create the {self.words.folder} {self.path.parent}: "
                             f"{exc.strerror}") from None

    def create(self, init: Callable[[sqlite3.Connection], None]) -> None:
        """Create the file whole: ``init(conn)`` writes its schema into a temporary file
        beside it, which is then linked into place (never over a file another process made
        meanwhile: that one is used), so a store file is never seen half made or empty."""
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name[:60]}.", suffix=".new",
                                   dir=self.path.parent)
        os.close(fd)
        try:
            os.unlink(tmp)  # SQLite makes the file itself
            conn = sqlite3.connect(tmp, isolation_level=None)
            try:
                init(conn)
            finally:
                conn.close()
            with suppress(FileExistsError):  # another process created it first: use theirs
                os.link(tmp, self.path)
        except (OSError, sqlite3.Error) as exc:
            raise InputError(f"cannot create the {self.words.noun} {self.path}: "
                             f"{getattr(exc, 'strerror', None) or exc}") from None
        finally:
            with suppress(OSError):
                os.unlink(tmp)

    @contextmanager
    def opened(self, *, write: bool, init: Callable[[sqlite3.Connection], None],
               ready: Callable[[sqlite3.Connection], bool],
               connect: Callable[[], sqlite3.Connection] | None = None,
               ) -> Iterator[sqlite3.Connection | None]:
        """A connection to the file, closed afterwards (an open transaction rolled back);
        ``None`` for a read of a file that does not exist.

        A write first makes the folder and, when the file is missing, the file
        (:meth:`create` with ``init``), and refuses a damaged file
        (:meth:`check_integrity`).  ``ready(conn)`` then checks the store's schema (and
        adds it, for a write) and says whether the store is there (False: ``None`` is
        given).  ``connect`` replaces :meth:`connect`.  SQLite errors meanwhile, in the
        caller's block too, become the store's refusal (:meth:`fail`); programming errors
        stay as they are.
        """
        exists = self.exists()
        if not write and not exists:
            yield None
            return
        if write:
            self.make_folder()
            if not exists:
                self.create(init)
        try:
            conn = (connect or self.connect)()
        except sqlite3.Error as exc:
            raise self.fail(exc) from None
        try:
            if write:
                self.check_integrity(conn)
            yield conn if ready(conn) else None
        except sqlite3.Error as exc:
            if isinstance(exc, (sqlite3.ProgrammingError, sqlite3.InterfaceError)):
                raise
            raise self.fail(exc) from None
        finally:
            if conn.in_transaction:
                with suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            conn.close()
