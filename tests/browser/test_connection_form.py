"""Settings > Channels in Chromium at 1366×768, in the product document's words: Add, the New connector
form on the right, the Details panel, the delete confirmation."""

import pytest

from channels_twilio.models import TwilioConnection
from flametree_portal.masking import MASK_CHAR
from tests.browser.journey import step
from tests.conftest import new_account_sid, new_auth_token


def panel_is_right_of_the_list(page) -> bool:
    channel_list = page.locator("#channel-list").bounding_box()
    panel = page.locator("#connector-panel").bounding_box()
    return channel_list is not None and panel is not None and panel["x"] >= channel_list["x"] + channel_list["width"]


@pytest.mark.browser
def test_add_a_connection_then_reopen_it_with_the_token_masked(admin_page, twilio_standin):
    page = admin_page
    sid, token = new_account_sid(), new_auth_token()
    twilio_standin.add_account(sid, token, region="ie1")  # Save checks the connection with Twilio
    twilio_standin.add_number(sid, "+35315550123")

    # 1. Go to Settings > Channels.
    page.goto("/admin/")
    page.locator(".app-channels_twilio").get_by_role("link", name="Channels", exact=True).click()
    page.wait_for_selector("h1:text-is('Channels')")
    assert "no Start/Stop of its own" in page.inner_text("#runs-with-agent")
    step(page, "01-settings-channels")

    # 2. Select Twilio in the channel list and click Add. The New connector form opens on the right.
    page.locator("#channel-kinds tr", has_text="Twilio").get_by_role("link", name="Add").click()
    page.wait_for_selector("#connector-panel h1:text-is('New connector · Twilio')")
    assert panel_is_right_of_the_list(page)
    assert page.locator(".breadcrumbs").inner_text().strip().endswith("New connector · Twilio")

    # 3. Fill in the form. 4. Click Save.
    page.fill("#id_name", "Support line")
    page.fill("#id_description", "Inbound support, Dublin office")
    page.fill("#id_account_sid", sid)
    page.fill("#id_auth_token", token)
    page.fill("#id_phone_number", "+35315550123")
    page.fill("#id_voice_model", "Polly.Niamh-Neural")  # Niamh is a neural voice only
    page.select_option("#id_region", "ie1")
    page.select_option("#id_edge", "dublin")
    step(page, "02-new-connector-form")
    page.click("input[name=_save]")

    page.wait_for_selector("h1:text-is('Channels')")
    assert "was added successfully" in page.inner_text(".messagelist")
    assert "Saved without checking with Twilio" not in page.inner_text(".messagelist")
    row = page.locator("#result_list tbody tr", has_text="Support line")
    mask = MASK_CHAR * 12 + token[-4:]
    assert row.locator(".field-auth_token_masked").inner_text() == mask
    assert row.locator(".field-region_and_edge").inner_text() == "ie1 / dublin"
    assert token not in page.content()
    step(page, "03-channels-list")

    # Edit: in Settings > Channels, select the connection in the list. The Details panel opens.
    row.get_by_role("link", name="Support line").click()
    page.wait_for_selector("#connector-panel h1:text-is('Details')")
    assert panel_is_right_of_the_list(page)
    assert "selected" in page.locator("#channel-list li", has_text="Support line").get_attribute("class")
    assert page.input_value("#id_auth_token") == mask
    assert page.input_value("#id_account_sid") == sid
    assert page.input_value("#id_phone_number") == "+35315550123"
    assert token not in page.content()
    step(page, "04-details-panel")

    connection = TwilioConnection.objects.get()
    assert (connection.auth_token, connection.region, connection.edge) == (token, "ie1", "dublin")

    # Another connection is one click away in the same list: Add on the Twilio row opens a blank form.
    page.click("#channel-list-add")
    page.wait_for_selector("#connector-panel h1:text-is('New connector · Twilio')")
    assert page.input_value("#id_name") == ""
    page.locator("#channel-list").get_by_role("link", name="Support line").click()
    page.wait_for_selector("#connector-panel h1:text-is('Details')")

    # To delete: the delete button at the bottom of the form, then confirm Delete the integration?
    page.locator("#connector-panel .submit-row").get_by_role("link", name="Delete").click()
    page.wait_for_selector("text=Delete the integration?")
    step(page, "05-delete-the-integration")
    page.click("input[type=submit][value=Delete]")
    page.wait_for_selector("h1:text-is('Channels')")
    assert not TwilioConnection.objects.exists()
