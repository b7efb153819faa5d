"""Root URLs: the admin (the portal UI), Twilio's webhooks, and the REST API."""

from django.contrib import admin
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView


def favicon(request) -> HttpResponsePermanentRedirect:
    """Browsers ask for /favicon.ico; the icon's hashed static name is known only after collectstatic."""
    return HttpResponsePermanentRedirect(static("flametree_portal/favicon.svg"))


urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("favicon.ico", favicon),
    path("admin/", admin.site.urls),
    path("", include("channels_twilio.urls")),
    path("api/", include("sessions_app.api_urls")),
    path("api/", include("channels_twilio.api_urls")),
]

handler404 = "flametree_portal.api_errors.not_found"
