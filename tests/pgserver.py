"""A real PostgreSQL server with PostGIS for the tests: Debian's binaries, a throwaway cluster.

:func:`find_bindir` finds ``/usr/lib/postgresql/<version>/bin`` with PostGIS
installed for that version (``scripts/setup_test_machine.sh`` installs Debian's
``postgresql`` and ``postgresql-<version>-postgis-3``; nothing here installs).
:class:`PgServer` runs ``initdb`` into a temporary directory (as the
``postgres`` OS user when we are root: the server refuses to run as root),
listens on 127.0.0.1 on a free port with its Unix socket in that directory,
and is started and stopped with ``pg_ctl -w``.  ``fsync`` is off: the data is
thrown away, and start-up and saves are faster.

The scenario store connects over TCP as the unprivileged role
:data:`APP_USER` with a password (scram-sha-256), like a team's app would;
administration goes through the socket as the ``postgres`` superuser (trust).
"""
from __future__ import annotations

import atexit
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
from appserver import free_port

#: The role the store uses (not a superuser; owns its test databases).
APP_USER = "nfz_app"
#: Its password; tests check that no message ever shows it.
APP_PASSWORD = "Pg-s3cret-7f3a9c"
#: A database with PostGIS that every test database is copied from.
TEMPLATE_DB = "nfz_template"


def _versions() -> list[tuple[int, Path]]:
    found = []
    for ctl in Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"):
        try:
            found.append((int(ctl.parent.parent.name), ctl.parent))
        except ValueError:
            continue
    return sorted(found, reverse=True)


def _has_postgis(version: int) -> bool:
    return Path(f"/usr/share/postgresql/{version}/extension/postgis.control").exists()


def find_bindir() -> Path | None:
    """The ``bin`` directory of the newest PostgreSQL that has PostGIS, or None."""
    for version, bindir in _versions():
        if _has_postgis(version):
            return bindir
    return None


class PgServer:
    """A PostgreSQL cluster in a temporary directory, listening on 127.0.0.1:``port``."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="nfz-pg-"))  # /tmp: the postgres user reaches it
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = 0
        self._as_root = os.geteuid() == 0
        self._n_db = 0
        if self._as_root:
            shutil.chown(self.root, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-E", "UTF8",
                  "--locale=C", "--auth-local=trust", "--auth-host=scram-sha-256",
                  "--no-sync", "--no-instructions")
        atexit.register(self.destroy)

    def _run(self, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        cmd = [str(self.bindir / tool), *args]
        if self._as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        out = subprocess.run(cmd, capture_output=True, text=True, cwd=self.root)
        if check and out.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{tool} failed ({out.returncode}): {out.stderr}{out.stdout}\n{log}")
        return out

    # -- life cycle ---------------------------------------------------------------
    def start(self) -> None:
        """Start the server (a free port the first time, the same port after) and wait."""
        for _ in range(5):
            port = self.port or free_port()
            opts = (f"-c port={port} -c listen_addresses=127.0.0.1 "
                    f"-c unix_socket_directories={self.root} -c fsync=off "
                    "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60")
            out = self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w",
                            "-t", "60", "-o", opts, "start", check=False)
            if out.returncode == 0:
                self.port = port
                return
            if self.port:  # a restart must keep its port: say why it failed
                break
        raise RuntimeError(f"postgres did not start: {out.stderr}\n"
                           f"{self.log.read_text(errors='replace')[-2000:]}")

    def stop(self) -> None:
        """Stop the server now (``-m fast``: open sessions are ended) and wait until its
        port refuses connections.

        ``pg_ctl -w`` returns once the postmaster has removed its pid file, a moment
        before the process is gone and its listening socket closed: a connection made in
        between is accepted by the kernel, then reset ("server closed the connection"
        where a test of a stopped server expects "connection refused"; seen once in a
        full run)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            except OSError:  # refused (or no answer): nothing listens there any more
                return
            time.sleep(0.05)
        raise RuntimeError(f"port {self.port} still accepts connections 30 s after pg_ctl stop")

    @property
    def running(self) -> bool:
        return self._run("pg_ctl", "-D", str(self.data), "status", check=False).returncode == 0

    def destroy(self) -> None:
        """Stop the server if it runs and delete its directory."""
        if self.root.exists():
            if self.data.exists() and self.running:
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop",
                          check=False)
            shutil.rmtree(self.root, ignore_errors=True)

    # -- databases ----------------------------------------------------------------
    def admin(self, sql: str, dbname: str = "postgres") -> list[tuple]:
        """Run ``sql`` as the superuser over the Unix socket; rows if it returns any."""
        with psycopg.connect(host=str(self.root), port=self.port, user="postgres",
                             dbname=dbname, autocommit=True) as conn:
            cur = conn.execute(sql)
            return cur.fetchall() if cur.description else []

    def setup(self) -> None:
        """The app role and the PostGIS template database."""
        self.admin(f"CREATE ROLE {APP_USER} LOGIN PASSWORD '{APP_PASSWORD}'")
        self.admin(f"CREATE DATABASE {TEMPLATE_DB}")
        self.admin("CREATE EXTENSION postgis", dbname=TEMPLATE_DB)

    def url(self, dbname: str, *, password: str = APP_PASSWORD) -> str:
        """``postgresql://nfz_app:PASSWORD@127.0.0.1:PORT/dbname``."""
        return f"postgresql://{APP_USER}:{password}@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, name: str | None = None) -> str:
        """A new database with PostGIS, owned by :data:`APP_USER`; returns its URL."""
        self._n_db += 1
        name = name or f"t{os.getpid()}_{self._n_db}_{int(time.time() * 1000) % 100000}"
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
            raise ValueError(f"not a plain database name: {name!r}")
        self.admin(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE_DB} OWNER {APP_USER}")
        return self.url(name)


def start_server(bindir: Path) -> PgServer:
    """initdb, start and set up a server; destroyed again if any step fails."""
    server = PgServer(bindir)
    try:
        server.start()
        server.setup()
    except BaseException:
        server.destroy()
        raise
    return server
