"""What every fault plays with: the deployment, its seeded agents, the admin's browser and an API client."""

import sys
import time
from dataclasses import dataclass, field

from .clients import AdminBrowser, CallsApi, Tally
from .deployment import Deployment
from .phone import Phone
from .seed import Seeded

# Waiting on a background job or a sweep is polled this often.
POLL_SECONDS = 0.25


@dataclass
class Testbed:
    deployment: Deployment
    seeded: Seeded
    admin: AdminBrowser
    api: CallsApi
    began: float = field(default_factory=time.monotonic)

    @property
    def twilio(self):
        """The Twilio REST stand-in."""
        return self.deployment.twilio

    def phone(self, role: str, tally: Tally, **options) -> Phone:
        """Callers on the inbound line of the agent with this role."""
        return Phone(self.seeded.agents[role], self.deployment.base_url, tally, twilio=self.twilio, **options)

    def attachment(self, role: str):
        from channels_twilio.models import ChannelAttachment

        return ChannelAttachment.objects.select_related("snapshot_connection").get(agent_id=self.seeded.agents[role])

    def progress(self, text: str) -> None:
        """A progress line on stderr (stdout carries the report)."""
        print(f"[{time.monotonic() - self.began:5.0f} s] {text}", file=sys.stderr, flush=True)


def wait_until(predicate, seconds: float) -> bool:
    """Poll `predicate` until it holds or `seconds` pass; whether it held."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(POLL_SECONDS)
    return bool(predicate())


def recovery_window_seconds() -> float:
    """How long a dead run's claim holds (channels_twilio.leases), after which the sweeps take its work over."""
    try:
        from channels_twilio import leases
    except ImportError:  # no leases in this version of the portal: give the sweeps five minutes
        return 300.0
    return leases.lease().total_seconds()
