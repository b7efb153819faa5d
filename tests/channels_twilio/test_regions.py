"""A connection in a Twilio region works there end to end, as Twilio's regions work.

Each region has its own Auth Token, its own configuration record of every number and its own
calls; which region processes a number's incoming calls is set through the Routes API, which
lives in US1 and takes the account's US1 Auth Token. The stand-in models all of this.
"""

import pytest

from agents import lifecycle
from agents.models import AgentLogEntry
from channels_twilio import outbound, webhook_urls
from tests.call_driver import CallDriver
from tests.conftest import new_auth_token

OLD_US_WEBHOOK = "https://old-us.example/voice"


def twilio_log(attachment) -> list[str]:
    return list(AgentLogEntry.objects.filter(agent_id=attachment.agent_id).values_list("message", flat=True))


@pytest.fixture
def regional_line(attachment_factory, connection_factory, twilio_standin):
    """An inbound attachment on a connection in `region`; Twilio knows the account's token of
    every region, and the number's US1 record points at some older webhook."""

    def make(region="ie1", edge="", with_us1_token=True, inbound=True, **connection_fields):
        us1_token = new_auth_token()
        regional_token = us1_token if region in ("", "us1") else new_auth_token()
        connection = connection_factory(
            region=region,
            edge=edge,
            auth_token=regional_token,
            us1_auth_token=us1_token if with_us1_token else "",
            **connection_fields,
        )
        twilio_standin.add_account(connection.account_sid, us1_token)
        twilio_standin.add_account(connection.account_sid, regional_token, region=region or "us1")
        twilio_standin.add_number(connection.account_sid, connection.phone_number, voice_url=OLD_US_WEBHOOK)
        attachment = attachment_factory(connection=connection, inbound=inbound)
        attachment.us1_token = us1_token
        return attachment

    return make


@pytest.fixture
def start(django_capture_on_commit_callbacks):
    def run(attachment):
        with django_capture_on_commit_callbacks(execute=True):
            lifecycle.start_agent(attachment.agent_id)
        attachment.refresh_from_db()
        return attachment

    return run


def test_ie1_without_edge_writes_the_webhook_in_ie1_and_routes_the_calls_there(regional_line, start, twilio_standin):
    attachment = start(regional_line(region="ie1", edge=""))
    conn = attachment.connection

    api_hosts = {r.host for r in twilio_standin.requests if r.host.startswith("api.")}
    assert api_hosts == {"api.dublin.ie1.twilio.com"}, "an empty Edge is the region's own edge"
    [ireland] = twilio_standin.numbers(conn.account_sid, region="ie1")
    assert ireland["voice_url"] == webhook_urls.voice_url(conn.webhook_key)
    assert ireland["status_callback"] == webhook_urls.status_url(conn.webhook_key)
    [us] = twilio_standin.numbers(conn.account_sid)
    assert us["voice_url"] == OLD_US_WEBHOOK, "the US1 record is not touched"

    assert twilio_standin.inbound_region(conn.account_sid, conn.phone_number) == "ie1"
    [routing] = [r for r in twilio_standin.requests if r.method == "POST" and r.host == "routes.twilio.com"]
    assert routing.form == {"VoiceRegion": ["ie1"]}
    assert routing.region == "us1" and routing.account_sid == conn.account_sid, "made with the US1 Auth Token"
    assert attachment.line_state == "live"
    log = twilio_log(attachment)
    assert any("processed in region US1" in m and "moved them to region IE1" in m and "5 minutes" in m for m in log)


def test_a_us1_auth_token_in_ie1_names_the_region_and_what_to_copy(regional_line, start, twilio_standin):
    attachment = regional_line(region="ie1")
    conn = attachment.connection
    conn.auth_token = attachment.us1_token  # the token from the Console's dashboard, which is US1's
    conn.save()
    start(attachment)

    assert attachment.line_state == "error"
    assert "this Auth Token is not valid in region IE1" in attachment.last_error
    assert "API keys & tokens" in attachment.last_error and "pick region IE1" in attachment.last_error
    assert any("not valid in region IE1" in m for m in twilio_log(attachment))
    assert twilio_standin.numbers(conn.account_sid, region="ie1")[0]["voice_url"] == ""


def test_a_wrong_us1_auth_token_says_which_token_to_copy(regional_line, start, twilio_standin):
    attachment = regional_line(region="ie1")
    conn = attachment.connection
    conn.us1_auth_token = new_auth_token()
    conn.save()
    start(attachment)

    assert attachment.line_state == "error"
    assert "US1 Auth Token" in attachment.last_error and "not valid in region US1" in attachment.last_error
    assert "pick region US1" in attachment.last_error
    assert twilio_standin.inbound_region(conn.account_sid, conn.phone_number) == "us1"


def test_without_a_us1_auth_token_the_webhook_is_set_and_the_log_says_what_to_paste(
    regional_line, start, twilio_standin
):
    attachment = start(regional_line(region="au1", with_us1_token=False))
    conn = attachment.connection

    assert attachment.line_state == "live"
    assert twilio_standin.numbers(conn.account_sid, region="au1")[0]["voice_url"] == webhook_urls.voice_url(
        conn.webhook_key
    )
    assert not [r for r in twilio_standin.requests if r.host == "routes.twilio.com"]
    warning = AgentLogEntry.objects.get(agent_id=attachment.agent_id, level="warning").message
    assert "no US1 Auth Token" in warning
    assert "only if that is AU1" in warning
    assert "pick region US1" in warning and "US1 Auth Token" in warning
    assert "set the number's routing to AU1" in warning


def test_emptying_the_region_brings_the_calls_back_to_us1(regional_line, start, twilio_standin):
    attachment = start(regional_line(region="ie1"))
    conn = attachment.connection
    assert twilio_standin.inbound_region(conn.account_sid, conn.phone_number) == "ie1"

    lifecycle.stop_agent(attachment.agent_id)
    conn.region, conn.auth_token, conn.us1_auth_token = "", attachment.us1_token, ""
    conn.save()
    start(attachment)

    assert twilio_standin.inbound_region(conn.account_sid, conn.phone_number) == "us1"
    assert twilio_standin.numbers(conn.account_sid)[0]["voice_url"] == webhook_urls.voice_url(conn.webhook_key)
    assert attachment.line_state == "live"
    assert any("moved them to region US1" in m for m in twilio_log(attachment))


def test_a_number_already_routed_to_the_region_is_left_as_it_is(regional_line, start, twilio_standin):
    attachment = regional_line(region="ie1")
    conn = attachment.connection
    twilio_standin.set_inbound_region(conn.account_sid, conn.phone_number, "ie1")
    start(attachment)
    assert not [r for r in twilio_standin.requests if r.host == "routes.twilio.com" and r.method == "POST"]
    assert any("processes calls to" in m and "in region IE1, as configured" in m for m in twilio_log(attachment))


def test_an_outbound_call_is_placed_in_the_region(
    regional_line, start, twilio_standin, django_capture_on_commit_callbacks
):
    attachment = start(regional_line(region="ie1", inbound=False))
    with django_capture_on_commit_callbacks(execute=True):
        session = outbound.request_call(attachment.agent_id, "+15005550006")
    session.refresh_from_db()

    [call] = twilio_standin.calls(attachment.connection.account_sid, region="ie1")
    assert call["sid"] == session.call_sid
    assert twilio_standin.calls(attachment.connection.account_sid) == [], "nothing was dialed in US1"


def test_inbound_webhooks_signed_with_the_regions_token_are_answered(regional_line, start, signed_post):
    attachment = start(regional_line(region="ie1"))
    conn = attachment.connection
    call = CallDriver(signed_post, conn, token=conn.auth_token)  # IE1 signs with the IE1 token
    call.dial()
    assert call.said() == ["Hello, this is Flametree. How can I help?"]

    # While Twilio applies the new routing (up to 5 minutes), US1 may still process a call and
    # sign it with the US1 token.
    CallDriver(signed_post, conn, token=attachment.us1_token).dial()
    forged = signed_post(webhook_urls.voice_url(conn.webhook_key), CallDriver(None, conn).params(), new_auth_token())
    assert forged.status_code == 403


@pytest.mark.parametrize(
    "region, edge, host",
    [
        ("", "", "api.twilio.com"),
        ("us1", "", "api.twilio.com"),
        ("", "sydney", "api.sydney.us1.twilio.com"),
        ("au1", "", "api.sydney.au1.twilio.com"),
        ("ie1", "dublin", "api.dublin.ie1.twilio.com"),
    ],
)
def test_region_and_edge_choose_the_host(regional_line, start, twilio_standin, region, edge, host):
    attachment = start(regional_line(region=region, edge=edge))
    assert {r.host for r in twilio_standin.requests if r.host.startswith("api.")} == {host}
    assert attachment.line_state == "live"
