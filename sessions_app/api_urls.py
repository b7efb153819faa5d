"""REST API URLs of sessions, and the API's OpenAPI schema and docs page.

Each address also answers with a trailing slash, never redirecting to it (a client would lose
its POST body); the schema documents the form without it. The schema and the docs page are
public: they describe the API, not its data, and every endpoint they list still needs a login.
"""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.permissions import AllowAny

from . import api_views

schema_view = SpectacularAPIView.as_view(permission_classes=[AllowAny])
docs_view = SpectacularSwaggerView.as_view(url_name="api-schema", permission_classes=[AllowAny])

urlpatterns = [
    path("sessions", api_views.SessionListView.as_view(), name="session-list"),
    path("sessions/", api_views.SessionListView.as_view(schema=None)),
    path("sessions/<str:session_id>", api_views.SessionDetailView.as_view(), name="session-detail"),
    path("sessions/<str:session_id>/", api_views.SessionDetailView.as_view(schema=None)),
    path("schema", schema_view, name="api-schema"),
    path("schema/", schema_view),
    path("docs", docs_view, name="api-docs"),
    path("docs/", docs_view),
]
