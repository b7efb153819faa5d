"""Reads a webhook's answer the way Twilio does, and refuses what Twilio would refuse.

First the HTTP answer (content type, well-formed XML), then Twilio's XML schema, then the rules
the schema cannot express (attribute values Twilio rejects, URLs Twilio could not follow), then
the portal's own contract (absolute POST URLs under PUBLIC_BASE_URL, which is what signatures
are checked over). Each refusal says which rule was broken and why.
"""

import re
from urllib.parse import urlsplit

from lxml import etree

from .twiml_schema import schema_errors

# Twilio's error codes for a TwiML document it cannot use.
DOCUMENT_PARSE_FAILURE = 12100
SCHEMA_VALIDATION = 12200
INVALID_CONTENT_TYPE = 12300

TWIML_CONTENT_TYPES = ("text/xml", "application/xml", "text/html")
SAY_LIMIT = 4096
SIMULATED_VERBS = {"Say", "Gather", "Pause", "Redirect", "Hangup", "Reject"}
BOOLEAN_ATTRIBUTES = ("bargeIn", "actionOnEmptyResult", "profanityFilter")
_LANGUAGE = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")

# A safe parser for documents from the network: no entities, no DTD fetches.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


class TwimlRefused(Exception):
    """Twilio would not run this document; `code` is Twilio's error code when it has one."""

    def __init__(self, reason: str, code: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.code = code

    def __str__(self) -> str:
        return f"Twilio error {self.code}: {self.reason}" if self.code else self.reason


def read_document(body: bytes, content_type: str, public_base_url: str) -> etree._Element:
    """The <Response> root of a webhook's answer, or TwimlRefused saying why Twilio would refuse it."""
    media_type = content_type.split(";")[0].strip().lower()
    if media_type not in TWIML_CONTENT_TYPES:
        raise TwimlRefused(
            f"the answer's Content-Type is {content_type or '(none)'!r}; Twilio runs TwiML only from "
            "text/xml or application/xml",
            INVALID_CONTENT_TYPE,
        )
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as err:
        raise TwimlRefused(f"the answer is not well-formed XML ({err})", DOCUMENT_PARSE_FAILURE) from None
    if root.tag != "Response":
        raise TwimlRefused(f"the root element is <{root.tag}>, not <Response>", DOCUMENT_PARSE_FAILURE)
    if errors := schema_errors(root):
        raise TwimlRefused("Twilio's TwiML schema rejects the document: " + "; ".join(errors), SCHEMA_VALIDATION)
    for element in root.iter():
        _check_element(element, public_base_url)
    return root


def _check_element(element: etree._Element, public_base_url: str) -> None:
    tag = element.tag
    if not isinstance(tag, str) or tag == "Response":
        return
    if element.getparent().tag == "Response" and tag not in SIMULATED_VERBS:
        raise TwimlRefused(
            f"<{tag}> is valid TwiML but the call simulator plays only "
            f"{', '.join(f'<{verb}>' for verb in sorted(SIMULATED_VERBS))}; the portal never answers with <{tag}>"
        )
    check = _CHECKS.get(tag)
    if check:
        check(element, public_base_url)


def _check_say(say: etree._Element, base: str) -> None:
    text = "".join(say.itertext()).strip()
    if not text:
        raise TwimlRefused("an empty <Say>: Twilio reports it as an error and says nothing")
    if len(text) > SAY_LIMIT:
        raise TwimlRefused(f"a <Say> of {len(text)} characters: Twilio reads at most {SAY_LIMIT}")
    _non_negative(say, "loop")


def _check_gather(gather: etree._Element, base: str) -> None:
    inputs = set((gather.get("input") or "dtmf").split())
    if not inputs or not inputs <= {"dtmf", "speech"}:
        raise TwimlRefused(f'<Gather input="{gather.get("input")}">: Twilio accepts dtmf, speech or "dtmf speech"')
    speech_timeout = gather.get("speechTimeout")
    if speech_timeout is not None:
        if gather.get("speechModel") and not _positive_int(speech_timeout):
            raise TwimlRefused(
                f'<Gather speechTimeout="{speech_timeout}" speechModel="{gather.get("speechModel")}">: with a '
                "speechModel Twilio needs speechTimeout as a positive whole number of seconds (not auto)"
            )
        if speech_timeout != "auto" and not _positive_int(speech_timeout):
            raise TwimlRefused(f'<Gather speechTimeout="{speech_timeout}">: Twilio needs auto or a positive integer')
    if gather.get("timeout") is not None and not _positive_int(gather.get("timeout")):
        raise TwimlRefused(f'<Gather timeout="{gather.get("timeout")}">: Twilio needs a positive integer')
    for name in BOOLEAN_ATTRIBUTES:
        if gather.get(name) is not None and gather.get(name) not in ("true", "false"):
            raise TwimlRefused(f'<Gather {name}="{gather.get(name)}">: Twilio needs true or false')
    language = gather.get("language")
    if language is not None and not _LANGUAGE.match(language):
        raise TwimlRefused(f'<Gather language="{language}">: Twilio needs a BCP-47 tag such as en-US')
    for url_name, method_name in (("action", "method"), ("partialResultCallback", "partialResultCallbackMethod")):
        if gather.get(url_name) is not None:
            _check_url(f"<Gather {url_name}>", gather.get(url_name), base)
        _check_method(f"<Gather {method_name}>", gather.get(method_name))


def _check_pause(pause: etree._Element, base: str) -> None:
    if pause.get("length") is not None and not _positive_int(pause.get("length")):
        raise TwimlRefused(f'<Pause length="{pause.get("length")}">: Twilio needs a positive integer')


def _check_redirect(redirect: etree._Element, base: str) -> None:
    _check_url("<Redirect>", (redirect.text or "").strip(), base)
    _check_method("<Redirect method>", redirect.get("method"))


_CHECKS = {"Say": _check_say, "Gather": _check_gather, "Pause": _check_pause, "Redirect": _check_redirect}


def _check_url(where: str, url: str, base: str) -> None:
    if not url:
        raise TwimlRefused(f"{where} has no URL: Twilio would have nothing to request")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise TwimlRefused(
            f"{where} {url!r} is not an absolute http(s) URL: the portal's webhooks give absolute URLs built "
            "from PUBLIC_BASE_URL, because Twilio signs each request over the exact URL it calls"
        )
    if not url.startswith(base + "/"):
        raise TwimlRefused(
            f"{where} {url!r} is not under PUBLIC_BASE_URL ({base}): Twilio would call that address, "
            "not the portal, so the signature and the call would go astray"
        )


def _check_method(where: str, method: str | None) -> None:
    if method is not None and method.upper() not in ("GET", "POST"):
        raise TwimlRefused(f'{where}="{method}": Twilio accepts GET or POST')
    if method is not None and method.upper() != "POST":
        raise TwimlRefused(f"{where}=\"{method}\": the portal's webhooks accept only POST (Twilio's form posts)")


def _positive_int(value: str | None) -> bool:
    return value is not None and value.isdigit() and int(value) > 0


def _non_negative(element: etree._Element, name: str) -> None:
    value = element.get(name)
    if value is not None and not (value.isdigit()):
        raise TwimlRefused(f'<{element.tag} {name}="{value}">: Twilio needs a whole number, 0 or more')
