"""REST API URLs of the Twilio channel: an agent's outbound calls (POST /api/agents/<id>/calls).

The trailing slash is optional and never redirected to (a client would lose its POST body);
the schema documents the form without it.
"""

from django.urls import path

from . import api_views

urlpatterns = [
    path("agents/<int:agent_id>/calls", api_views.AgentCallsView.as_view(), name="agent-calls"),
    path("agents/<int:agent_id>/calls/", api_views.AgentCallsView.as_view(schema=None)),
]
