"""The Sessions section of the admin: the list of calls and each call's page as a chat transcript."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.db import connection as database
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sessions_app.models import Message, Session

LIST_URL = reverse("admin:sessions_app_session_changelist")


def page_url(session: Session) -> str:
    return reverse("admin:sessions_app_session_change", args=[session.pk])


def bubbles(page: str) -> list[tuple[str, str]]:
    """(role, text) of each chat bubble on a session page, top to bottom."""
    found = re.findall(r'data-role="(\w+)".*?<div class="bubble-text">(.*?)</div>', page, re.DOTALL)
    return [(role, text.strip()) for role, text in found]


@pytest.fixture
def staff_viewer(db, django_user_model, client):
    """A logged-in staff user who may view sessions but is no superuser."""
    user = django_user_model.objects.create_user("viewer", "viewer@example.test", "viewer-password", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_session", content_type__app_label="sessions_app"))
    client.force_login(user)
    return client


def test_list_shows_each_call_with_its_channel_icon_numbers_and_duration(admin_client, call_factory, agent_factory):
    agent = agent_factory(name="Front desk")
    call_factory(agent, from_number="+14155550123", to_number="+14155550999", length=65)
    call_factory(agent, from_number="+442071234567", to_number="+14155550999", state="open")

    page = admin_client.get(LIST_URL).content.decode()

    assert page.count("<title>Twilio</title>") == 2
    assert page.count('<span class="channel-name">Twilio</span>') == 2  # the icon says its name
    assert "+14155550123" in page and "+442071234567" in page and "+14155550999" in page
    assert "Front desk" in page
    assert '<td class="field-duration">1:05</td>' in page
    assert '<td class="field-duration">—</td>' in page
    assert 'class="state-badge state-open"' in page and 'class="state-badge state-closed"' in page
    assert "Completed" in page


def test_list_is_newest_first(admin_client, call_factory):
    older = call_factory(from_number="+14155550001")
    newer = call_factory(from_number="+14155550002")
    Session.objects.filter(pk=older.pk).update(created_at=newer.created_at.replace(year=2020))

    page = admin_client.get(LIST_URL).content.decode()

    assert page.index("+14155550002") < page.index("+14155550001")


def test_list_queries_do_not_grow_with_the_number_of_calls(admin_client, call_factory, connection_factory):
    call_factory(connection=connection_factory(), lines=[("agent", "Hi")])
    with CaptureQueriesContext(database) as one:
        assert admin_client.get(LIST_URL).status_code == 200

    for _ in range(5):
        call_factory(connection=connection_factory(), lines=[("agent", "Hi")])
    with CaptureQueriesContext(database) as six:
        assert admin_client.get(LIST_URL).status_code == 200

    assert len(six) == len(one)


def test_search_by_number_and_filter_by_state(admin_client, call_factory):
    call_factory(from_number="+14155550111", state="open")
    call_factory(from_number="+14155550222")

    found = admin_client.get(LIST_URL, {"q": "+14155550222"}).content.decode()
    assert "+14155550222" in found and "+14155550111" not in found

    open_only = admin_client.get(LIST_URL, {"state__exact": "open"}).content.decode()
    assert "+14155550111" in open_only and "+14155550222" not in open_only


def test_filter_by_agent_and_browse_by_year(admin_client, call_factory, agent_factory):
    night, day = agent_factory(name="Night shift"), agent_factory(name="Day shift")
    old = call_factory(night, from_number="+14155550555")
    call_factory(day, from_number="+14155550666")
    Session.objects.filter(pk=old.pk).update(created_at=old.created_at.replace(year=2020))

    by_agent = admin_client.get(LIST_URL, {"agent__id__exact": night.pk}).content.decode()
    in_2020 = admin_client.get(LIST_URL, {"created_at__year": 2020}).content.decode()

    for page in (by_agent, in_2020):
        assert "+14155550555" in page and "+14155550666" not in page


def test_search_by_call_sid_and_agent_name(admin_client, call_factory, agent_factory):
    wanted = call_factory(agent_factory(name="Night shift"), from_number="+14155550333")
    call_factory(agent_factory(name="Day shift"), from_number="+14155550444")

    by_sid = admin_client.get(LIST_URL, {"q": wanted.call_sid}).content.decode()
    by_agent = admin_client.get(LIST_URL, {"q": "night"}).content.decode()

    for page in (by_sid, by_agent):
        assert "+14155550333" in page and "+14155550444" not in page


def test_sessions_cannot_be_added(admin_client, call_factory):
    call_factory()

    page = admin_client.get(LIST_URL).content.decode()

    assert reverse("admin:sessions_app_session_add") not in page
    assert admin_client.get(reverse("admin:sessions_app_session_add")).status_code == 403


def test_session_page_shows_the_facts_then_the_transcript_in_order(admin_client, call_factory, agent_factory):
    session = call_factory(
        agent_factory(name="Front desk"),
        from_number="+14155550123",
        to_number="+14155550999",
        lines=[("agent", "Hello, this is Flametree."), ("caller", "Are you open today?"), ("agent", "Until five.")],
        length=65,
    )

    page = admin_client.get(page_url(session)).content.decode()

    assert "+14155550123" in page and "+14155550999" in page and "1:05" in page and session.call_sid in page
    assert page.index("+14155550123") < page.index('id="transcript"')
    assert bubbles(page) == [
        ("agent", "Hello, this is Flametree."),
        ("caller", "Are you open today?"),
        ("agent", "Until five."),
    ]
    assert re.search(r'class="bubble bubble-agent".*?<time datetime="[^"]+"[^>]*>\d\d:\d\d:\d\d</time>', page, re.S)


def test_transcript_follows_the_sequence_not_the_order_rows_were_written(admin_client, call_factory):
    session = call_factory(state="open")
    for sequence, role, text in [(2, "caller", "second"), (3, "agent", "third"), (1, "agent", "first")]:
        Message.objects.create(session=session, sequence=sequence, role=role, text=text, key=f"k{sequence}")

    page = admin_client.get(page_url(session)).content.decode()

    assert bubbles(page) == [("agent", "first"), ("caller", "second"), ("agent", "third")]
    assert "still going on" in page


def test_message_text_is_escaped(admin_client, call_factory):
    session = call_factory(lines=[("caller", "<script>alert('pwned')</script> & <b>bold</b>")])

    page = admin_client.get(page_url(session)).content.decode()

    assert "<script>alert(" not in page and "<b>bold</b>" not in page
    assert "&lt;script&gt;alert(&#x27;pwned&#x27;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in page


def test_session_and_messages_cannot_be_edited(admin_client, call_factory):
    session = call_factory(lines=[("caller", "Original words")])

    page = admin_client.get(page_url(session)).content.decode()
    form = page[page.index('id="session_form"') : page.index("</form>")]
    assert not re.search(r"<(textarea|select)\b", form)
    assert not [n for n in re.findall(r'<input[^>]*name="([^"]+)"', form) if n != "csrfmiddlewaretoken"]
    assert 'name="_save"' not in page

    response = admin_client.post(page_url(session), {"from_number": "+10000000000", "state": "open"})
    assert response.status_code == 403
    session.refresh_from_db()
    assert (session.from_number, session.state) == ("+14155550100", "closed")
    assert list(session.messages.values_list("text", flat=True)) == ["Original words"]


def test_a_superuser_may_delete_a_session_with_its_transcript(admin_client, call_factory):
    session = call_factory(lines=[("agent", "Hello")])
    delete_url = reverse("admin:sessions_app_session_delete", args=[session.pk])

    assert delete_url in admin_client.get(page_url(session)).content.decode()
    response = admin_client.post(delete_url, {"post": "yes"})

    assert response.status_code == 302
    assert not Session.objects.filter(pk=session.pk).exists() and not Message.objects.exists()


def test_a_staff_user_who_may_view_sessions_reads_but_cannot_delete(staff_viewer, call_factory):
    session = call_factory(lines=[("agent", "Hello")])
    delete_url = reverse("admin:sessions_app_session_delete", args=[session.pk])

    assert staff_viewer.get(LIST_URL).status_code == 200
    page = staff_viewer.get(page_url(session)).content.decode()
    assert bubbles(page) == [("agent", "Hello")]
    assert delete_url not in page
    assert staff_viewer.post(delete_url, {"post": "yes"}).status_code == 403
    assert Session.objects.filter(pk=session.pk).exists()


def test_session_page_names_the_connection_without_reading_its_auth_token(
    admin_client, call_factory, connection_factory
):
    session = call_factory(connection=connection_factory(name="Main line"))

    with CaptureQueriesContext(database) as queries:
        page = admin_client.get(page_url(session)).content.decode()

    assert "Main line" in page
    assert not [q["sql"] for q in queries if "auth_token" in q["sql"]]


def test_session_of_a_deleted_agent_keeps_the_agent_name(admin_client, call_factory, agent_factory):
    agent = agent_factory(name="Retired agent")
    session = call_factory(agent, lines=[("agent", "Hello")])
    agent.delete()

    page = admin_client.get(page_url(session)).content.decode()

    assert "Retired agent (deleted)" in page
