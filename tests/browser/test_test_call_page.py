"""An administrator holds a short test call on the agent's Test call page, then finds it in Sessions."""

import pytest

from agents.models import ScriptedAnswer
from sessions_app.models import Session
from tests.browser.journey import step


@pytest.mark.browser
def test_a_short_conversation_on_the_test_call_page_is_found_in_sessions(admin_page, running_line):
    page = admin_page
    line = running_line(greeting="Hello, this is the Flametree front desk. How can I help you today?")
    ScriptedAnswer.objects.create(
        agent=line.agent, question="What are your opening hours?", keywords="hours", answer="Nine to six, weekdays."
    )

    page.goto(f"/admin/agents/agent/{line.agent_id}/change/")
    page.click("#test-call")
    page.wait_for_selector("#test-call[data-base]")
    assert line.connection.auth_token not in page.content()

    page.click("#call")
    page.wait_for_selector(".tc-agent >> text=Flametree front desk")
    assert page.locator("#call-state").inner_text() == "In call"
    page.fill("#say", "what are your opening hours")  # while the greeting is still being read: barge-in
    page.click("#send")
    page.wait_for_selector(".tc-agent >> text=Nine to six, weekdays.")
    assert "tc-interrupted" in page.locator(".tc-agent").first.get_attribute("class")
    assert "tc-barge" in page.locator(".tc-caller").first.get_attribute("class")
    step(page, "10-test-call-page")

    page.click("#hangup")
    page.wait_for_selector("#session-link:visible")
    assert page.locator("#call-state").inner_text() == "Call ended"
    session = Session.objects.get(agent=line.agent)
    assert session.state == "closed" and session.close_reason == "completed"

    # Open Sessions and confirm the call appears there with the Twilio channel icon.
    page.goto("/admin/sessions_app/session/")
    row = page.locator("#result_list tbody tr", has_text=line.connection.phone_number)
    assert row.count() == 1 and "Closed" in row.inner_text()
    channel = row.locator(".field-channel")
    assert channel.locator("svg.channel-twilio").is_visible() and channel.inner_text().strip() == "Twilio"
    filters = page.locator("#changelist-filter").bounding_box()
    for column in (".field-state_badge", ".field-close_reason"):
        cell = row.locator(column).bounding_box()
        assert cell["x"] + cell["width"] <= filters["x"], f"{column} hides behind the filter panel"
    step(page, "11-sessions-list")
    row.locator("a").first.click()
    page.wait_for_selector("text=what are your opening hours")
    assert page.locator("text=Nine to six, weekdays.").count() == 1
    assert page.locator("text=Flametree front desk").count() >= 1
    step(page, "12-transcript")
