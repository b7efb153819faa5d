"""An administrator attaches a connection to an agent, starts it and sees the line go live, in Chromium."""

import pytest

from agents.models import Agent
from tests.conftest import new_account_sid, new_auth_token


@pytest.mark.browser
def test_attach_with_inbound_start_and_see_the_line_live_and_logged(
    admin_page, twilio_standin, connection_factory, agent_factory
):
    page = admin_page
    connection = connection_factory(
        name="Front desk line", account_sid=new_account_sid(), auth_token=new_auth_token(), phone_number="+14155550199"
    )
    twilio_standin.add_account(connection.account_sid, connection.auth_token)
    twilio_standin.add_number(connection.account_sid, connection.phone_number)
    agent = agent_factory(name="Reception")

    page.goto(f"/admin/agents/agent/{agent.pk}/change/")
    page.get_by_text("Add another Twilio connection").click()
    row = page.locator("#attachments-group tr.form-row.dynamic-attachments").last
    row.locator("select[name$='-connection']").select_option(label=str(connection))
    row.locator("input[name$='-inbound']").check()
    page.click("input[name=_continue]")
    page.wait_for_selector("text=was changed successfully")

    page.click("#start-agent")
    page.wait_for_selector("text=started")
    card = page.locator("#attachments-group")
    assert "Live" in card.inner_text()
    assert f"/twilio/{connection.webhook_key}/voice" in card.inner_text()
    assert Agent.objects.get(pk=agent.pk).state == "running"
    page.screenshot(path="/tmp/agent-live.png", full_page=True)

    page.click("#show-logs")
    page.wait_for_selector("#log-entries")
    assert page.locator(".log-tab.selected").inner_text().lower() == "twilio"
    first_line = page.locator("#log-entries tbody tr").first.inner_text()
    assert "+14155550199 is live" in first_line
    assert connection.auth_token not in page.content()
