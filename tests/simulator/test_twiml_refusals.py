"""The simulator reads TwiML as Twilio does: it accepts the portal's documents and refuses, with the
reason, what Twilio would refuse (or what breaks the portal's own URL contract)."""

import pytest

from channels_twilio import twiml
from channels_twilio.simulator.twiml_rules import TwimlRefused, read_document

BASE = "https://portal.example.test"
HOOK = BASE + "/twilio/6f1c2d4e-0000-4000-8000-000000000000"
XML = "text/xml; charset=utf-8"


def gather(**attributes) -> str:
    values = {
        "input": "speech",
        "action": HOOK + "/gather?turn=1",
        "partialResultCallback": HOOK + "/partial?turn=1",
        "speechModel": "googlev2_telephony",
        "speechTimeout": "2",
        "bargeIn": "true",
        **attributes,
    }
    attrs = " ".join(f'{name}="{value}"' for name, value in values.items() if value is not None)
    return f"<Response><Gather {attrs}><Say>Hi</Say></Gather></Response>"


def refusal(body: str, content_type: str = XML) -> TwimlRefused:
    with pytest.raises(TwimlRefused) as caught:
        read_document(body.encode(), content_type, BASE)
    return caught.value


@pytest.mark.parametrize(
    "document",
    [
        twiml.converse(
            "Hello & welcome",
            voice="Polly.Salli",
            language="en-US",
            speech_model="googlev2_telephony",
            action=HOOK + "/gather?session=1&turn=1",
            partial_callback=HOOK + "/partial?session=1&turn=1",
        ),
        twiml.say_and_hang_up("Goodbye", voice="Polly.Salli"),
        twiml.offline_apology(),
        twiml.reject_busy(),
        twiml.hold_then_redirect("One moment.", voice="Polly.Salli", redirect_url=HOOK + "/reply?turn=2&wait=1"),
    ],
    ids=["converse", "goodbye", "offline", "busy", "slow-reply"],
)
def test_every_document_the_portal_builds_is_accepted(document):
    root = read_document(str(document).encode(), XML, BASE)
    assert root.tag == "Response"


def test_a_document_that_is_not_xml_is_refused_as_a_parse_failure():
    refused = refusal("<Response><Say>unclosed</Response>")
    assert refused.code == 12100
    assert "not well-formed" in str(refused)


def test_a_root_other_than_response_is_refused():
    assert refusal("<Say>Hello</Say>").code == 12100


def test_an_answer_that_is_not_xml_by_content_type_is_refused():
    refused = refusal("<Response/>", "application/json")
    assert refused.code == 12300 and "application/json" in refused.reason


def test_the_schema_refuses_a_verb_nested_where_twilio_allows_none():
    refused = refusal("<Response><Gather><Hangup/></Gather></Response>")
    assert refused.code == 12200
    assert "Hangup" in refused.reason


def test_the_schema_refuses_an_unknown_reject_reason():
    assert refusal('<Response><Reject reason="go-away"/></Response>').code == 12200


def test_speech_timeout_auto_with_a_speech_model_is_refused():
    refused = refusal(gather(speechTimeout="auto"))
    assert "positive whole number" in refused.reason and "speechModel" in refused.reason


@pytest.mark.parametrize("value", ["0", "-1", "soon"])
def test_speech_timeout_must_be_a_positive_integer(value):
    assert "speechTimeout" in refusal(gather(speechTimeout=value, speechModel=None)).reason


def test_speech_timeout_auto_without_a_speech_model_is_accepted():
    read_document(gather(speechTimeout="auto", speechModel=None).encode(), XML, BASE)


def test_a_relative_action_url_is_refused_because_signatures_cover_absolute_urls():
    refused = refusal(gather(action="/twilio/x/gather"))
    assert "not an absolute" in refused.reason and "PUBLIC_BASE_URL" in refused.reason


def test_a_url_outside_the_portal_is_refused():
    refused = refusal(gather(partialResultCallback="https://elsewhere.example/partial"))
    assert "not under PUBLIC_BASE_URL" in refused.reason


def test_a_redirect_without_a_url_is_refused():
    assert "no URL" in refusal("<Response><Redirect/></Response>").reason


def test_a_get_redirect_is_refused_because_the_webhooks_take_only_posts():
    refused = refusal(f'<Response><Redirect method="GET">{HOOK}/reply</Redirect></Response>')
    assert "only POST" in refused.reason


@pytest.mark.parametrize("name", ["bargeIn", "actionOnEmptyResult"])
def test_boolean_attributes_must_be_true_or_false(name):
    assert "true or false" in refusal(gather(**{name: "yes"})).reason


def test_an_empty_say_is_refused():
    assert "empty <Say>" in refusal("<Response><Say>  </Say></Response>").reason


def test_a_say_longer_than_twilio_reads_is_refused():
    assert "4096" in refusal(f"<Response><Say>{'a' * 4097}</Say></Response>").reason


def test_a_pause_of_zero_seconds_is_refused():
    assert "positive integer" in refusal('<Response><Pause length="0"/></Response>').reason


def test_a_verb_the_simulator_cannot_play_is_refused_with_what_it_plays():
    refused = refusal("<Response><Dial>+14155550100</Dial></Response>")
    assert refused.code is None
    assert "<Dial>" in refused.reason and "<Gather>" in refused.reason


def test_entities_are_not_expanded():
    body = (
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><Response><Say>&x;</Say></Response>'
    )
    with pytest.raises(TwimlRefused):
        read_document(body.encode(), XML, BASE)
