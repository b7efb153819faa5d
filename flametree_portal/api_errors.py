"""Every REST API error is JSON with a readable `detail` message."""

from django.http import JsonResponse
from django.views.defaults import page_not_found
from rest_framework.views import exception_handler


def json_exception_handler(exc, context):
    """DRF's handler, plus a top-level `detail` for validation errors so clients have one message."""
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(response.data, dict) and "detail" not in response.data:
        first = next(iter(response.data.items()), None)
        if first:
            field, messages = first
            message = messages[0] if isinstance(messages, list) and messages else messages
            response.data = {"detail": f"{field}: {message}", "errors": response.data}
    elif isinstance(response.data, list):
        response.data = {"detail": " ".join(str(m) for m in response.data)}
    return response


def not_found(request, exception=None):
    """404s under /api/ are JSON like every other API error; elsewhere Django's page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": f"No API endpoint at {request.path}."}, status=404)
    return page_not_found(request, exception)
