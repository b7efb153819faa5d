"""The sessions REST API: the list of calls and one call with its transcript, read-only.

Status codes: 200; 400 a filter or page size the API cannot read (the message names the
parameter and what it accepts); 401 not authenticated; 403 the user may not view sessions;
404 no such session (or page).
"""

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import BasePermission, IsAuthenticated

from .api_filters import SessionFilterSet
from .models import Message, Session
from .serializers import SessionDetailSerializer, SessionSerializer

MAX_PAGE_SIZE = 200


class CanViewSessions(BasePermission):
    """Transcripts are what customers said: the same right as the Sessions section of the admin."""

    message = "Reading sessions needs the permission to view sessions (sessions_app.view_session)."

    def has_permission(self, request, view) -> bool:
        return request.user.has_perm("sessions_app.view_session")


class SessionPagination(PageNumberPagination):
    """Pages of sessions; `page_size` chooses up to MAX_PAGE_SIZE, larger values are capped."""

    page_size_query_param = "page_size"
    page_size_query_description = f"How many sessions a page holds, up to {MAX_PAGE_SIZE}; larger values are capped."
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request) -> int:
        # DRF falls back to the default for a page size it cannot read; we say so instead.
        raw = request.query_params.get(self.page_size_query_param, "").strip()
        if raw and not (raw.isascii() and raw.isdigit() and int(raw) >= 1):
            problem = f"{raw[:40]!r} is not a page size; use a whole number from 1 to {MAX_PAGE_SIZE}."
            raise ValidationError({self.page_size_query_param: [problem]})
        return super().get_page_size(request)


def sessions_without_secrets() -> QuerySet[Session]:
    """Sessions with their connection's id and name, never loading (or decrypting) its Auth Token."""
    return Session.objects.select_related("connection").defer("connection__auth_token", "connection__us1_auth_token")


class SessionListView(generics.ListAPIView):
    permission_classes = [IsAuthenticated, CanViewSessions]
    serializer_class = SessionSerializer
    pagination_class = SessionPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = SessionFilterSet

    def get_queryset(self) -> QuerySet[Session]:
        return sessions_without_secrets().annotate(message_count=Count("messages")).order_by("-created_at", "-pk")

    @extend_schema(
        summary="List sessions",
        description="Sessions (calls), newest first, paginated. Filters combine; a value the API "
        "cannot read is a 400 that names the parameter and the values or format it accepts.",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class SessionDetailView(generics.RetrieveAPIView):
    permission_classes = [IsAuthenticated, CanViewSessions]
    serializer_class = SessionDetailSerializer
    lookup_url_kwarg = "session_id"

    def get_queryset(self) -> QuerySet[Session]:
        transcript = Prefetch("messages", queryset=Message.objects.order_by("sequence"))
        return sessions_without_secrets().prefetch_related(transcript)

    def get_object(self) -> Session:
        # The id is matched as text so a malformed one is a JSON 404 here, not Django's HTML page.
        try:
            return super().get_object()
        except Http404:
            raise NotFound(f"No session with id {self.kwargs['session_id'][:80]!r}.") from None

    @extend_schema(
        summary="Read a session",
        description="One session with its transcript: every message, in the order it was said.",
        parameters=[
            OpenApiParameter("session_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The session's id.")
        ],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
