"""The Twilio channel as agents sees it: its Start/Stop hooks, its card and its pages on the agent page.

Registered with agents' channel registry by ChannelsTwilioConfig.ready().
"""

from agents.channels import AgentPage, Channel

from . import line_start_stop
from .agent_card import AttachmentInline
from .place_call_page import place_call_page
from .softphone_page import softphone_action, softphone_page

TWILIO = Channel(
    kind="twilio",
    label="Twilio",
    start=line_start_stop.start,
    stop=line_start_stop.stop,
    hang_up=line_start_stop.hang_up,
    agent_inlines=(AttachmentInline,),
    # URL names keep the agents_agent_ prefix of the agent admin's own pages: they live under it.
    agent_pages=(
        AgentPage("<int:agent_id>/test-call/", "agents_agent_test_call", softphone_page, "Test call", "test-call"),
        AgentPage("<int:agent_id>/test-call/<slug:action>/", "agents_agent_test_call_action", softphone_action),
        AgentPage(
            "<int:agent_id>/place-call/", "agents_agent_place_call", place_call_page, "Place a call", "place-call"
        ),
    ),
)
