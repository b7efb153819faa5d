"""An administrator attaches a connection to an agent, starts it and sees the line go live, in Chromium,
following the product document's words: Add, Twilio from the dropdown, the checkbox, Advanced mode,
three-dot menu > Show Logs > the Twilio tab."""

import pytest

from agents.models import Agent
from channels_twilio.models import ChannelAttachment
from tests.browser.journey import step
from tests.conftest import new_account_sid, new_auth_token


@pytest.mark.browser
def test_attach_with_inbound_start_and_see_the_line_live_and_logged(
    admin_page, twilio_standin, connection_factory, agent_factory
):
    page = admin_page
    connection = connection_factory(
        name="Front desk line", account_sid=new_account_sid(), auth_token=new_auth_token(), phone_number="+14155550199"
    )
    connection_factory(name="Sales line")  # another connection, left unticked
    twilio_standin.add_account(connection.account_sid, connection.auth_token)
    twilio_standin.add_number(connection.account_sid, connection.phone_number)
    agent = agent_factory(name="Reception")

    # 1. Open AI Agents and select the agent.
    page.goto("/admin/agents/agent/")
    page.locator("#result_list").get_by_role("link", name="Reception").click()
    # 2. Find the Communication channels card and click Add.
    card = page.locator("#communication-channels")
    card.get_by_role("button", name="Add", exact=True).click()
    # 3. Pick Twilio from the dropdown and tick the checkbox next to your connection.
    card.get_by_label("Channel", exact=True).select_option(label="Twilio")
    card.get_by_label(str(connection)).check()
    row = page.locator("#attachments-group tr.form-row.dynamic-attachments").last
    assert row.locator("select[name$='-connection']").input_value() == str(connection.pk)
    # 4. Enable the Inbound switch.
    row.locator("input[name$='-inbound']").check()
    step(page, "06-agent-attach-twilio")

    # The agent's Max opened sessions setting … see Advanced mode.
    page.get_by_text("Advanced mode").click()
    page.get_by_label("Max opened sessions").fill("3")
    # 5. Save the agent, then start it.
    page.click("input[name=_continue]")
    page.wait_for_selector("text=was changed successfully")
    attachment = ChannelAttachment.objects.get(agent=agent)
    assert (attachment.connection, attachment.inbound) == (connection, True)
    assert Agent.objects.get(pk=agent.pk).max_opened_sessions == 3

    page.click("#start-agent")
    page.wait_for_selector("text=started")
    card = page.locator("#attachments-group")
    assert "Live" in card.inner_text()
    assert f"/twilio/{connection.webhook_key}/voice" in card.inner_text()
    assert Agent.objects.get(pk=agent.pk).state == "running"
    step(page, "07-agent-card-live")

    # Common issues: open the agent's logs (three-dot menu > Show Logs, then the Twilio tab).
    assert not page.locator("#show-logs").is_visible()
    page.get_by_label("More actions").click()  # the three-dot menu
    step(page, "08-agent-three-dot-menu")
    page.keyboard.press("Escape")
    assert not page.locator("#show-logs").is_visible()
    page.get_by_label("More actions").click()
    page.get_by_role("link", name="Show Logs").click()
    page.get_by_role("tab", name="Twilio").click()
    page.wait_for_selector("#log-entries")
    assert page.get_by_role("tab", name="Twilio").get_attribute("aria-selected") == "true"
    tab, time_heading = page.locator(".log-tab.selected").bounding_box(), page.locator("#log-entries th").first
    assert tab["y"] + tab["height"] <= time_heading.bounding_box()["y"], "the Twilio tab covers the TIME heading"
    first_line = page.locator("#log-entries tbody tr").first.inner_text()
    assert "+14155550199 is live" in first_line
    assert connection.auth_token not in page.content()
    step(page, "09-logs-twilio-tab")
