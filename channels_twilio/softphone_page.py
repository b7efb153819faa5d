"""The agent page's "Test call": a softphone in the browser, with the portal playing Twilio's part.

The page sends what the administrator says; the server runs the call simulator, which posts
Twilio's signed requests to this portal's own webhooks over HTTP, so the call takes exactly the
path of a phone call and ends up in Sessions. Between two requests the simulated call (Twilio's
view of it, never the Auth Token) waits in the user's Django session, so any worker can take the
next request.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse

from agents.models import Agent

from .simulator import lines, script
from .simulator.call import CallState

ACTIONS = ("start", "say", "silence", "hangup")


def _session_key(agent_id: int) -> str:
    return f"test-call:{agent_id}"


def _agent_for(model_admin, request, agent_id: int) -> Agent:
    agent = get_object_or_404(Agent, pk=agent_id)
    if not model_admin.has_change_permission(request, agent):  # a test call writes a session
        raise PermissionDenied
    return agent


def softphone_page(model_admin, request, agent_id: int) -> TemplateResponse:
    agent = _agent_for(model_admin, request, agent_id)
    line, problem = None, ""
    try:
        line = lines.inbound_line(agent)
    except lines.LineUnavailable as unavailable:
        problem = str(unavailable)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Test call · {agent.name}",
        "agent": agent,
        "opts": model_admin.model._meta,
        "line": line,
        "problem": problem,
        "caller": lines.TEST_CALLER,
        "sessions_url": _sessions_url(agent),
    }
    return TemplateResponse(request, "admin/channels_twilio/test_call.html", context)


def softphone_action(model_admin, request, agent_id: int, action: str) -> JsonResponse:
    """One step of the call (start, say, silence, hangup): the events it produced, as JSON."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    agent = _agent_for(model_admin, request, agent_id)
    if action not in ACTIONS:
        return JsonResponse({"error": f"Unknown action {action!r}."}, status=404)
    key = _session_key(agent.id)
    try:
        if action == "start":
            call = lines.inbound_call(lines.inbound_line(agent), lines.TEST_CALLER)
            steps = script.ring_inbound(call)
        else:
            if key not in request.session:
                return JsonResponse({"error": "No test call is in progress: click Call to start one."}, status=409)
            call = CallState.from_dict(request.session[key])
            steps = _caller_step(call, action, request.POST)
        driver = lines.driver(call, _portal_base_url(request))
        try:
            events = driver.run(steps)
        finally:
            driver.close()
    except (lines.LineUnavailable, script.CallStateError) as refusal:
        return JsonResponse({"error": str(refusal)}, status=409)
    if call.ended:
        request.session.pop(key, None)
    else:
        request.session[key] = call.as_dict()
    session = lines.session_of(call)
    return JsonResponse(
        {
            "events": [_in_sessions_words(event.as_dict(), session) for event in events],
            "listening": call.listening,
            "ended": call.ended,
            "status": call.status,
            "session_url": _session_page(session) if session else "",
        }
    )


def _in_sessions_words(event: dict, session) -> dict:
    """The softphone's "Call ended" names the close reason Sessions shows, so both pages speak alike."""
    if event["kind"] == "ended" and session is not None and session.close_reason:
        event["text"] = f"{event['text']} — Sessions shows it as “{session.get_close_reason_display()}”"
    return event


def _caller_step(call: CallState, action: str, form) -> script.Script:
    if action == "say":
        return script.speak(call, form.get("text", ""), interrupting=form.get("interrupting") == "true")
    if action == "silence":
        return script.stay_silent(call)
    return script.hang_up(call)


def _portal_base_url(request) -> str:
    """Where this portal listens for the simulator's requests: TEST_CALL_BASE_URL, or where this page was served."""
    return settings.TEST_CALL_BASE_URL or f"{request.scheme}://{request.get_host()}"


def _session_page(session) -> str:
    try:
        return reverse("admin:sessions_app_session_change", args=[session.pk])
    except NoReverseMatch:  # Sessions has no admin page in this deployment
        return ""


def _sessions_url(agent: Agent) -> str:
    try:
        return reverse("admin:sessions_app_session_changelist") + f"?agent__id__exact={agent.id}"
    except NoReverseMatch:
        return ""
