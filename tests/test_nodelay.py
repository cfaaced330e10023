"""The app server's connections without Nagle's algorithm (dashboard/ui/nodelay.py).

Streamlit binds its listening socket with protocol 0, so asyncio never sets
``TCP_NODELAY`` on the connections it accepts, and every HTTP response after the first
on a kept-alive connection waited 40-44 ms for the browser's delayed acknowledgement.
Setting it on the listener passes it on to every connection accepted afterwards.
"""
from __future__ import annotations

import socket

from dashboard.ui.nodelay import nodelay_everywhere, set_nodelay


def _nodelay(sock: socket.socket) -> bool:
    return sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0


def test_a_listener_bound_as_streamlit_binds_it_passes_nodelay_to_new_connections():
    with socket.socket(family=socket.AF_INET) as listener:  # protocol 0, as Streamlit's
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        early = socket.create_connection(listener.getsockname())
        accepted_early, _ = listener.accept()
        assert listener.proto == 0 and not _nodelay(accepted_early)  # what asyncio leaves

        assert nodelay_everywhere() >= 2  # the listener and the connection already open
        assert _nodelay(listener) and _nodelay(accepted_early)

        late = socket.create_connection(listener.getsockname())
        accepted_late, _ = listener.accept()
        assert _nodelay(accepted_late)  # inherited from the listener
        for s in (early, accepted_early, late, accepted_late):
            s.close()


def test_only_open_tcp_sockets_are_touched():
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    closed = socket.socket()
    closed.close()
    try:
        assert not set_nodelay(udp) and not set_nodelay(closed)
    finally:
        udp.close()
