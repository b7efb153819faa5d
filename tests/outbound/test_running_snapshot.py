"""A running line uses its snapshot whole — number, credentials, region, webhook key — until Stop + Start,
whatever is edited or swapped meanwhile."""

from agents import lifecycle
from channels_twilio import webhook_urls
from channels_twilio.models import ChannelAttachment
from sessions_app.models import Session
from tests.call_driver import CallDriver
from tests.conftest import new_auth_token
from tests.outbound.callee import dial_requests

CUSTOMER = "+15005550006"


def swap_connection(line: ChannelAttachment, other) -> None:
    """What saving the agent's Communication channels card with another connection picked does."""
    line.connection = other
    line.save(update_fields=["connection"])


def test_swapping_the_connection_of_a_running_line_changes_nothing_until_restart(
    running_line, connection_factory, twilio_standin, signed_post, place
):
    line = running_line(inbound=True, connection=connection_factory(region="ie1", edge="dublin"))
    first = line.connection
    second = connection_factory(region="au1", edge="sydney")
    twilio_standin.add_account(second.account_sid, second.auth_token)
    twilio_standin.add_number(second.account_sid, second.phone_number)
    swap_connection(line, second)
    line.refresh_from_db()
    assert line.restart_needed

    # A caller dials the first number: Twilio calls the first connection's webhooks, signed with its token.
    call = CallDriver(signed_post, first)
    call.dial()
    assert call.said() == ["Hello, this is Flametree. How can I help?"]
    inbound = Session.objects.get(call_sid=call.call_sid)
    assert inbound.connection_id == first.id and inbound.to_number == first.phone_number
    gather_action = call.gather.get("action")
    assert gather_action.startswith(f"https://portal.example.test/twilio/{first.webhook_key}/gather?")
    call.speak("goodbye")
    call.status("completed", url=webhook_urls.status_url(first.webhook_key))
    assert Session.objects.get(pk=inbound.pk).state == "closed"

    # The second connection's webhooks are not live: nothing registered them.
    other = CallDriver(signed_post, second)
    other.dial()
    assert "Hello, this is Flametree. How can I help?" not in other.said()

    # An outbound call goes out whole from the snapshot: first number, account, region and webhook key.
    assert place(line.agent_id, CUSTOMER).status_code == 202
    outbound = Session.objects.filter(direction="outbound").get()
    (request,) = dial_requests(twilio_standin)
    assert request.connect_host == "api.dublin.ie1.twilio.com"
    assert request.path == f"/2010-04-01/Accounts/{first.account_sid}/Calls.json"
    assert request.form["From"] == [first.phone_number]
    assert request.form["Url"] == [webhook_urls.voice_url(first.webhook_key, session_id=outbound.id)]
    assert request.form["StatusCallback"] == [webhook_urls.status_url(first.webhook_key, session_id=outbound.id)]
    assert outbound.connection_id == first.id and outbound.from_number == first.phone_number

    # Its callbacks come back on the first connection's key, signed with the first token, and are served.
    answered = CallDriver(signed_post, first, call_sid=outbound.call_sid)
    answered.dial(url=request.form["Url"][0])
    assert answered.said() == ["Hello, this is Flametree. How can I help?"]
    answered.status("completed", url=request.form["StatusCallback"][0])
    assert Session.objects.get(pk=outbound.pk).close_reason == "completed"


def test_an_edited_token_waits_for_the_restart_and_the_restart_takes_the_new_connection(
    running_line, connection_factory, twilio_standin, signed_post, django_capture_on_commit_callbacks
):
    line = running_line(inbound=True)
    first = line.connection
    old_token = first.auth_token
    first.auth_token = new_auth_token()
    first.save()

    # Twilio still signs with the token the line runs on: the call is served.
    CallDriver(signed_post, first, token=old_token).dial()

    second = connection_factory()
    twilio_standin.add_account(second.account_sid, second.auth_token)
    twilio_standin.add_number(second.account_sid, second.phone_number)
    swap_connection(line, second)
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.stop_agent(line.agent_id)
        lifecycle.start_agent(line.agent_id)
    line.refresh_from_db()
    assert line.snapshot_connection_id == second.id and line.line_state == "live"
    assert line.snapshot["phone_number"] == second.phone_number
    (number,) = twilio_standin.numbers(second.account_sid)
    assert number["voice_url"] == webhook_urls.voice_url(second.webhook_key)
    call = CallDriver(signed_post, second)
    call.dial()
    assert call.said() == ["Hello, this is Flametree. How can I help?"]
    # The first number is offline now: the apology, and no session.
    before = Session.objects.count()
    CallDriver(signed_post, first).dial()
    assert Session.objects.count() == before
