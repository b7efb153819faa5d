"""The benchmark's floor: a bare Django view answering fixed TwiML, mounted by bench/load/urls.py only.

It goes through the same server and middleware as the webhooks but does nothing else (no DRF,
no signature check, no database), so the webhooks' throughput can be read as a fraction of it.
"""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

FIXED_TWIML = (
    b'<?xml version="1.0" encoding="UTF-8"?><Response><Gather action="https://bench.example/gather" '
    b'input="speech" speechTimeout="2"><Say>Hello, how can I help?</Say></Gather></Response>'
)


@csrf_exempt
def fixed_twiml(request: HttpRequest) -> HttpResponse:
    return HttpResponse(FIXED_TWIML, content_type="text/xml; charset=utf-8")
