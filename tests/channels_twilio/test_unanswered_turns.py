"""Three turns a caller must tell apart: they said nothing, the agent has no answer, the model failed."""

import pytest
from django.urls import reverse

from agents.models import Agent
from tests.agents.agent_form import agent_page_post
from tests.llm_standin import llm_call, llm_standin  # noqa: F401 (fixtures)

DIDNT_CATCH = "didn't catch that"


def test_silence_asks_if_the_caller_is_there_and_an_unknown_question_says_there_is_no_answer(call):
    c = call()  # a new agent, with the default wording
    c.dial()

    c.stay_silent()
    assert c.said() == ["Are you still there?"]

    c.speak("do you sell bicycles")
    (no_answer,) = c.said()
    assert no_answer == Agent._meta.get_field("fallback_line").default
    assert "don't have an answer" in no_answer and DIDNT_CATCH not in no_answer


def test_a_failing_model_says_it_has_a_technical_problem_not_that_it_did_not_hear(llm_call, llm_standin):  # noqa: F811
    llm_standin.mode = "error"
    c = llm_call()  # the default wording
    c.dial()

    c.speak("what is my balance", partials=False)

    (said,) = c.said()
    assert said == Agent._meta.get_field("error_line").default
    assert "technical problem" in said and DIDNT_CATCH not in said


def test_a_model_that_answers_nothing_gets_the_error_line(llm_call, llm_standin):  # noqa: F811
    llm_standin.reply = lambda body: "   "
    c = llm_call(error_line="Sorry, our assistant is unavailable.")
    c.dial()

    c.speak("hello", partials=False)

    assert c.said() == ["Sorry, our assistant is unavailable."]


@pytest.mark.django_db
def test_the_agent_page_saves_its_own_wording_of_the_error_line(admin_client, agent_factory):
    agent = agent_factory()
    url = reverse("admin:agents_agent_change", args=[agent.pk])

    page = admin_client.get(url).content.decode()
    assert 'name="error_line"' in page

    response = admin_client.post(url, agent_page_post(agent, error_line="Désolé, un problème technique."))
    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.error_line == "Désolé, un problème technique."
