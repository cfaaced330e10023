"""The app server's connections without Nagle's algorithm (dashboard/ui/nodelay.py).

Streamlit binds its listening socket with protocol 0, so asyncio never sets
``TCP_NODELAY`` on the connections it accepts, and every HTTP response after the first
on a kept-alive connection waited 40-44 ms for the browser's delayed acknowledgement.
Setting it on the listener passes it on to every connection accepted afterwards.
"""
from __future__ import annotations

import socket
from contextlib import ExitStack

from dashboard.ui.nodelay import nodelay_everywhere, set_nodelay


def _nodelay(sock: socket.socket) -> bool:
    return sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0


def test_a_listener_bound_as_streamlit_binds_it_passes_nodelay_to_new_connections():
    with ExitStack() as opened:
        listener = opened.enter_context(socket.socket(family=socket.AF_INET))  # protocol 0
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        opened.enter_context(socket.create_connection(listener.getsockname()))
        accepted_early = opened.enter_context(listener.accept()[0])
        assert listener.proto == 0 and not _nodelay(accepted_early)  # what asyncio leaves

        assert nodelay_everywhere() >= 2  # the listener and the connection already open
        assert _nodelay(listener) and _nodelay(accepted_early)

        opened.enter_context(socket.create_connection(listener.getsockname()))
        accepted_late = opened.enter_context(listener.accept()[0])
        assert _nodelay(accepted_late)  # inherited from the listener


def test_only_open_tcp_sockets_are_touched():
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    closed = socket.socket()
    closed.close()
    try:
        assert not set_nodelay(udp) and not set_nodelay(closed)
    finally:
        udp.close()
