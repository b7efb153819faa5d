"""A minimal HTTPS forward proxy in front of the stand-in.

``requests`` (and so the ``twilio`` library) honours ``HTTPS_PROXY``: it opens a
TCP connection here, sends ``CONNECT api.twilio.com:443``, and after ``200`` runs
TLS through the tunnel.  The proxy records the CONNECT target, tells the store
which upstream port carries which target, and pipes bytes to the HTTPS server.
Targets outside ``*.twilio.com:443``, host names Twilio does not serve (such as the
retired ``api.ie1.twilio.com``, see ``regions.host_target``) and every CONNECT while the
stand-in is ``unreachable`` get ``502 Bad Gateway``.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import socketserver
import threading

from .regions import host_target
from .store import Store

_HEAD_LIMIT = 64 * 1024
_BAD_GATEWAY = b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
_NOT_ALLOWED = b"HTTP/1.1 405 Method Not Allowed\r\nAllow: CONNECT\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
_ESTABLISHED = b"HTTP/1.1 200 Connection established\r\n\r\n"


def is_twilio_host(host: str) -> bool:
    """True for ``twilio.com`` and its sub-domains."""
    return host == "twilio.com" or host.endswith(".twilio.com")


def _quick_ack(sock: socket.socket) -> None:
    """ACK at once (Linux): clients such as urllib3-through-a-proxy write headers and
    body separately without TCP_NODELAY, and Nagle + delayed ACK would add ~40 ms."""
    quickack = getattr(socket, "TCP_QUICKACK", None)
    if quickack is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, quickack, 1)


class _TunnelHandler(socketserver.BaseRequestHandler):
    server: ConnectProxy

    def handle(self) -> None:
        client: socket.socket = self.request
        client.settimeout(10)
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = client.recv(4096)
            if not chunk or len(head) > _HEAD_LIMIT:
                return
            head += chunk
        blob, _, early_bytes = head.partition(b"\r\n\r\n")
        parts = blob.split(b"\r\n", 1)[0].decode("latin-1").split()
        if len(parts) != 3 or parts[0].upper() != "CONNECT":
            client.sendall(_NOT_ALLOWED)
            return
        host, _, port = parts[1].lower().rpartition(":")
        store = self.server.store
        store.note_connect(host)
        if store.unreachable or not is_twilio_host(host) or host_target(host) is None or port != "443":
            client.sendall(_BAD_GATEWAY)
            return
        upstream = socket.create_connection(("127.0.0.1", self.server.upstream_port), timeout=10)
        upstream.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no Nagle/delayed-ACK stalls
        local_port = upstream.getsockname()[1]
        store.open_tunnel(local_port, host)
        try:
            client.sendall(_ESTABLISHED)
            if early_bytes:
                upstream.sendall(early_bytes)
            self._pump(client, upstream)
        except OSError:
            pass
        finally:
            store.close_tunnel(local_port)
            upstream.close()

    def _pump(self, client: socket.socket, upstream: socket.socket) -> None:
        client.settimeout(None)
        upstream.settimeout(None)
        peers = {client: upstream, upstream: client}
        self.server.track(client, True)
        try:
            with selectors.DefaultSelector() as selector:
                for sock in peers:
                    selector.register(sock, selectors.EVENT_READ)
                while not self.server.closing:
                    for key, _ in selector.select(timeout=0.5):
                        data = key.fileobj.recv(65536)  # type: ignore[union-attr]
                        if not data:
                            return
                        if key.fileobj is client:
                            _quick_ack(client)
                        peers[key.fileobj].sendall(data)  # type: ignore[index]
        finally:
            self.server.track(client, False)


class ConnectProxy(socketserver.ThreadingTCPServer):
    """``CONNECT``-only proxy on an ephemeral 127.0.0.1 port."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, store: Store, upstream_port: int) -> None:
        self.store = store
        self.upstream_port = upstream_port
        self.closing = False
        self._clients: set[socket.socket] = set()
        self._clients_lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _TunnelHandler)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def track(self, sock: socket.socket, is_open: bool) -> None:
        with self._clients_lock:
            if is_open:
                self._clients.add(sock)
            else:
                self._clients.discard(sock)

    def close_tunnels(self) -> None:
        """Cut every open tunnel; clients must reconnect (and CONNECT again)."""
        with self._clients_lock:
            open_now = list(self._clients)
        for sock in open_now:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
