"""A placed call Twilio refuses at once: the admin and the API say it ended and why, never "dialing".

Tasks run in-process here (no broker), as on a laptop: the dial runs when the request's own
transaction commits, before the answer is written. So these tests commit for real (transactional
database) instead of holding on_commit callbacks until the test's end.
"""

import pytest
from django.urls import reverse

from sessions_app.models import Session

INVALID = "+15005550001"  # the number Twilio's test credentials answer with error 21211


def refuse_the_next_dial(twilio_standin) -> None:
    twilio_standin.fail_next(
        status=400,
        code=21211,
        message=f"The 'To' number {INVALID} is not a valid phone number.",
        path_contains="/Calls",
    )


@pytest.mark.django_db(transaction=True)
def test_the_api_answers_closed_with_the_reason_and_what_happened(api, outbound_line, twilio_standin):
    line = outbound_line()
    refuse_the_next_dial(twilio_standin)

    response = api.post(f"/api/agents/{line.agent_id}/calls", {"to": INVALID}, format="json")

    assert response.status_code == 202, response.content
    body = response.json()
    assert (body["state"], body["close_reason"]) == ("closed", "dial-error")
    assert body["detail"].startswith("Twilio refused the call: ")
    assert "(error 21211)" in body["detail"] and "is not a valid phone number" in body["detail"]
    assert body["session"] == str(Session.objects.get().id)


def test_the_api_says_nothing_more_while_the_call_is_dialing(place, outbound_line, twilio_standin):
    line = outbound_line()
    assert set(place(line.agent_id).json()) == {"session", "url", "state"}


@pytest.mark.django_db(transaction=True)
def test_place_a_call_page_says_the_call_did_not_go_through_and_why(admin_client, outbound_line, twilio_standin):
    line = outbound_line()
    refuse_the_next_dial(twilio_standin)

    response = admin_client.post(reverse("admin:agents_agent_place_call", args=[line.agent_id]), {"to": INVALID})
    page = admin_client.get(response["Location"]).content.decode()

    assert f"The call to {INVALID} from {line.connection.phone_number} did not go through." in page
    assert "Twilio refused the call: " in page and "is not a valid phone number" in page
    assert "is dialing" not in page
    assert 'class="error"' in page  # Django's red message, not the green success banner
