"""Turn Nagle's algorithm off for the app server's connections.

Streamlit 1.67 binds its listening socket itself (``socket.socket(family)``, protocol
0), and asyncio turns Nagle's algorithm off only for sockets whose protocol is
``IPPROTO_TCP`` (``asyncio.base_events._set_nodelay``), so no connection the server
accepts has ``TCP_NODELAY``. A response written in two parts (its headers, then its
body) then waits for the browser's delayed acknowledgement: 40-44 ms for every HTTP
response after the first on a kept-alive connection (measured here: Streamlit's own
script chunks, the map's files, ``/_stcore/health``), and websocket frames queue
behind unacknowledged ones the same way. A cold page load fetches about a hundred
files over six connections.

Linux passes ``TCP_NODELAY`` from a listening socket to the connections it accepts, so
setting it once, on every TCP socket of the process (the listener and the
connections already open), fixes every later connection too.
"""
from __future__ import annotations

import gc
import socket

_TCP_FAMILIES = (socket.AF_INET, socket.AF_INET6)


def set_nodelay(sock: socket.socket) -> bool:
    """Set ``TCP_NODELAY`` on ``sock`` if it is an open TCP socket; whether it was.

    >>> with socket.socket() as s:
    ...     set_nodelay(s), s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    (True, True)
    >>> with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
    ...     set_nodelay(u)
    False
    """
    try:
        if sock.fileno() < 0 or sock.family not in _TCP_FAMILIES or sock.type != socket.SOCK_STREAM:
            return False
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return True
    except OSError:  # closed meanwhile, or not a TCP socket after all
        return False


def nodelay_everywhere() -> int:
    """Set ``TCP_NODELAY`` on every open TCP socket of this process; how many.

    One pass over the garbage collector's objects (tens of milliseconds in the app
    server), so :func:`nodelay_once` runs it once per process.
    """
    return sum(set_nodelay(o) for o in gc.get_objects() if isinstance(o, socket.socket))


_done = False


def nodelay_once() -> None:
    """:func:`nodelay_everywhere`, the first time it is called in this process."""
    global _done
    if not _done:
        _done = True
        nodelay_everywhere()
