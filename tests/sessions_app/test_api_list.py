"""GET /api/sessions: the facts of each call, newest first, filters that say what they accept, pages."""

import datetime as dt

import pytest
from django.db import connection as database
from django.test.utils import CaptureQueriesContext

from sessions_app.models import Session

UTC = dt.UTC


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["results"]]


def test_list_shows_each_call_with_its_facts(api, call_factory, agent_factory, connection_factory):
    agent = agent_factory(name="Front desk")
    line = connection_factory(name="Main line")
    session = call_factory(
        agent,
        connection=line,
        direction="outbound",
        from_number="+14155550123",
        to_number="+33612345678",
        lines=[("agent", "Hello"), ("caller", "Hi"), ("agent", "Bye")],
        length=65,
    )

    response = api.get("/api/sessions")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 and body["next"] is None and body["previous"] is None
    item = body["results"][0]
    assert item == {
        "id": str(session.id),
        "url": f"http://testserver/api/sessions/{session.id}",
        "agent": agent.pk,
        "agent_name": "Front desk",
        "channel": "twilio",
        "connection": {"id": line.pk, "name": "Main line"},
        "direction": "outbound",
        "from_number": "+14155550123",
        "to_number": "+33612345678",
        "state": "closed",
        "close_reason": "completed",
        "created_at": item["created_at"],
        "answered_at": item["answered_at"],
        "closed_at": item["closed_at"],
        "duration_seconds": 65,
        "message_count": 3,
    }
    assert dt.datetime.fromisoformat(item["created_at"]) == session.created_at


def test_open_call_has_no_duration_yet_and_a_deleted_agent_keeps_its_name(api, call_factory, agent_factory):
    agent = agent_factory(name="Retired agent")
    session = call_factory(agent, state="open")
    agent.delete()

    item = api.get("/api/sessions").json()["results"][0]

    assert item["id"] == str(session.id)
    assert (item["state"], item["close_reason"], item["closed_at"], item["duration_seconds"]) == (
        "open",
        "",
        None,
        None,
    )
    assert (item["agent"], item["agent_name"], item["connection"]) == (None, "Retired agent", None)


def test_list_never_reads_the_connection_credentials(api, call_factory, connection_factory):
    line = connection_factory(auth_token="0123456789abcdef0123456789abcdef")
    call_factory(connection=line)

    with CaptureQueriesContext(database) as queries:
        response = api.get("/api/sessions")

    assert response.status_code == 200
    assert b"0123456789abcdef" not in response.content and b"auth_token" not in response.content
    assert not [q["sql"] for q in queries if "auth_token" in q["sql"]]


def test_list_costs_the_same_queries_for_one_call_or_many(api, call_factory, connection_factory):
    call_factory(connection=connection_factory(), lines=[("agent", "Hello")])
    with CaptureQueriesContext(database) as one:
        assert len(ids(api.get("/api/sessions"))) == 1

    for _ in range(5):
        call_factory(connection=connection_factory(), lines=[("agent", "Hello"), ("caller", "Hi")])
    with CaptureQueriesContext(database) as six:
        assert len(ids(api.get("/api/sessions"))) == 6

    assert len(six) == len(one)


@pytest.fixture
def calls(call_factory, agent_factory):
    """Four calls of two agents, on both directions and in every state, across a month boundary."""
    alice, bob = agent_factory(name="Alice"), agent_factory(name="Bob")
    made = {
        "alice_inbound_closed": call_factory(alice, started=dt.datetime(2025, 1, 10, 9, 0, tzinfo=UTC)),
        "alice_outbound_open": call_factory(
            alice, direction="outbound", state="open", started=dt.datetime(2025, 1, 20, 12, 0, tzinfo=UTC)
        ),
        "bob_outbound_dialing": call_factory(
            bob, direction="outbound", state="dialing", started=dt.datetime(2025, 1, 31, 23, 30, tzinfo=UTC)
        ),
        "bob_inbound_closed": call_factory(bob, started=dt.datetime(2025, 2, 1, 0, 0, tzinfo=UTC)),
    }
    made["agents"] = {"alice": alice.pk, "bob": bob.pk}
    return made


def test_list_is_newest_first(api, calls):
    assert ids(api.get("/api/sessions")) == [
        str(calls[name].id)
        for name in ["bob_inbound_closed", "bob_outbound_dialing", "alice_outbound_open", "alice_inbound_closed"]
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"agent": "alice"}, ["alice_outbound_open", "alice_inbound_closed"]),
        ({"agent": "bob"}, ["bob_inbound_closed", "bob_outbound_dialing"]),
        (
            {"channel": "twilio"},
            ["bob_inbound_closed", "bob_outbound_dialing", "alice_outbound_open", "alice_inbound_closed"],
        ),
        ({"state": "open"}, ["alice_outbound_open"]),
        ({"state": "dialing"}, ["bob_outbound_dialing"]),
        ({"state": "closed"}, ["bob_inbound_closed", "alice_inbound_closed"]),
        ({"direction": "outbound"}, ["bob_outbound_dialing", "alice_outbound_open"]),
        ({"direction": "inbound"}, ["bob_inbound_closed", "alice_inbound_closed"]),
        ({"created_after": "2025-01-20"}, ["bob_inbound_closed", "bob_outbound_dialing", "alice_outbound_open"]),
        ({"created_after": "2025-01-20T12:00:01Z"}, ["bob_inbound_closed", "bob_outbound_dialing"]),
        ({"created_before": "2025-01-31"}, ["bob_outbound_dialing", "alice_outbound_open", "alice_inbound_closed"]),
        ({"created_before": "2025-01-20T12:00:00Z"}, ["alice_outbound_open", "alice_inbound_closed"]),
        (
            {"created_after": "2025-01-15", "created_before": "2025-01-31"},
            ["bob_outbound_dialing", "alice_outbound_open"],
        ),
        ({"created_after": "2025-01-31T23:30:00-01:00"}, []),
        (
            {"created_before": "2025-02-01T00:30:00+01:00"},
            ["bob_outbound_dialing", "alice_outbound_open", "alice_inbound_closed"],
        ),
        ({"created_after": "2025-01-31T23:45:00"}, ["bob_inbound_closed"]),
        ({"agent": "alice", "direction": "outbound"}, ["alice_outbound_open"]),
        ({"agent": "bob", "state": "open"}, []),
        ({"state": ""}, ["bob_inbound_closed", "bob_outbound_dialing", "alice_outbound_open", "alice_inbound_closed"]),
    ],
)
def test_filters_select_the_matching_calls(api, calls, query, expected):
    if "agent" in query:
        query = {**query, "agent": calls["agents"][query["agent"]]}
    assert ids(api.get("/api/sessions", query)) == [str(calls[name].id) for name in expected]


@pytest.mark.parametrize(
    ("parameter", "value", "phrases"),
    [
        ("agent", "alice", ["not an agent id", "whole number"]),
        ("agent", "0", ["not an agent id"]),
        ("agent", "99999999999999999999999", ["not an agent id"]),
        ("channel", "sms", ["'sms'", "use one of: twilio"]),
        ("state", "opne", ["'opne'", "use one of: dialing, open, closed"]),
        ("direction", "sideways", ["use one of: inbound, outbound"]),
        ("created_after", "yesterday", ["'yesterday' is not a date", "ISO 8601"]),
        ("created_before", "2025-13-01", ["is not a date", "ISO 8601"]),
        ("created_before", "0001-01-01T00:00:00+05:00", ["out of range"]),
        ("page_size", "many", ["not a page size", "1 to 200"]),
        ("page_size", "0", ["not a page size"]),
    ],
)
def test_a_filter_value_that_cannot_be_read_is_a_400_naming_the_parameter(api, calls, parameter, value, phrases):
    response = api.get("/api/sessions", {parameter: value})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    detail = response.json()["detail"]
    assert detail.startswith(f"{parameter}: "), detail
    for phrase in phrases:
        assert phrase in detail, detail


def test_a_plus_sent_unencoded_in_a_date_gets_a_hint(api, calls):
    response = api.get("/api/sessions?created_after=2025-01-31T23:00:00+01:00")

    assert response.status_code == 400
    assert "%2B" in response.json()["detail"]


def test_a_later_date_excludes_every_earlier_call(api, calls):
    assert ids(api.get("/api/sessions", {"created_after": "9999-12-31"})) == []
    assert len(ids(api.get("/api/sessions", {"created_before": "9999-12-31"}))) == 4


def bulk_calls(agent, count: int) -> list[Session]:
    """`count` closed calls one minute apart, oldest first."""
    start = dt.datetime(2025, 3, 1, tzinfo=UTC)
    sessions = Session.objects.bulk_create(
        Session(agent=agent, agent_name=agent.name, direction="inbound", state="closed", call_sid=f"CAbulk{n}")
        for n in range(count)
    )
    for n, session in enumerate(sessions):
        Session.objects.filter(pk=session.pk).update(created_at=start + dt.timedelta(minutes=n))
    return sessions


def test_pages_walk_through_every_call_once_newest_first(api, agent_factory):
    sessions = bulk_calls(agent_factory(), 5)
    newest_first = [str(s.id) for s in reversed(sessions)]

    seen, url, pages = [], "/api/sessions?page_size=2", 0
    while url:
        body = api.get(url).json()
        assert body["count"] == 5
        seen += [item["id"] for item in body["results"]]
        url, pages = body["next"], pages + 1

    assert seen == newest_first and pages == 3


def test_page_size_defaults_to_50_and_is_capped_at_200(api, agent_factory):
    bulk_calls(agent_factory(), 201)

    assert len(ids(api.get("/api/sessions"))) == 50
    capped = api.get("/api/sessions", {"page_size": 500}).json()
    assert len(capped["results"]) == 200 and capped["next"] is not None


def test_a_page_past_the_end_is_a_json_404(api, agent_factory):
    bulk_calls(agent_factory(), 3)

    response = api.get("/api/sessions", {"page": 7})

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "page" in response.json()["detail"].lower()
