"""A PostgreSQL store's URL and connections: the URL parsed once, one short connection
per operation with the connect and lock timeouts, and libpq's failures said in a few
words without the password.

Both PostgreSQL stores (:mod:`dashboard.store.pg_store` and
:mod:`dashboard.store.incidents.pg_incidents`) reach their database through a
:class:`PgTarget` made by :func:`parse_pg_url`.

* A connection waits at most :data:`~dashboard.data.limits.CONNECT_TIMEOUT_S` s for the
  server, is in autocommit mode (the stores begin their own transactions) and has a
  ``lock_timeout`` of :data:`~dashboard.data.limits.BUSY_TIMEOUT_S` s (or the store's
  ``busy_timeout_s``; added to the
  URL's own ``options``), so a writer held up longer gets ``LockNotAvailable``.
* Messages show :attr:`PgTarget.where`, the URL without its password; the password is
  scrubbed from libpq's text as well.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field

import psycopg
from psycopg import errors as pg_errors
from psycopg.conninfo import conninfo_to_dict

from dashboard.data.limits import BUSY_TIMEOUT_S, CONNECT_TIMEOUT_S
from dashboard.geo.errors import InputError
from dashboard.store.model import StoreBusy
from dashboard.store.urls import mask_url, url_password

__all__ = ["PgTarget", "PgWords", "parse_pg_url", "scrub", "REASONS", "FATAL_HINTS"]

#: Fragments of libpq messages -> the short reason shown to the user.
REASONS: tuple[tuple[str, str], ...] = (
    ("Connection refused", "connection refused"),
    ("timeout expired", f"no answer within {CONNECT_TIMEOUT_S} s"),
    ("shutting down", "the server is shutting down"),
    ("starting up", "the server is starting up"),
    ("recovery", "the server is recovering"),
    ("terminating connection", "the server ended the connection"),
    ("closed the connection", "the server closed the connection"),
    ("could not translate host name", "unknown host"),
    ("No such file or directory", "no server at that socket"),
    ("Network is unreachable", "network unreachable"),
    ("No route to host", "no route to host"))
#: Connection errors that no retry fixes (wrong password, no such database...).
FATAL_HINTS: tuple[str, ...] = (
    "password authentication failed", "does not exist", "no pg_hba.conf entry",
    "permission denied", "role", "authentication", "SSL is not enabled", "invalid")


def scrub(text: str, secret: str) -> str:
    """The first line of ``text`` with ``secret`` (4 characters or more) and any
    ``password=...`` masked.

    >>> scrub("FATAL: password=hunter22 rejected\\nmore", "hunter22")
    'FATAL: password=*** rejected'
    """
    line = text.strip().splitlines()[0] if text.strip() else "unknown error"
    if secret and len(secret) >= 4:  # shorter: would mark where it occurs by chance
        line = line.replace(secret, "***")
    return re.sub(r"(?i)(password\s*=\s*)\S+", r"\1***", line)


@dataclass(frozen=True)
class PgWords:
    """What one store's messages about its database say; the rest is shared."""

    #: The store, e.g. "scenario store": "the scenario store postgresql://... is busy".
    noun: str
    #: Who holds a busy store's lock, e.g. "another save".
    writer: str
    #: Said of a busy store before "try again": "" or "nothing was saved; ".
    busy_undone: str = ""


@dataclass(frozen=True)
class PgTarget:
    """A PostgreSQL database to connect to, as :func:`parse_pg_url` read its URL."""

    #: The URL as given (with its password: never shown).
    url: str = field(repr=False)
    #: The URL without its password or query, for messages.
    where: str
    #: The password (URL or ``password=`` parameter), to scrub from messages.
    password: str = field(repr=False)
    #: libpq ``options``: the URL's own, then ``-c lock_timeout=`` (ms).
    options: str
    #: Seconds a statement waits for another writer's lock (the ``lock_timeout``).
    busy_timeout_s: float = field(default=BUSY_TIMEOUT_S, repr=False)

    def connect(self) -> psycopg.Connection:
        """A new autocommit connection (raises ``psycopg.OperationalError`` as libpq does)."""
        return psycopg.connect(self.url, connect_timeout=CONNECT_TIMEOUT_S, autocommit=True,
                               application_name="nfz-dashboard", client_encoding="UTF8",
                               options=self.options)

    def reason(self, exc: BaseException) -> str:
        """Why ``exc`` happened, in a few words (:data:`REASONS`), else libpq's first line
        without its "connection ... failed:" and "FATAL:" and without the password."""
        text = str(exc)
        for fragment, reason in REASONS:
            if fragment in text:
                return reason
        tail = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
        tail = tail.rsplit("failed: ", 1)[-1].replace("FATAL:", "").strip()
        return scrub(tail, self.password)

    def refused_for_good(self, exc: BaseException) -> bool:
        """True if a failed connection is one that no retry fixes (:data:`FATAL_HINTS`, and
        none of the passing troubles of :data:`REASONS`)."""
        text = str(exc)
        return any(h in text for h in FATAL_HINTS) and not any(f in text for f, _ in REASONS)

    @contextmanager
    def session(self, conn: psycopg.Connection, words: PgWords, *,
                gone: Callable[[psycopg.OperationalError], InputError],
                detail: Callable[[psycopg.Error], str],
                keep: tuple[type[psycopg.Error], ...] = ()) -> Iterator[psycopg.Connection]:
        """``conn`` for the caller's block, closed after it; psycopg errors in the block
        become the store's one-line refusals.

        A lock held past the ``lock_timeout`` (or a cancelled statement) is
        :class:`StoreBusy`; an ``OperationalError`` (the server went away) is
        ``gone(exc)``; any other psycopg error "cannot use the STORE WHERE: ``detail(exc)``".
        Errors of the types in ``keep`` (say, deadlocks a caller retries) and every other
        exception pass unchanged.
        """
        try:
            yield conn
        except keep:
            raise
        except (pg_errors.LockNotAvailable, pg_errors.QueryCanceled):
            raise StoreBusy(f"the {words.noun} {self.where} is busy ({words.writer} held it "
                            f"for {self.busy_timeout_s:g} s); {words.busy_undone}try again"
                            ) from None
        except psycopg.OperationalError as exc:
            raise gone(exc) from None
        except psycopg.Error as exc:
            raise InputError(f"cannot use the {words.noun} {self.where}: {detail(exc)}"
                             ) from None
        finally:
            with suppress(psycopg.Error):
                conn.close()


def parse_pg_url(url: str, busy_timeout_s: float = BUSY_TIMEOUT_S) -> PgTarget:
    """``url`` (``postgresql://USER:PASSWORD@HOST:PORT/DB``, any libpq URI) as a target
    whose connections wait ``busy_timeout_s`` s for a lock (``lock_timeout``, at least
    1 ms: 0 would mean no limit).

    Raises
    ------
    InputError
        Not a valid PostgreSQL URI (shown without its password).

    >>> t = parse_pg_url("postgresql://ann:s3cret@db:5433/geo?options=-c%20search_path%3Dx")
    >>> t
    PgTarget(where='postgresql://ann@db:5433/geo', options='-c search_path=x -c lock_timeout=30000')
    """
    where = mask_url(url)
    try:
        params = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        # libpq's own message quotes the URL: not shown, it may hold the password
        raise InputError(f"{where} is not a valid PostgreSQL URL (percent-encode "
                         "@ : / ? # % in the user name and password)") from None
    options = " ".join(filter(None, [str(params.get("options") or ""),
                                     f"-c lock_timeout={max(1, int(busy_timeout_s * 1000))}"]))
    return PgTarget(url=url, where=where,
                    password=str(params.get("password") or url_password(url)),
                    options=options, busy_timeout_s=busy_timeout_s)
