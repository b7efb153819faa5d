"""Root URLs: the admin (the portal UI), Twilio's webhooks, and the REST API."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", admin.site.urls),
    path("", include("channels_twilio.urls")),
    path("api/", include("sessions_app.api_urls")),
    path("api/", include("channels_twilio.api_urls")),
]

handler404 = "flametree_portal.api_errors.not_found"
