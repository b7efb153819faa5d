"""The outbound calls REST API: an agent places a call on its Twilio line.

Status codes: 202 the call is being dialed; 400 the request itself is wrong (number not in
E.164, a connection that is not the agent's, or none named when the agent has several);
401 not authenticated; 403 the user may not change agents; 404 no such agent; 409 the
agent cannot call now (not running, no Twilio connection, the connection attached after
the start, Max opened sessions reached); 503 the task queue (Redis) is down. Every refusal dials
nothing and writes no session.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from agents.models import Agent

from . import outbound
from .api_serializers import CallRequestSerializer, PlacedCallSerializer, RefusalSerializer
from .call_outcome import outcome

REFUSAL_STATUS = {
    "invalid-number": status.HTTP_400_BAD_REQUEST,
    "connection-required": status.HTTP_400_BAD_REQUEST,
    "connection-not-attached": status.HTTP_400_BAD_REQUEST,
    "agent-not-running": status.HTTP_409_CONFLICT,
    "no-twilio-connection": status.HTTP_409_CONFLICT,
    "connection-not-running": status.HTTP_409_CONFLICT,
    "max-opened-sessions": status.HTTP_409_CONFLICT,
    "queue-unavailable": status.HTTP_503_SERVICE_UNAVAILABLE,
}


def session_path(session_id) -> str:
    """The session's address in the sessions API."""
    return f"/api/sessions/{session_id}"


class CanChangeAgents(BasePermission):
    """A call costs money and speaks for the agent: the same right as Start/Stop on the agent page."""

    message = "Placing calls needs the permission to change agents (agents.change_agent)."

    def has_permission(self, request, view) -> bool:
        return request.user.has_perm("agents.change_agent")


class AgentCallsView(APIView):
    permission_classes = [IsAuthenticated, CanChangeAgents]

    @extend_schema(
        summary="Place an outbound call",
        description="The agent calls `to` from its Twilio connection's number. The session opens as "
        '"dialing"; once the callee answers, the conversation runs as on an inbound call.',
        request=CallRequestSerializer,
        responses={
            202: PlacedCallSerializer,
            400: OpenApiResponse(RefusalSerializer, description="The request is wrong; nothing was dialed."),
            404: OpenApiResponse(RefusalSerializer, description="No such agent."),
            409: OpenApiResponse(RefusalSerializer, description="The agent cannot call now; nothing was dialed."),
            503: OpenApiResponse(RefusalSerializer, description="The task queue is down; nothing was dialed."),
        },
    )
    def post(self, request, agent_id: int) -> Response:
        if not Agent.objects.filter(pk=agent_id).exists():
            raise NotFound(f"No agent with id {agent_id}.")
        body = CallRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            session = outbound.request_call(agent_id, body.validated_data["to"], body.validated_data.get("connection"))
        except Agent.DoesNotExist:
            raise NotFound(f"No agent with id {agent_id}.") from None
        except outbound.CallRefused as refusal:
            return Response({"detail": refusal.message, "code": refusal.code}, status=REFUSAL_STATUS[refusal.code])
        url = request.build_absolute_uri(session_path(session.id))
        # Dialing normally; already closed if the dial was refused at once (tasks run in-process): then say why.
        result = outcome(session.id)
        body = {"session": session.id, "url": url, "state": result.state}
        if result.ended:
            body.update(close_reason=result.close_reason, detail=result.detail)
        placed = PlacedCallSerializer(body)
        return Response(placed.data, status=status.HTTP_202_ACCEPTED, headers={"Location": url})
