"""Example questions offered by the empty chat, the widget and /api/examples: the deployment's own
(ASSISTANT_EXAMPLE_QUESTIONS, "|"-separated), else made from the index's newest articles and kept only when
the assistant answers them; none on an empty index."""

from __future__ import annotations

import threading

from common.analysis import Analysis

MAX_EXAMPLES = 4
NEWEST_ARTICLES = 12  # the articles questions are made from, newest first
MAX_TRIES = 12  # questions asked to find MAX_EXAMPLES that are answered


class ExampleQuestions:
    """Computed once per number of articles in the index (an ingest or a deletion makes them again)."""

    def __init__(self, assistant) -> None:
        self._assistant = assistant
        self._lock = threading.Lock()
        self._cache: tuple[int, list[str]] | None = None

    def get(self) -> list[str]:
        configured = self._assistant.config.example_questions
        if configured:
            return [q.strip() for q in configured.split("|") if q.strip()]
        rows = self._assistant.library.articles()
        with self._lock:
            if self._cache is None or self._cache[0] != len(rows):
                self._cache = (len(rows), self._derive(rows))
            return list(self._cache[1])

    def _derive(self, rows) -> list[str]:
        found: list[str] = []
        per_article = [self._candidates(r.id) for r in rows[:NEWEST_ARTICLES]]
        firsts = [c[0] for c in per_article if c]  # one question per article first, newest first, then the rest
        ordered = dict.fromkeys([*firsts, *(q for c in per_article for q in c)])
        for question in list(ordered)[:MAX_TRIES]:
            answer = self._assistant.ask(question)
            if not answer.abstained and answer.citations:
                found.append(question)
                if len(found) == MAX_EXAMPLES:
                    break
        return found

    def _candidates(self, article_id: str) -> list[str]:
        """"What did SPEAKER say?" for each person or body the article quotes by a capitalised name of 2+ words."""
        stored = self._assistant.library.article(article_id)
        if not stored.analysis_json:
            return []
        analysis = Analysis.from_json(stored.analysis_json, stored.article.text)
        names = [q.speaker for q in analysis.quotes
                 if q.speaker and len(q.speaker.split()) >= 2 and all(w[:1].isupper() for w in q.speaker.split())]
        return [f"What did {name} say?" for name in dict.fromkeys(names)]
