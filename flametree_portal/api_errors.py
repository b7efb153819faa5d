"""Every REST API error is JSON with a readable `detail` message."""

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
