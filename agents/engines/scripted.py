"""The offline engine: question/answer pairs matched with fuzzy matching, a fallback line,
and goodbye phrases that end the call."""

import re

from rapidfuzz import fuzz, process

from .base import Reply

# Below this similarity (0-100) a question does not count as asked.
MATCH_THRESHOLD = 70


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s']", " ", text.lower())).strip()


class ScriptedEngine:
    def __init__(self, agent):
        self.agent = agent
        self.answers = list(agent.scripted_answers.all())
        self.goodbyes = [normalise(p) for p in agent.goodbye_phrases.split(",") if normalise(p)]

    def greeting(self) -> str:
        return self.agent.greeting

    def reply(self, session, text: str) -> Reply:
        heard = normalise(text)
        if self._is_goodbye(heard):
            return Reply(self.agent.goodbye_line, ends_call=True)
        answer = self._best_answer(heard)
        return Reply(answer if answer is not None else self.agent.fallback_line)

    def _is_goodbye(self, heard: str) -> bool:
        words = f" {heard} "
        return any(f" {phrase} " in words for phrase in self.goodbyes)

    def _best_answer(self, heard: str) -> str | None:
        if not heard or not self.answers:
            return None
        words = set(heard.split())
        for answer in self.answers:
            keywords = {normalise(k) for k in answer.keywords.split(",") if normalise(k)}
            if any((k in words) if " " not in k else (k in heard) for k in keywords):
                return answer.answer
        questions = {i: normalise(a.question) for i, a in enumerate(self.answers)}
        match = process.extractOne(heard, questions, scorer=fuzz.token_set_ratio, score_cutoff=MATCH_THRESHOLD)
        return self.answers[match[2]].answer if match else None
