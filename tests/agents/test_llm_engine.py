"""The LLM engine against a local OpenAI-compatible stand-in over HTTP."""

import logging

import pytest

from agents.engines import engine_for
from agents.engines.llm import SPOKEN_STYLE
from agents.models import AgentLogEntry
from sessions_app import services
from sessions_app.models import Session
from tests.llm_standin import llm_agent_fields, llm_standin  # noqa: F401 (fixture)

API_KEY = "sk-test-0123456789abcdef"


@pytest.fixture
def llm_agent(agent_factory, llm_standin):  # noqa: F811
    def make(**overrides):
        return agent_factory(error_line="Sorry, something went wrong.", **llm_agent_fields(llm_standin, **overrides))

    return make


def call_session(agent, *lines) -> Session:
    """A session whose transcript holds `lines` (alternating agent/caller, greeting first)."""
    session = Session.objects.create(agent=agent, agent_name=agent.name, direction="inbound", call_sid="CA1")
    for n, text in enumerate(lines):
        turn = (n + 1) // 2
        if n == 0:
            services.append_message(session.id, "agent", text, "greeting")
        elif n % 2:
            services.append_message(session.id, "caller", text, f"caller:{turn}")
        else:
            services.append_message(session.id, "agent", text, f"agent:{turn}")
    services.advance_turn(session.id, len(lines) // 2)
    session.refresh_from_db()
    return session


def test_reply_comes_from_the_model(llm_agent, llm_standin):  # noqa: F811
    llm_standin.reply = lambda body: "We open at nine."
    agent = llm_agent()
    reply = engine_for(agent).reply(call_session(agent, "Hello!"), "When do you open?")
    assert reply.text == "We open at nine."
    assert not reply.ends_call


def test_request_carries_model_system_prompt_history_and_key(llm_agent, llm_standin):  # noqa: F811
    agent = llm_agent(llm_system_prompt="You work for Flametree.")
    session = call_session(agent, "Hello!", "What are your hours?", "Nine to six.")
    engine_for(agent).reply(session, "And on Sunday?")

    (request,) = llm_standin.requests
    assert request.path == "/v1/chat/completions"
    assert request.headers["Authorization"] == f"Bearer {API_KEY}"
    assert request.body["model"] == "standin-model"
    system, *history = request.messages
    assert system["role"] == "system"
    assert system["content"].startswith("You work for Flametree.") and SPOKEN_STYLE in system["content"]
    assert history == [
        {"role": "assistant", "content": "Hello!"},
        {"role": "user", "content": "What are your hours?"},
        {"role": "assistant", "content": "Nine to six."},
        {"role": "user", "content": "And on Sunday?"},
    ]


def test_the_callers_line_of_the_turn_in_progress_is_sent_once(llm_agent, llm_standin):  # noqa: F811
    agent = llm_agent()
    session = call_session(agent, "Hello!")
    services.append_message(session.id, "caller", "When do you open?", "caller:1")
    engine_for(agent).reply(session, "When do you open?")
    users = [m["content"] for m in llm_standin.requests[0].messages if m["role"] == "user"]
    assert users == ["When do you open?"]


def test_no_key_sends_no_authorization_header(llm_agent, llm_standin):  # noqa: F811
    agent = llm_agent(llm_api_key="")
    engine_for(agent).reply(call_session(agent, "Hi"), "hello")
    assert "Authorization" not in llm_standin.requests[0].headers


def test_a_markdown_reply_is_made_short_and_speakable(llm_agent, llm_standin):  # noqa: F811
    llm_standin.reply = lambda body: "**Sure!** Here are our hours:\n- Mon: 9-6\n- Tue: 9-6\n\nAnything else? 😊 Bye."
    agent = llm_agent()
    reply = engine_for(agent).reply(call_session(agent, "Hi"), "hours please")
    assert reply.text == "Sure! Here are our hours: Mon: 9-6 Tue: 9-6 Anything else? Bye."


def test_a_timeout_gives_the_fallback_line_and_a_log_line(llm_agent, llm_standin):  # noqa: F811
    llm_standin.delay = 3.0
    agent = llm_agent(llm_timeout_seconds=0.5)
    reply = engine_for(agent).reply(call_session(agent, "Hi"), "are you there")
    assert reply.text == "Sorry, something went wrong."
    log = AgentLogEntry.objects.get(agent=agent)
    assert log.level == "warning" and "no answer within 0.5 s" in log.message


@pytest.mark.parametrize("mode", ["error", "unauthorized", "not-json", "no-choices"])
def test_a_server_error_gives_the_error_line_and_never_logs_the_key(llm_agent, llm_standin, mode, caplog):  # noqa: F811
    llm_standin.mode = mode
    agent = llm_agent()
    with caplog.at_level(logging.DEBUG):
        reply = engine_for(agent).reply(call_session(agent, "Hi"), "hello")
    assert reply.text == "Sorry, something went wrong."
    logged = [e.message for e in AgentLogEntry.objects.filter(agent=agent)] + [r.getMessage() for r in caplog.records]
    assert logged, "the failure is logged"
    assert not any(API_KEY in line for line in logged)


def test_an_unreachable_server_gives_the_error_line(llm_agent, llm_standin):  # noqa: F811
    base_url = llm_standin.base_url
    llm_standin.stop()
    agent = llm_agent(llm_base_url=base_url)
    assert engine_for(agent).reply(call_session(agent, "Hi"), "hello").text == "Sorry, something went wrong."
    assert "could not be reached" in AgentLogEntry.objects.get(agent=agent).message


def test_goodbye_phrase_ends_the_call_without_asking_the_model(llm_agent, llm_standin):  # noqa: F811
    agent = llm_agent()
    reply = engine_for(agent).reply(call_session(agent, "Hi"), "Thanks, that's all. Goodbye!")
    assert reply.ends_call and reply.text == agent.goodbye_line
    assert llm_standin.requests == []


def test_llm_engine_is_not_instant(llm_agent):
    assert not engine_for(llm_agent()).instant


def test_credentials_in_the_base_url_stay_out_of_the_log(llm_agent, llm_standin):  # noqa: F811
    port = llm_standin.base_url.split(":")[2].split("/")[0]
    llm_standin.mode = "error"
    agent = llm_agent(llm_base_url=f"http://user:secret-password@127.0.0.1:{port}/v1")
    engine_for(agent).reply(call_session(agent, "Hi"), "hello")
    message = AgentLogEntry.objects.get(agent=agent).message
    assert "secret-password" not in message and f"http://127.0.0.1:{port}/v1" in message
