"""The offline engine: question/answer pairs matched with fuzzy matching, a fallback line,
and goodbye phrases that end the call."""

from rapidfuzz import fuzz, process

from .base import Reply
from .goodbye import goodbye_reply, says_goodbye
from .wording import normalise

# Below this similarity (0-100) a question does not count as asked.
MATCH_THRESHOLD = 70


class ScriptedEngine:
    """Answers from the agent's scripted answers: keywords first, then the closest question."""

    instant = True

    def __init__(self, agent):
        self.agent = agent
        self.answers = list(agent.scripted_answers.all())

    @classmethod
    def time_budget(cls, agent) -> float:
        return 1.0

    def greeting(self) -> str:
        return self.agent.greeting

    def reply(self, session, text: str) -> Reply:
        if says_goodbye(self.agent, text):
            return goodbye_reply(self.agent)
        answer = self._best_answer(normalise(text))
        return Reply(answer if answer is not None else self.agent.fallback_line)

    def _best_answer(self, heard: str) -> str | None:
        if not heard or not self.answers:
            return None
        words = set(heard.split())
        for answer in self.answers:
            keywords = {normalise(k) for k in answer.keywords.split(",") if normalise(k)}
            if any((k in words) if " " not in k else (f" {k} " in f" {heard} ") for k in keywords):
                return answer.answer
        questions = {i: normalise(a.question) for i, a in enumerate(self.answers)}
        match = process.extractOne(heard, questions, scorer=fuzz.token_set_ratio, score_cutoff=MATCH_THRESHOLD)
        return self.answers[match[2]].answer if match else None
