"""The stand-in's call log through the real ``twilio`` library: incoming calls, the Calls list, call lengths."""

from __future__ import annotations

import datetime

import pytest
import requests
from twilio.rest import Client

from tests.twilio_standin import TwilioStandIn, new_sid

TOKEN = "secret-token"
NUMBER = "+14155550123"
CUSTOMER = "+15005550006"


@pytest.fixture
def account(twilio_standin: TwilioStandIn) -> str:
    sid = new_sid("AC")
    twilio_standin.add_account(sid, TOKEN)
    twilio_standin.add_number(sid, NUMBER)
    return sid


@pytest.fixture
def client(account: str) -> Client:
    return Client(account, TOKEN, environment={})


def test_an_incoming_call_is_in_the_log_and_its_length_counts_from_its_start(twilio_standin, account, client):
    started = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=3)
    call = twilio_standin.add_call(account, from_=CUSTOMER, start_time=started)

    fetched = client.calls(call["sid"]).fetch()
    assert (fetched.direction, fetched.status, fetched.to, fetched._from) == (
        "inbound",
        "in-progress",
        NUMBER,
        CUSTOMER,
    )
    assert fetched.phone_number_sid == twilio_standin.numbers(account)[0]["sid"]

    twilio_standin.set_call_status(account, call["sid"], "completed")
    ended = client.calls(call["sid"]).fetch()
    assert ended.status == "completed"
    assert 180 <= int(ended.duration) <= 182
    assert ended.end_time - ended.start_time == datetime.timedelta(seconds=int(ended.duration))


def test_the_calls_list_filters_by_to_and_from_newest_first_across_pages(twilio_standin, account, client):
    placed = [client.calls.create(to=CUSTOMER, from_=NUMBER, url="https://portal.example/voice") for _ in range(3)]
    client.calls.create(to="+15005550009", from_=NUMBER, url="https://portal.example/voice")
    twilio_standin.add_call(account, from_=CUSTOMER)  # the customer calling in: To is our number

    listed = client.calls.list(to=CUSTOMER, from_=NUMBER, page_size=2)

    assert sorted(c.sid for c in listed) == sorted(c.sid for c in placed)
    created = [c.date_created for c in listed]
    assert created == sorted(created, reverse=True)
    pages = [r for r in twilio_standin.requests if r.method == "GET" and r.path.endswith("/Calls.json")]
    assert len(pages) == 2 and pages[0].query == {"To": CUSTOMER, "From": NUMBER, "PageSize": "2"}


def test_the_calls_list_filters_by_status_and_start_date(twilio_standin, account, client):
    yesterday = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=1)
    old = twilio_standin.add_call(account, start_time=yesterday, status="in-progress")
    new = twilio_standin.add_call(account, status="in-progress")
    twilio_standin.set_call_status(account, old["sid"], "completed")

    assert [c.sid for c in client.calls.list(status="in-progress")] == [new["sid"]]
    today = datetime.datetime.now(datetime.UTC).date().isoformat()
    path = f"https://api.twilio.com/2010-04-01/Accounts/{account}/Calls.json"
    body = requests.get(path, params={"StartTime>": today}, auth=(account, TOKEN), timeout=5).json()
    assert [c["sid"] for c in body["calls"]] == [new["sid"]]


def test_the_calls_list_refuses_what_twilios_spec_does_not_define(account):
    path = f"https://api.twilio.com/2010-04-01/Accounts/{account}/Calls.json"
    response = requests.get(path, params={"CallerName": "x"}, auth=(account, TOKEN), timeout=5)
    assert response.status_code == 400 and response.json()["code"] == 20001


def test_the_calls_list_shows_the_calls_of_the_region_asked_only(twilio_standin, account, client):
    twilio_standin.add_account(account, "ie1-token", region="ie1")
    in_dublin = twilio_standin.add_call(account, region="ie1")
    at_home = twilio_standin.add_call(account)
    ie1 = Client(account, "ie1-token", region="ie1", edge="dublin", environment={})

    assert [c.sid for c in ie1.calls.list()] == [in_dublin["sid"]]
    assert [c.sid for c in client.calls.list()] == [at_home["sid"]]
    assert ie1.calls(in_dublin["sid"]).fetch().direction == "inbound"
