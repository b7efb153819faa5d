"""``TwilioStandIn``: start/stop the HTTPS server + proxy and drive their state.

Typical use (the pytest plugin does this for you)::

    standin = TwilioStandIn().start()
    os.environ.update(standin.env)       # or pass env= to a worker subprocess
    standin.add_account(sid, token)
    standin.add_number(sid, "+14155550123", voice_url="https://old.example/voice")
    Client(sid, token).incoming_phone_numbers.list(phone_number="+14155550123")
    standin.stop()
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any, Self

from .certs import generate_tls_files
from .contract import SPEC_PATH, load_contract
from .handlers import StandInHTTPServer
from .proxy import ConnectProxy
from .store import Failure, RecordedRequest, Store

NO_PROXY = "127.0.0.1,localhost"


class TwilioStandIn:
    """A local Twilio REST API (2010-04-01) reached through an HTTPS proxy."""

    def __init__(self, spec_path: Path = SPEC_PATH) -> None:
        self.contract = load_contract(spec_path)
        self._store = Store(self.contract)
        self._lifecycle = threading.Lock()
        self._server: StandInHTTPServer | None = None
        self._proxy: ConnectProxy | None = None
        self._threads: list[threading.Thread] = []
        self._tmpdir: Path | None = None
        self._ca_bundle: Path | None = None

    # -------------------------------------------------------------- lifecycle
    def start(self) -> Self:
        """Generate certificates and start both servers (no-op if running)."""
        with self._lifecycle:
            if self._server is not None:
                return self
            self._tmpdir = Path(tempfile.mkdtemp(prefix="twilio-standin-"))
            tls = generate_tls_files(self._tmpdir)
            self._ca_bundle = tls.ca_cert
            self._server = StandInHTTPServer(self._store, self.contract, tls.server_context())
            self._proxy = ConnectProxy(self._store, self._server.port)
            servers = ((self._server, "twilio-standin-https"), (self._proxy, "twilio-standin-proxy"))
            self._threads = [
                threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.1}, name=name, daemon=True)
                for srv, name in servers
            ]
            for thread in self._threads:
                thread.start()
            return self

    def stop(self) -> None:
        """Stop both servers, drop open connections, delete the certificates."""
        with self._lifecycle:
            if self._server is None or self._proxy is None:
                return
            self._proxy.closing = True
            for srv in (self._proxy, self._server):
                srv.shutdown()
                srv.server_close()
            self._proxy.close_tunnels()
            self._server.close_connections()
            for thread in self._threads:
                thread.join(timeout=5)
            if self._tmpdir is not None:
                shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._server = self._proxy = None
            self._threads, self._tmpdir, self._ca_bundle = [], None, None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def proxy_url(self) -> str:
        """``http://127.0.0.1:<port>`` of the CONNECT proxy."""
        if self._proxy is None:
            raise RuntimeError("TwilioStandIn is not started")
        return f"http://127.0.0.1:{self._proxy.port}"

    @property
    def ca_bundle(self) -> str:
        """Path of the throwaway CA certificate (PEM)."""
        if self._ca_bundle is None:
            raise RuntimeError("TwilioStandIn is not started")
        return str(self._ca_bundle)

    @property
    def env(self) -> dict[str, str]:
        """Environment that routes ``requests``/``twilio`` traffic to the stand-in.

        Lower-case twins are included because ``requests`` prefers ``https_proxy``
        over ``HTTPS_PROXY`` when both exist in the environment.
        """
        proxy = self.proxy_url
        return {
            "HTTPS_PROXY": proxy,
            "https_proxy": proxy,
            "REQUESTS_CA_BUNDLE": self.ca_bundle,
            "NO_PROXY": NO_PROXY,
            "no_proxy": NO_PROXY,
        }

    # ------------------------------------------------------------------ state
    def reset(self) -> None:
        """Forget accounts, numbers, calls, requests, failures; reachable, no delay."""
        self._store.reset()

    def add_account(self, sid: str, token: str) -> None:
        """Allow HTTP Basic ``sid:token`` (sid must look like ``AC`` + 32 hex)."""
        self._store.add_account(sid, token)

    def add_number(self, account_sid: str, phone_number: str, **fields: Any) -> dict[str, Any]:
        """Give the account an IncomingPhoneNumber; ``fields`` are JSON field names
        (``voice_url=``, ``voice_application_sid=``, ``trunk_sid=``, ...)."""
        return self._store.add_number(account_sid, phone_number, fields)

    def numbers(self, account_sid: str) -> list[dict[str, Any]]:
        """Current state of the account's numbers (copies)."""
        return self._store.numbers(account_sid)

    def calls(self, account_sid: str) -> list[dict[str, Any]]:
        """The account's calls: JSON fields + create parameters as received
        (``"To"``, ``"StatusCallbackEvent": [...]``) + ``"updates"`` (list of forms)."""
        return self._store.calls(account_sid)

    def set_call_status(self, account_sid: str, call_sid: str, status: str) -> dict[str, Any]:
        """Move a call along (e.g. ``in-progress``) as the carrier would."""
        return self._store.set_call_status(account_sid, call_sid, status)

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far (oldest first)."""
        return self._store.requests

    @property
    def connect_hosts(self) -> list[str]:
        """Targets of every proxy CONNECT so far (including refused ones)."""
        with self._store.lock:
            return list(self._store.connect_hosts)

    def fail_next(
        self,
        status: int = 503,
        code: int = 20500,
        message: str = "Service unavailable",
        times: int = 1,
        path_contains: str | None = None,
    ) -> None:
        """Answer the next ``times`` matching requests with this Twilio error."""
        self._store.fail_next(Failure(status, code, message, times, path_contains))

    @property
    def unreachable(self) -> bool:
        """While True, CONNECT gets 502 and open tunnels are cut."""
        with self._store.lock:
            return self._store.unreachable

    @unreachable.setter
    def unreachable(self, value: bool) -> None:
        with self._store.lock:
            self._store.unreachable = bool(value)
        if value and self._proxy is not None:
            self._proxy.close_tunnels()

    @property
    def delay_seconds(self) -> float:
        """Latency added before answering each request."""
        with self._store.lock:
            return self._store.delay_seconds

    @delay_seconds.setter
    def delay_seconds(self, value: float) -> None:
        with self._store.lock:
            self._store.delay_seconds = float(value)
