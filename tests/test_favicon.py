"""Every page has the portal's icon: no /favicon.ico 404 in the browser's console or the server's log."""

from django.contrib.staticfiles import finders
from django.urls import reverse


def test_favicon_ico_leads_to_the_portal_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/flametree_portal/favicon.svg"
    assert finders.find("flametree_portal/favicon.svg"), "collectstatic finds the icon"


def test_admin_pages_name_their_icon(admin_client):
    page = admin_client.get(reverse("admin:index")).content.decode()
    assert '<link rel="icon" type="image/svg+xml" href="/static/flametree_portal/favicon.svg">' in page
