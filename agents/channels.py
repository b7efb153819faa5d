"""The channel registry: what a channel app plugs into agents, registered from its AppConfig.ready().

agents never imports a channel. A channel (Twilio today) describes itself with a `Channel` and
calls `register(channel)`; Start/Stop agent run its hooks for the agent's attachments of its
kind, Stop agent asks it to hang up the calls it closed, and the agent page shows its cards
(admin inlines of its attachments, e.g. the Communication channels card), mounts its pages and
shows their buttons. A channel's attachment model keeps a foreign key to Agent with
related_name "attachments" (`channel_kind`, `agent_id`, `line_state`), so agents reaches
attachments through `agent.attachments` without importing the channel. A second channel is a
new app in INSTALLED_APPS, with no edit here.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.admin.options import InlineModelAdmin
from django.http import HttpResponse


@dataclass(frozen=True)
class AgentPage:
    """One of a channel's admin pages about an agent, mounted under the agent's admin URLs.

    `view(model_admin, request, agent_id, **url_kwargs)` runs behind the admin's login and
    CSRF checks; it checks the agent's permissions itself. With a `button` label, the agent
    page links to it (`<a id="button_id">`); pages without one are endpoints of another page.
    """

    route: str  # under admin/agents/agent/, e.g. "<int:agent_id>/test-call/"
    name: str  # the URL's name in the admin namespace, e.g. "agents_agent_test_call"
    view: Callable[..., HttpResponse]
    button: str = ""
    button_id: str = ""


@dataclass(frozen=True)
class Channel:
    """A communication channel as agents sees it: its kind, its hooks and its agent pages."""

    kind: str  # the `channel_kind` of its attachments and sessions, e.g. "twilio"
    label: str  # what administrators read, e.g. "Twilio"
    # Start agent, per attachment of this kind, inside Start's transaction: bring the line up;
    # append what the administrator should read now to the list.
    start: Callable[[Any, list[str]], None]
    # Stop agent, per attachment of this kind, inside Stop's transaction: take the line offline.
    stop: Callable[[Any], None]
    # After Stop agent committed: end the calls of the sessions (ids) it closed on this channel.
    hang_up: Callable[[int, list[str]], None]
    agent_pages: tuple[AgentPage, ...] = ()
    # Its cards on the agent page, before the agent's own inlines. An inline may define
    # `detached_message(attachment) -> str`: the agent's log then says it when a line is removed.
    agent_inlines: tuple[type[InlineModelAdmin], ...] = ()


_channels: dict[str, Channel] = {}


def register(channel: Channel) -> None:
    """Plug a channel in (from its AppConfig.ready()); registering a kind again replaces it."""
    _channels[channel.kind] = channel


def unregister(kind: str) -> None:
    """Unplug a channel (an app or a test that registered one for a while)."""
    _channels.pop(kind, None)


def get(kind: str) -> Channel:
    """The registered channel of this kind."""
    try:
        return _channels[kind]
    except KeyError:
        raise LookupError(f"No channel of kind {kind!r} is registered: is its app in INSTALLED_APPS?") from None


def registered() -> list[Channel]:
    """Every registered channel, in registration (INSTALLED_APPS) order."""
    return list(_channels.values())


def agent_pages() -> list[AgentPage]:
    """Every registered channel's agent pages."""
    return [page for channel in registered() for page in channel.agent_pages]


def agent_inlines() -> list[type[InlineModelAdmin]]:
    """Every registered channel's cards on the agent page (admin inlines)."""
    return [inline for channel in registered() for inline in channel.agent_inlines]
