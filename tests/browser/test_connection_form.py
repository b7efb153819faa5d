"""An administrator adds a Twilio connection in Settings > Channels and reopens it, in Chromium."""

import pytest

from channels_twilio.models import TwilioConnection
from flametree_portal.masking import MASK_CHAR
from tests.conftest import new_account_sid, new_auth_token

SCREENSHOT = "/tmp/connection-form.png"


@pytest.mark.browser
def test_add_a_connection_then_reopen_it_with_the_token_masked(admin_page):
    page = admin_page
    sid, token = new_account_sid(), new_auth_token()

    page.goto("/admin/")
    page.locator(".app-channels_twilio").get_by_role("link", name="Channels", exact=True).click()
    page.wait_for_selector("h1:text-is('Channels')")
    assert "no Start/Stop of its own" in page.inner_text("#runs-with-agent")

    page.locator("#channel-kinds tr", has_text="Twilio").get_by_role("link", name="Add").click()
    page.wait_for_selector("h1:has-text('New connector')")
    page.fill("#id_name", "Support line")
    page.fill("#id_description", "Inbound support, Dublin office")
    page.fill("#id_account_sid", sid)
    page.fill("#id_auth_token", token)
    page.fill("#id_phone_number", "+35315550123")
    page.fill("#id_voice_model", "Polly.Niamh-Neural")  # Niamh is a neural voice only
    page.select_option("#id_region", "ie1")
    page.select_option("#id_edge", "dublin")
    page.click("input[name=_save]")

    page.wait_for_selector("h1:text-is('Channels')")
    assert "was added successfully" in page.inner_text(".messagelist")
    row = page.locator("#result_list tbody tr", has_text="Support line")
    mask = MASK_CHAR * 12 + token[-4:]
    assert row.locator(".field-auth_token_masked").inner_text() == mask
    assert row.locator(".field-region_and_edge").inner_text() == "ie1 / dublin"
    assert token not in page.content()

    row.get_by_role("link", name="Support line").click()
    page.wait_for_selector("h1:text-is('Details')")
    assert page.input_value("#id_auth_token") == mask
    assert page.input_value("#id_account_sid") == sid
    assert page.input_value("#id_phone_number") == "+35315550123"
    assert token not in page.content()
    page.screenshot(path=SCREENSHOT, full_page=True)

    connection = TwilioConnection.objects.get()
    assert (connection.auth_token, connection.region, connection.edge) == (token, "ie1", "dublin")
