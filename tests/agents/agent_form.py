"""The POST body of the agent page: the agent's fields, its Communication channels rows and
its scripted answers, as the admin form sends them."""


def agent_page_post(agent, attachments=(), existing_attachments=0, answers=(), **changes) -> dict:
    """`attachments`: dicts of inline fields (True → "on", False → left out); `answers`:
    (question, keywords, answer) triples; `changes`: agent fields to send instead."""
    data = {
        "name": agent.name,
        "greeting": agent.greeting,
        "max_opened_sessions": agent.max_opened_sessions,
        "engine": agent.engine,
        "fallback_line": agent.fallback_line,
        "error_line": agent.error_line,
        "goodbye_line": agent.goodbye_line,
        "goodbye_phrases": agent.goodbye_phrases,
        "llm_base_url": agent.llm_base_url,
        "llm_api_key": "",
        "llm_model": agent.llm_model,
        "llm_system_prompt": agent.llm_system_prompt,
        "llm_timeout_seconds": agent.llm_timeout_seconds,
        **{f"line_{name}": text for name, text in agent.spoken_line_overrides.items()},
        **_formset("attachments", len(attachments), existing_attachments),
        **_formset("scripted_answers", len(answers), 0),
    }
    for i, row in enumerate(attachments):
        for key, value in row.items():
            if value is not False:
                data[f"attachments-{i}-{key}"] = "on" if value is True else value
    for i, (question, keywords, answer) in enumerate(answers):
        data[f"scripted_answers-{i}-question"] = question
        data[f"scripted_answers-{i}-keywords"] = keywords
        data[f"scripted_answers-{i}-answer"] = answer
    data.update(changes)
    return data


def _formset(prefix: str, total: int, initial: int) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": total,
        f"{prefix}-INITIAL_FORMS": initial,
        f"{prefix}-MIN_NUM_FORMS": 0,
        f"{prefix}-MAX_NUM_FORMS": 1000,
    }
