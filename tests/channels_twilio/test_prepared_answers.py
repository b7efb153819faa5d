"""Answers prepared from partial speech results, served at once when the final result matches."""

import time

import pytest

from agents.models import Agent
from agents.prepared_answers.models import PreparedAnswer
from sessions_app.models import Session
from tests.call_driver import CallDriver
from tests.llm_standin import llm_call, llm_standin  # noqa: F401 (fixtures)
from tests.worker import wait_for

MODEL_DELAY = 1.5


def partial(c: CallDriver, text: str, *, stable: bool = False) -> float:
    """Twilio posts a partial result of the current turn; returns how long the webhook took."""
    c.sequence += 1
    params = c.params(
        UnstableSpeechResult="" if stable else text,
        StableSpeechResult=text if stable else "",
        SequenceNumber=str(c.sequence),
    )
    started = time.monotonic()
    response = c.post(c.gather.get("partialResultCallback"), params, c.token)
    assert response.status_code == 204
    return time.monotonic() - started


def final(c: CallDriver, text: str) -> float:
    """Twilio posts the final result to the Gather action; returns how long the webhook took."""
    started = time.monotonic()
    c.speak(text, partials=False)
    return time.monotonic() - started


def speak_stably(c: CallDriver, text: str) -> None:
    """The caller says `text`: growing partial results, then the same words again once they stop."""
    words = text.split()
    for n in range(1, len(words) + 1):
        partial(c, " ".join(words[:n]))
    partial(c, text)


def prepared_ready() -> bool:
    return PreparedAnswer.objects.filter(ready=True).exists()


def transcript(c: CallDriver) -> list[tuple[str, str]]:
    session = Session.objects.get(call_sid=c.call_sid)
    return list(session.messages.order_by("sequence").values_list("role", "text"))


def counts(c: CallDriver) -> tuple[int, int]:
    agent = Agent.objects.get(pk=c.attachment.agent_id)
    return agent.prepared_hits, agent.prepared_misses


def test_final_result_is_answered_from_the_prepared_reply_without_waiting_for_the_model(llm_call, llm_standin):  # noqa: F811
    llm_standin.delay = MODEL_DELAY
    c = llm_call()
    c.dial()
    speak_stably(c, "what are your opening hours")
    (request,) = llm_standin.wait_for_requests(1)
    assert request.last_user_text == "what are your opening hours"
    wait_for(prepared_ready, timeout=5)  # the caller's silence before Twilio's speech timeout

    took = final(c, "What are your opening hours?")

    assert c.said() == ["You said: what are your opening hours."]
    assert took < MODEL_DELAY / 3, f"the Gather action took {took:.2f} s"
    assert len(llm_standin.requests) == 1, "the model was not asked again"
    assert counts(c) == (1, 0)
    assert transcript(c) == [
        ("agent", c.attachment.agent.greeting),
        ("caller", "What are your opening hours?"),
        ("agent", "You said: what are your opening hours."),
    ]


def test_partial_result_webhooks_never_wait_for_the_model(llm_call, llm_standin):  # noqa: F811
    llm_standin.delay = MODEL_DELAY
    c = llm_call()
    c.dial()
    took = [partial(c, "what are your"), partial(c, "what are your hours"), partial(c, "what are your hours")]
    assert max(took) < 0.3, took
    llm_standin.wait_for_requests(1)
    assert llm_standin.answered == 0, "the model was still busy when the partial webhooks returned"


def test_a_final_result_while_the_preparation_runs_waits_for_it_not_for_a_new_one(llm_call, llm_standin):  # noqa: F811
    llm_standin.delay = MODEL_DELAY
    c = llm_call()
    c.dial()
    speak_stably(c, "where are you located")
    llm_standin.wait_for_requests(1)

    took = final(c, "Where are you located?")

    assert c.said() == ["You said: where are you located."]
    assert took < MODEL_DELAY + 0.5
    assert len(llm_standin.requests) == 1
    assert counts(c) == (1, 0)


def test_a_changed_final_transcript_gets_a_fresh_answer(llm_call, llm_standin):  # noqa: F811
    llm_standin.delay = MODEL_DELAY
    c = llm_call()
    c.dial()
    speak_stably(c, "what are your opening hours")
    wait_for(prepared_ready, timeout=5)

    final(c, "What are your opening hours on Sunday?")

    assert c.said() == ["You said: What are your opening hours on Sunday?."]
    requests = llm_standin.wait_for_requests(2)
    assert [r.last_user_text for r in requests] == [
        "what are your opening hours",
        "What are your opening hours on Sunday?",
    ]
    assert counts(c) == (0, 1)
    assert not PreparedAnswer.objects.exists(), "the stale preparation was discarded"


def test_partial_results_that_keep_changing_prepare_nothing(llm_call, llm_standin):  # noqa: F811
    c = llm_call()
    c.dial()
    for text in ["what", "what are", "what are your", "what are your hours"]:
        partial(c, text)
    assert not PreparedAnswer.objects.exists()
    final(c, "what are your hours")
    assert len(llm_standin.requests) == 1
    assert counts(c) == (0, 1)


def test_a_result_the_recogniser_marks_stable_is_prepared_at_once(llm_call, llm_standin):  # noqa: F811
    c = llm_call()
    c.dial()
    partial(c, "can I book a table", stable=True)
    (request,) = llm_standin.wait_for_requests(1)
    assert request.last_user_text == "can i book a table"


def test_at_most_three_preparations_per_turn(llm_call, llm_standin):  # noqa: F811
    llm_standin.delay = 0.5
    c = llm_call()
    c.dial()
    for text in ["one", "one two", "one two three", "one two three four", "one two three four five"]:
        partial(c, text, stable=True)
    assert PreparedAnswer.objects.count() <= 3
    llm_standin.release()


def test_a_superseded_preparation_is_never_served(llm_call, llm_standin):  # noqa: F811
    llm_standin.delay = 0.3
    c = llm_call()
    c.dial()
    speak_stably(c, "I want to cancel")
    speak_stably(c, "I want to cancel my order")
    # The first job may skip the model once it sees it was superseded: wait for the second only.
    wait_for(lambda: PreparedAnswer.objects.filter(ready=True, heard__contains="my order").exists(), timeout=5)
    final(c, "I want to cancel my order.")
    assert c.said() == ["You said: i want to cancel my order."]
    assert counts(c) == (1, 0)
    assert not PreparedAnswer.objects.exists()


def test_a_retried_gather_action_serves_the_same_reply_and_counts_once(llm_call, llm_standin):  # noqa: F811
    c = llm_call()
    c.dial()
    speak_stably(c, "do you deliver")
    wait_for(prepared_ready, timeout=5)
    action = c.gather.get("action")
    final(c, "Do you deliver?")
    first = c.said()
    again = c.post(action, c.params(SpeechResult="Do you deliver?"), c.token)
    assert again.status_code == 200
    assert [s.text for s in c._twiml(again).iter("Say")] == first
    assert counts(c) == (1, 0)
    assert [role for role, _ in transcript(c)] == ["agent", "caller", "agent"]


def test_the_model_reads_the_whole_conversation_on_every_turn(llm_call, llm_standin):  # noqa: F811
    c = llm_call()
    c.dial()
    speak_stably(c, "what are your hours")
    wait_for(prepared_ready, timeout=5)
    final(c, "What are your hours?")
    speak_stably(c, "and on sunday")
    wait_for(prepared_ready, timeout=5)
    final(c, "And on Sunday?")

    last = llm_standin.requests[-1]
    assert [(m["role"], m["content"]) for m in last.messages[1:]] == [
        ("assistant", c.attachment.agent.greeting),
        ("user", "What are your hours?"),
        ("assistant", "You said: what are your hours."),
        ("user", "and on sunday"),
    ]
    assert counts(c) == (2, 0)
    assert [text for _, text in transcript(c)][-2:] == ["And on Sunday?", "You said: and on sunday."]


def test_a_scripted_agent_prepares_nothing_and_answers_inline(signed_post, running_line):
    attachment = running_line()
    c = CallDriver(signed_post, attachment.connection)
    c.sequence = 0
    c.dial()
    speak_stably(c, "what are your opening hours")
    final(c, "what are your opening hours")
    assert c.said() == [attachment.agent.fallback_line]
    assert not PreparedAnswer.objects.exists()
    agent = Agent.objects.get(pk=attachment.agent_id)
    assert (agent.prepared_hits, agent.prepared_misses) == (0, 0)


@pytest.mark.worker
def test_answers_are_prepared_on_a_celery_worker(celery_worker, llm_call, llm_standin):  # noqa: F811
    llm_standin.delay = MODEL_DELAY
    c = llm_call()
    c.dial()
    speak_stably(c, "what are your opening hours")
    llm_standin.wait_for_requests(1, timeout=20)
    wait_for(prepared_ready, timeout=20)
    took = final(c, "What are your opening hours?")
    assert c.said() == ["You said: what are your opening hours."]
    assert took < MODEL_DELAY / 3
    assert len(llm_standin.requests) == 1
    assert counts(c) == (1, 0)
