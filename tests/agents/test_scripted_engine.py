"""The scripted engine: fuzzy questions, keywords, fallback line, goodbye phrases."""

import pytest

from agents.engines import engine_for
from agents.models import ScriptedAnswer


@pytest.fixture
def scripted_agent(agent_factory):
    agent = agent_factory(fallback_line="Sorry, I can't help with that.")
    ScriptedAnswer.objects.create(agent=agent, question="What are your opening hours?", answer="Nine to six.")
    ScriptedAnswer.objects.create(
        agent=agent, question="Where are you located?", keywords="address, street name", answer="Market Street."
    )
    return agent


@pytest.mark.parametrize(
    ("heard", "answer"),
    [
        ("what are your opening hours", "Nine to six."),
        ("WHAT ARE YOUR OPENING HOURS?!", "Nine to six."),
        ("um what are the opening hours", "Nine to six."),
        ("where are you located", "Market Street."),
        ("can you give me the address", "Market Street."),
        ("what's the street name again", "Market Street."),
        ("do you sell bicycles", "Sorry, I can't help with that."),
        ("", "Sorry, I can't help with that."),
    ],
)
def test_scripted_engine_matches_questions_and_keywords(scripted_agent, heard, answer):
    reply = engine_for(scripted_agent).reply(None, heard)
    assert reply.text == answer
    assert not reply.ends_call


def test_a_multiword_keyword_matches_whole_words_only(scripted_agent):
    reply = engine_for(scripted_agent).reply(None, "the streets named after him")
    assert reply.text == "Sorry, I can't help with that."


@pytest.mark.parametrize("heard", ["goodbye", "OK, that's all. Bye!", "thanks, bye"])
def test_goodbye_phrases_end_the_call(scripted_agent, heard):
    reply = engine_for(scripted_agent).reply(None, heard)
    assert reply.ends_call
    assert reply.text == scripted_agent.goodbye_line


def test_goodbye_phrase_inside_another_word_does_not_end_the_call(scripted_agent):
    assert not engine_for(scripted_agent).reply(None, "what about byelaws").ends_call


def test_greeting_comes_from_the_agent(scripted_agent):
    assert engine_for(scripted_agent).greeting() == scripted_agent.greeting


def test_scripted_engine_answers_inline(scripted_agent):
    assert engine_for(scripted_agent).instant
