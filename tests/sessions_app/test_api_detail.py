"""GET /api/sessions/<id>: one call with its transcript in order; ids that match nothing are JSON 404s."""

import uuid

from sessions_app.models import Message


def test_detail_shows_the_transcript_in_the_order_it_was_said(api, call_factory, connection_factory):
    line = connection_factory(name="Main line")
    session = call_factory(
        connection=line,
        lines=[("agent", "Hello, this is Flametree."), ("caller", "What are your hours?"), ("agent", "Nine to five.")],
        length=42,
    )

    response = api.get(f"/api/sessions/{session.id}")

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(session.id) and body["url"] == f"http://testserver/api/sessions/{session.id}"
    assert body["connection"] == {"id": line.pk, "name": "Main line"} and body["duration_seconds"] == 42
    assert "message_count" not in body
    assert [(m["sequence"], m["role"], m["text"]) for m in body["messages"]] == [
        (1, "agent", "Hello, this is Flametree."),
        (2, "caller", "What are your hours?"),
        (3, "agent", "Nine to five."),
    ]
    assert set(body["messages"][0]) == {"sequence", "role", "text", "created_at"}


def test_messages_follow_their_sequence_not_the_order_rows_were_written(api, call_factory):
    session = call_factory(state="open")
    for sequence, role, text in [(3, "agent", "third"), (1, "agent", "first"), (2, "caller", "second")]:
        Message.objects.create(session=session, sequence=sequence, role=role, text=text, key=f"k{sequence}")

    messages = api.get(f"/api/sessions/{session.id}").json()["messages"]

    assert [m["text"] for m in messages] == ["first", "second", "third"]


def test_a_session_with_no_messages_has_an_empty_transcript(api, call_factory):
    session = call_factory(state="dialing", direction="outbound")

    body = api.get(f"/api/sessions/{session.id}").json()

    assert (body["state"], body["messages"]) == ("dialing", [])


def test_an_unknown_id_is_a_json_404(api, call_factory):
    call_factory()
    unknown = uuid.uuid4()

    response = api.get(f"/api/sessions/{unknown}")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": f"No session with id '{unknown}'."}


def test_a_malformed_id_is_a_json_404_too(api):
    response = api.get("/api/sessions/not-a-session")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "No session with id 'not-a-session'."}


def test_trailing_slashes_are_accepted_without_a_redirect(api, call_factory):
    session = call_factory()

    assert api.get("/api/sessions/").status_code == 200
    assert api.get(f"/api/sessions/{session.id}/").json()["id"] == str(session.id)


def test_sessions_cannot_be_written_and_a_post_is_never_redirected(api, call_factory):
    session = call_factory()

    for path in ["/api/sessions", "/api/sessions/", f"/api/sessions/{session.id}", f"/api/sessions/{session.id}/"]:
        response = api.post(path, {"state": "open"}, format="json")
        assert response.status_code == 405, path
        assert response["Content-Type"] == "application/json"
    assert api.delete(f"/api/sessions/{session.id}").status_code == 405
    session.refresh_from_db()
    assert session.state == "closed"
