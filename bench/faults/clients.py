"""The people and programs besides Twilio that talk to the portal: an administrator's browser, an API client.

Both go over HTTP to gunicorn as if through the TLS-terminating proxy in front of it (the
public host name and `X-Forwarded-Proto: https`), so the admin's secure cookies and CSRF
origin check work as in production. Every answer is counted in a `Tally`.
"""

import secrets
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests

TIMEOUT = 30


@dataclass
class Tally:
    """Requests sent by one fault, and those that failed (with a few examples of why)."""

    sent: int = 0
    failed: int = 0
    examples: list[str] = field(default_factory=list)

    def count(self, what: str, status: int, ok: bool, detail: str = "") -> None:
        self.sent += 1
        if not ok:
            self.failed += 1
            if len(self.examples) < 3:
                answer = "no answer" if status == 0 else f"HTTP {status}" if status > 0 else "not served"
                self.examples.append(f"{what}: {answer} {detail}".strip())

    def add(self, other: "Tally") -> None:
        self.sent += other.sent
        self.failed += other.failed
        self.examples.extend(other.examples[: max(0, 3 - len(self.examples))])


def server_error(status: int) -> bool:
    """What the matrix counts as a failure: a 5xx, or no answer at all (status 0)."""
    return status == 0 or status >= 500


class _Proxied:
    def __init__(self, base_url: str, public_base_url: str):
        self.base_url = base_url.rstrip("/")
        public = urlsplit(public_base_url)
        self.origin = f"{public.scheme}://{public.netloc}"
        self.http = requests.Session()
        self.http.trust_env = False  # the portal is on loopback: no proxy from the environment
        self.headers = {"Host": public.netloc, "X-Forwarded-Proto": public.scheme}

    def _post(self, path: str, **kwargs) -> requests.Response | None:
        try:
            return self.http.post(
                self.base_url + path,
                headers={**self.headers, **kwargs.pop("headers", {})},
                timeout=TIMEOUT,
                allow_redirects=False,
                **kwargs,
            )
        except requests.RequestException:
            return None


class AdminBrowser(_Proxied):
    """Logs in to the admin and clicks Start agent / Stop agent (each a POST answered by a redirect)."""

    def __init__(self, base_url: str, public_base_url: str, username: str, password: str):
        super().__init__(base_url, public_base_url)
        self.username = username
        self.password = password
        # The admin's cookies are Secure (DEBUG off): kept here and sent by hand over the loopback HTTP.
        self.cookies = {"csrftoken": secrets.token_hex(16)}

    def log_in(self) -> None:
        response = self._form("/admin/login/?next=/admin/", {"username": self.username, "password": self.password})
        if response is None or response.status_code != 302 or "sessionid" not in self.cookies:
            status = response.status_code if response is not None else "no answer"
            raise RuntimeError(f"could not log in to the admin ({status})")

    def click(self, agent_id: int, action: str, tally: Tally, what: str) -> int:
        """Start or Stop (`action` "start"/"stop") on the agent page; the HTTP status (0: no answer)."""
        response = self._form(f"/admin/agents/agent/{agent_id}/{action}/", {})
        status = response.status_code if response is not None else 0
        tally.count(what, status, status == 302)
        return status

    def _form(self, path: str, data: dict) -> requests.Response | None:
        token = self.cookies["csrftoken"]
        response = self._post(
            path,
            data={**data, "csrfmiddlewaretoken": token},
            headers={
                "Origin": self.origin,
                "Referer": self.origin + path,
                "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            },
        )
        if response is not None:
            self.cookies.update({cookie.name: cookie.value for cookie in response.cookies})
        return response


class CallsApi(_Proxied):
    """A REST API client placing outbound calls (`POST /api/agents/<id>/calls`) with a token."""

    def __init__(self, base_url: str, public_base_url: str, token: str):
        super().__init__(base_url, public_base_url)
        self.headers["Authorization"] = f"Token {token}"

    def place_call(self, agent_id: int, to: str) -> tuple[int, dict]:
        response = self._post(f"/api/agents/{agent_id}/calls", json={"to": to})
        if response is None:
            return 0, {}
        try:
            body = response.json()
        except ValueError:
            body = {}
        return response.status_code, body
