"""The Twilio stand-in, exercised through the real ``twilio`` library (no mocks).

Every call below goes twilio -> requests -> HTTPS_PROXY (CONNECT) -> TLS with the
throwaway CA -> stand-in, exactly the path production code takes.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from urllib.parse import quote

import pytest
import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.rest import Client

from tests.twilio_standin import TwilioStandIn, new_sid

TOKEN = "secret-token"
IE1_TOKEN = "secret-token-of-ie1"
NUMBER = "+14155550123"


@pytest.fixture
def account(twilio_standin: TwilioStandIn) -> str:
    sid = new_sid("AC")
    twilio_standin.add_account(sid, TOKEN)
    return sid


@pytest.fixture
def client(account: str) -> Client:
    return Client(account, TOKEN, environment={})


def api_error(excinfo: pytest.ExceptionInfo[TwilioRestException]) -> tuple[int, int]:
    return excinfo.value.status, excinfo.value.code


def test_list_filters_by_exact_phone_number(twilio_standin: TwilioStandIn, account: str, client: Client) -> None:
    for phone in (NUMBER, "+14155550999", "+442071838750"):
        twilio_standin.add_number(account, phone)

    found = client.incoming_phone_numbers.list(phone_number=NUMBER)
    assert [n.phone_number for n in found] == [NUMBER]
    assert found[0].friendly_name == "(415) 555-0123"
    assert twilio_standin.requests[-1].query["PhoneNumber"] == NUMBER
    # a value URL-encoded by the caller (%2B...) is accepted too
    assert len(client.incoming_phone_numbers.list(phone_number=quote(NUMBER))) == 1
    assert client.incoming_phone_numbers.list(phone_number="+15005550000") == []


def test_update_voice_settings_and_read_back(twilio_standin: TwilioStandIn, account: str, client: Client) -> None:
    app_sid = new_sid("AP")
    pn = twilio_standin.add_number(
        account, NUMBER, voice_url="https://old.example/voice", voice_application_sid=app_sid
    )
    updated = client.incoming_phone_numbers(pn["sid"]).update(
        voice_url="https://new.example/voice",
        voice_method="GET",
        status_callback="https://new.example/status",
        status_callback_method="POST",
        voice_application_sid="",
    )
    assert updated.voice_url == "https://new.example/voice"
    assert updated.voice_application_sid == ""

    fetched = client.incoming_phone_numbers(pn["sid"]).fetch()
    assert (fetched.voice_url, fetched.voice_method) == ("https://new.example/voice", "GET")
    assert fetched.status_callback == "https://new.example/status"
    state = twilio_standin.numbers(account)[0]
    assert state["voice_method"] == "GET" and state["voice_application_sid"] == ""
    post = next(r for r in twilio_standin.requests if r.method == "POST")
    assert post.form["VoiceMethod"] == ["GET"] and post.account_sid == account


def test_region_and_edge_select_the_host(twilio_standin: TwilioStandIn, account: str, client: Client) -> None:
    twilio_standin.add_account(account, IE1_TOKEN, region="ie1")
    twilio_standin.add_number(account, NUMBER)
    client.incoming_phone_numbers.list()
    regional = Client(account, IE1_TOKEN, region="ie1", edge="dublin", environment={})
    regional.incoming_phone_numbers.list()

    default_req, regional_req = twilio_standin.requests
    assert default_req.host == default_req.connect_host == "api.twilio.com"
    assert regional_req.host == regional_req.connect_host == "api.dublin.ie1.twilio.com"
    assert (default_req.region, regional_req.region) == ("us1", "ie1")
    assert twilio_standin.connect_hosts == ["api.twilio.com", "api.dublin.ie1.twilio.com"]


def test_an_auth_token_works_only_in_its_own_region(twilio_standin: TwilioStandIn, account: str) -> None:
    twilio_standin.add_account(account, IE1_TOKEN, region="ie1")
    twilio_standin.add_number(account, NUMBER)
    with pytest.raises(TwilioRestException) as excinfo:
        Client(account, TOKEN, region="ie1", edge="dublin").calls.create(to=NUMBER, from_=NUMBER, twiml="<Response/>")
    assert api_error(excinfo) == (401, 20003)
    with pytest.raises(TwilioException):
        Client(account, IE1_TOKEN).incoming_phone_numbers.list()  # the IE1 token in US1
    assert len(Client(account, IE1_TOKEN, region="ie1", edge="dublin").incoming_phone_numbers.list()) == 1


def test_a_region_without_an_edge_is_a_retired_host(twilio_standin: TwilioStandIn, account: str) -> None:
    twilio_standin.add_account(account, IE1_TOKEN, region="ie1")
    with pytest.raises(requests.exceptions.ConnectionError):
        Client(account, IE1_TOKEN, region="ie1", environment={}).incoming_phone_numbers.list()
    assert twilio_standin.connect_hosts == ["api.ie1.twilio.com"] and twilio_standin.requests == []


def test_each_region_keeps_its_own_record_of_a_number(twilio_standin: TwilioStandIn, account: str) -> None:
    twilio_standin.add_account(account, IE1_TOKEN, region="ie1")
    pn = twilio_standin.add_number(account, NUMBER, voice_url="https://us.example/voice")
    ireland = Client(account, IE1_TOKEN, region="ie1", edge="dublin")
    [found] = ireland.incoming_phone_numbers.list(phone_number=NUMBER)
    assert found.sid == pn["sid"] and found.voice_url == ""  # the same number, its own configuration
    ireland.incoming_phone_numbers(pn["sid"]).update(voice_url="https://ie.example/voice")

    assert twilio_standin.numbers(account, region="ie1")[0]["voice_url"] == "https://ie.example/voice"
    assert twilio_standin.numbers(account)[0]["voice_url"] == "https://us.example/voice"
    twilio_standin.add_number(account, NUMBER, region="au1", trunk_sid="TK" + "1" * 32)
    assert twilio_standin.numbers(account, region="au1")[0]["trunk_sid"] == "TK" + "1" * 32
    assert twilio_standin.numbers(account, region="au1")[0]["sid"] == pn["sid"]


def test_a_messaging_only_number_says_so_in_its_capabilities(twilio_standin: TwilioStandIn, account: str) -> None:
    twilio_standin.add_number(account, NUMBER, voice=False)
    [number] = Client(account, TOKEN).incoming_phone_numbers.list()
    assert number.capabilities == {"voice": False, "sms": True, "mms": True, "fax": False}
    assert twilio_standin.add_number(account, "+14155550999")["capabilities"]["voice"] is True


def test_routes_api_reads_and_sets_the_inbound_processing_region(
    twilio_standin: TwilioStandIn, account: str, client: Client
) -> None:
    twilio_standin.add_account(account, IE1_TOKEN, region="ie1")
    twilio_standin.add_number(account, NUMBER)
    route = client.routes.v2.phone_numbers(NUMBER).fetch()
    assert (route.phone_number, route.voice_region, route.account_sid) == (NUMBER, "us1", account)
    assert re.fullmatch(r"QQ[0-9a-f]{32}", route.sid)

    assert client.routes.v2.phone_numbers(NUMBER).update(voice_region="ie1").voice_region == "ie1"
    assert twilio_standin.inbound_region(account, NUMBER) == "ie1"
    post = twilio_standin.requests[-1]
    assert (post.host, post.connect_host, post.region) == ("routes.twilio.com", "routes.twilio.com", "us1")
    assert post.path == f"/v2/PhoneNumbers/{NUMBER}" and post.form == {"VoiceRegion": ["ie1"]}
    body = json.loads(client.request("GET", f"https://routes.twilio.com/v2/PhoneNumbers/{NUMBER}").text)
    assert set(body) == set(twilio_standin._store.routes_contract.resource_fields("routes.v2.phone_number"))


def test_routes_api_takes_only_us1_credentials_and_checks_its_contract(
    twilio_standin: TwilioStandIn, account: str, client: Client
) -> None:
    twilio_standin.add_account(account, IE1_TOKEN, region="ie1")
    twilio_standin.add_number(account, NUMBER)
    with pytest.raises(TwilioRestException) as excinfo:
        Client(account, IE1_TOKEN).routes.v2.phone_numbers(NUMBER).update(voice_region="ie1")
    assert api_error(excinfo) == (401, 20003)
    with pytest.raises(TwilioRestException) as excinfo:
        client.routes.v2.phone_numbers(NUMBER).update(voice_region="de1")
    assert api_error(excinfo)[0] == 400 and "VoiceRegion" in excinfo.value.msg
    response = client.request("POST", f"https://routes.twilio.com/v2/PhoneNumbers/{NUMBER}", data={"Region": "ie1"})
    assert response.status_code == 400 and '"code": 20001' in response.text
    with pytest.raises(TwilioRestException) as excinfo:
        client.routes.v2.phone_numbers("+14155550999").fetch()  # not this account's number
    assert api_error(excinfo) == (404, 20404)
    assert twilio_standin.inbound_region(account, NUMBER) == "us1"


def test_calls_live_in_the_region_they_were_placed_in(twilio_standin: TwilioStandIn, account: str) -> None:
    twilio_standin.add_account(account, IE1_TOKEN, region="ie1")
    twilio_standin.add_number(account, NUMBER)
    ireland = Client(account, IE1_TOKEN, region="ie1", edge="dublin")
    call = ireland.calls.create(to="+14155550100", from_=NUMBER, twiml="<Response/>")
    assert [c["sid"] for c in twilio_standin.calls(account, region="ie1")] == [call.sid]
    assert twilio_standin.calls(account) == []
    with pytest.raises(TwilioRestException) as excinfo:
        Client(account, TOKEN).calls(call.sid).fetch()  # US1 does not know it
    assert api_error(excinfo) == (404, 20404)
    assert ireland.calls(call.sid).update(status="completed").status == "completed"


def test_wrong_credentials_and_foreign_account_get_20003(twilio_standin: TwilioStandIn, account: str) -> None:
    pn = twilio_standin.add_number(account, NUMBER)
    wrong = Client(account, "wrong", environment={})
    with pytest.raises(TwilioRestException) as excinfo:
        wrong.incoming_phone_numbers(pn["sid"]).fetch()
    assert api_error(excinfo) == (401, 20003)
    assert excinfo.value.msg.endswith("Authenticate")
    # list() is different in the real library: a bare TwilioException carrying the response
    with pytest.raises(TwilioException) as listing:
        wrong.incoming_phone_numbers.list()
    assert listing.value.args[1].status_code == 401

    other = new_sid("AC")
    twilio_standin.add_account(other, "other-token")
    with pytest.raises(TwilioRestException) as excinfo:
        Client(other, "other-token").api.v2010.accounts(account).incoming_phone_numbers(pn["sid"]).fetch()
    assert api_error(excinfo) == (401, 20003)


def test_unknown_resources_are_20404(account: str, client: Client) -> None:
    with pytest.raises(TwilioRestException) as excinfo:
        client.incoming_phone_numbers(new_sid("PN")).fetch()
    assert api_error(excinfo) == (404, 20404)
    assert "was not found" in excinfo.value.msg
    response = client.request("GET", f"https://api.twilio.com/2010-04-01/Accounts/{account}.json")
    assert response.status_code == 404 and '"code": 20404' in response.text


def test_contract_rejects_unknown_params_bad_enums_and_bad_sids(
    twilio_standin: TwilioStandIn, account: str, client: Client
) -> None:
    pn = twilio_standin.add_number(account, NUMBER)
    url = f"https://api.twilio.com/2010-04-01/Accounts/{account}/IncomingPhoneNumbers/{pn['sid']}.json"
    response = client.request("POST", url, data={"VoiceUrll": "https://x.example/"})
    assert response.status_code == 400 and '"code": 20001' in response.text

    with pytest.raises(TwilioRestException) as excinfo:
        client.incoming_phone_numbers(pn["sid"]).update(voice_method="PUT")
    assert api_error(excinfo) == (400, 21403)
    with pytest.raises(TwilioRestException) as excinfo:
        client.incoming_phone_numbers(pn["sid"]).update(trunk_sid="not-a-trunk")
    assert api_error(excinfo)[0] == 400
    with pytest.raises(TwilioRestException) as excinfo:
        client.calls.create(
            to="+14155550100", from_=NUMBER, url="https://x.example/", status_callback_event=["dialing"]
        )
    assert api_error(excinfo)[0] == 400
    assert twilio_standin.numbers(account)[0]["voice_method"] == "POST"


def test_response_fields_follow_the_spec(twilio_standin: TwilioStandIn, account: str, client: Client) -> None:
    pn = twilio_standin.add_number(account, NUMBER)
    base = f"https://api.twilio.com/2010-04-01/Accounts/{account}"
    envelope = json.loads(client.request("GET", f"{base}/IncomingPhoneNumbers.json").text)
    assert set(envelope) == {
        "incoming_phone_numbers", "page", "page_size", "next_page_uri", "uri",
        "first_page_uri", "previous_page_uri", "start", "end",
    }  # fmt: skip
    fields = twilio_standin.contract.resource_fields("api.v2010.account.incoming_phone_number")
    assert set(envelope["incoming_phone_numbers"][0]) == set(fields)
    fetched = client.request("GET", f"{base}/IncomingPhoneNumbers/{pn['sid']}.json")
    assert json.loads(fetched.text)["sid"] == pn["sid"]


def test_calls_create_validates_to_and_from(twilio_standin: TwilioStandIn, account: str, client: Client) -> None:
    twilio_standin.add_number(account, NUMBER)
    with pytest.raises(TwilioRestException) as excinfo:
        client.calls.create(to="415-555-0100", from_=NUMBER, url="https://app.example/twiml")
    assert api_error(excinfo) == (400, 21211)
    assert excinfo.value.msg.endswith("The 'To' number 415-555-0100 is not a valid phone number.")
    with pytest.raises(TwilioRestException) as excinfo:
        client.calls.create(to="+14155550100", from_="+15005550006", url="https://app.example/t")
    assert api_error(excinfo) == (400, 21210)
    assert "+15005550006, is not yet verified for your account" in excinfo.value.msg
    with pytest.raises(TwilioRestException) as excinfo:
        client.calls.create(to="+14155550100", from_=NUMBER)
    assert api_error(excinfo)[0] == 400
    assert twilio_standin.calls(account) == []


def test_calls_create_fetch_and_hang_up(twilio_standin: TwilioStandIn, account: str, client: Client) -> None:
    pn = twilio_standin.add_number(account, NUMBER)
    call = client.calls.create(
        to="+14155550100",
        from_=NUMBER,
        url="https://app.example/twiml",
        status_callback="https://app.example/status",
        status_callback_event=["initiated", "answered", "completed"],
        status_callback_method="POST",
    )
    assert re.fullmatch(r"CA[0-9a-f]{32}", call.sid) and call.status == "queued"
    recorded = twilio_standin.calls(account)[0]
    assert recorded["StatusCallbackEvent"] == ["initiated", "answered", "completed"]
    assert recorded["Url"] == "https://app.example/twiml"
    assert recorded["phone_number_sid"] == pn["sid"]

    assert client.calls(call.sid).fetch().to == "+14155550100"
    twilio_standin.set_call_status(account, call.sid, "in-progress")
    client.calls(call.sid).update(twiml="<Response><Hangup/></Response>")
    assert client.calls(call.sid).update(status="completed").status == "completed"
    with pytest.raises(TwilioRestException) as excinfo:
        client.calls(call.sid).update(url="https://app.example/other")
    assert api_error(excinfo) == (400, 21220)
    updates = twilio_standin.calls(account)[0]["updates"]  # rejected ones are not kept
    assert updates == [{"Twiml": "<Response><Hangup/></Response>"}, {"Status": "completed"}]


def test_paging_follows_next_page_uri(twilio_standin: TwilioStandIn, account: str, client: Client) -> None:
    for i in range(120):
        twilio_standin.add_number(account, f"+1415555{i:04d}")
    numbers = client.incoming_phone_numbers.list(page_size=50)
    assert len({n.sid for n in numbers}) == 120
    pages = [r.query for r in twilio_standin.requests]
    assert [q.get("Page") for q in pages] == [None, "1", "2"]
    assert pages[1]["PageSize"] == "50" and pages[1]["PageToken"].startswith("PA")
    assert len(client.incoming_phone_numbers.list(limit=60, page_size=25)) == 60


def test_fail_next_injects_twilio_errors(twilio_standin: TwilioStandIn, account: str, client: Client) -> None:
    pn = twilio_standin.add_number(account, NUMBER)
    twilio_standin.fail_next()
    with pytest.raises(TwilioRestException) as excinfo:
        client.incoming_phone_numbers(pn["sid"]).fetch()
    assert api_error(excinfo) == (503, 20500)
    assert len(client.incoming_phone_numbers.list()) == 1

    twilio_standin.fail_next(status=429, code=20429, message="Too Many Requests",
                             times=2, path_contains="/Calls")  # fmt: skip
    for _ in range(2):
        with pytest.raises(TwilioRestException) as excinfo:
            client.calls.create(to="+14155550100", from_=NUMBER, url="https://a.example/")
        assert api_error(excinfo) == (429, 20429)
    assert len(client.incoming_phone_numbers.list()) == 1
    assert client.calls.create(to="+14155550100", from_=NUMBER, url="https://a.example/").sid


def test_unreachable_surfaces_a_connection_error(twilio_standin: TwilioStandIn, account: str, client: Client) -> None:
    twilio_standin.add_number(account, NUMBER)
    client.incoming_phone_numbers.list()  # leaves a pooled tunnel open
    twilio_standin.unreachable = True
    with pytest.raises(requests.exceptions.ConnectionError):
        client.incoming_phone_numbers.list()
    with pytest.raises(requests.exceptions.ConnectionError):
        Client(account, TOKEN).incoming_phone_numbers.list()
    twilio_standin.unreachable = False
    assert len(client.incoming_phone_numbers.list()) == 1


def test_concurrent_requests_are_all_recorded(twilio_standin: TwilioStandIn, account: str) -> None:
    twilio_standin.add_number(account, NUMBER)

    def place_calls() -> None:
        worker = Client(account, TOKEN)
        for _ in range(5):
            worker.calls.create(to="+14155550100", from_=NUMBER, twiml="<Response/>")

    threads = [threading.Thread(target=place_calls) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(twilio_standin.calls(account)) == 30
    assert [r.status for r in twilio_standin.requests] == [201] * 30


def test_delay_seconds_slows_every_answer(twilio_standin: TwilioStandIn, account: str, client: Client) -> None:
    pn = twilio_standin.add_number(account, NUMBER)
    twilio_standin.delay_seconds = 0.2
    started = time.monotonic()
    client.incoming_phone_numbers(pn["sid"]).fetch()
    assert time.monotonic() - started >= 0.2


WORKER_SCRIPT = """
import sys
from twilio.rest import Client
numbers = Client(sys.argv[1], sys.argv[2]).incoming_phone_numbers.list(phone_number=sys.argv[3])
print(numbers[0].sid)
"""


def test_a_subprocess_reaches_the_standin_through_env(twilio_standin_server: TwilioStandIn) -> None:
    """What a Celery worker does: a separate process configured only by environment."""
    twilio_standin_server.reset()
    sid = new_sid("AC")
    twilio_standin_server.add_account(sid, TOKEN)
    pn = twilio_standin_server.add_number(sid, NUMBER)
    done = subprocess.run(
        [sys.executable, "-c", WORKER_SCRIPT, sid, TOKEN, NUMBER],
        env={**os.environ, **twilio_standin_server.env},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == pn["sid"]
    assert twilio_standin_server.requests[-1].connect_host == "api.twilio.com"
