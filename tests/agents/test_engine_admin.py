"""The agent page's engine settings: scripted answers, the LLM fieldset with its masked key,
and the prepared-answer counts."""

import pytest
from django.urls import reverse

from agents.models import Agent, ScriptedAnswer
from tests.agents.agent_form import agent_page_post

API_KEY = "sk-live-abcdefghijklmnop1234"


@pytest.fixture
def llm_agent(agent_factory):
    return agent_factory(
        engine="llm", llm_base_url="https://llm.example.test/v1", llm_api_key=API_KEY, llm_model="gpt-4o-mini"
    )


def change_url(agent) -> str:
    return reverse("admin:agents_agent_change", args=[agent.pk])


def test_the_llm_api_key_is_shown_masked_never_in_clear(admin_client, llm_agent):
    page = admin_client.get(change_url(llm_agent)).content.decode()
    assert API_KEY not in page
    assert "••••••••••••1234" in page
    for label in ("LLM base URL", "LLM model", "System prompt", "LLM timeout (seconds)"):
        assert label in page


def test_saving_with_the_mask_keeps_the_key_and_a_new_value_replaces_it(admin_client, llm_agent):
    url = change_url(llm_agent)
    response = admin_client.post(url, agent_page_post(llm_agent, llm_api_key="••••••••••••1234"))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Agent.objects.get(pk=llm_agent.pk).llm_api_key == API_KEY

    response = admin_client.post(url, agent_page_post(llm_agent, llm_api_key="sk-new-key-000000000000"))
    assert response.status_code == 302
    assert Agent.objects.get(pk=llm_agent.pk).llm_api_key == "sk-new-key-000000000000"


def test_the_llm_engine_needs_a_base_url_and_a_model(admin_client, agent_factory):
    agent = agent_factory()
    response = admin_client.post(change_url(agent), agent_page_post(agent, engine="llm"))
    assert response.status_code == 200
    assert response.content.decode().count("Required for the LLM engine.") == 2


def test_scripted_answers_are_edited_on_the_agent_page(admin_client, agent_factory):
    agent = agent_factory()
    answers = [("What are your opening hours?", "hours, open", "Nine to six.")]
    response = admin_client.post(change_url(agent), agent_page_post(agent, answers=answers))
    assert response.status_code == 302, response.content.decode()[:2000]
    saved = ScriptedAnswer.objects.get(agent=agent)
    assert (saved.question, saved.keywords, saved.answer) == answers[0]
    assert "Scripted answers (scripted engine)" in admin_client.get(change_url(agent)).content.decode()


def test_prepared_answer_hits_and_misses_are_shown(admin_client, llm_agent):
    Agent.objects.filter(pk=llm_agent.pk).update(prepared_hits=3, prepared_misses=1)
    page = admin_client.get(change_url(llm_agent)).content.decode()
    assert "3 hits" in page and "1 misses" in page and "75% hits" in page


def test_a_scripted_agent_says_it_prepares_nothing(admin_client, agent_factory):
    page = admin_client.get(change_url(agent_factory())).content.decode()
    assert "the scripted engine answers at once" in page
