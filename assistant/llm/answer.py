"""Answers in LLM mode: the extractive answer's sentences as a numbered prompt, the reply streamed, then verified."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass

import prompts
from assistant.formatting import byline
from assistant.llm.claim_checks import INJECTION
from assistant.llm.client import Generator, make_generator
from assistant.llm.reader import read
from assistant.llm.verify import MARKER, NOTE_PREFIX, Verification, verify
from common.config import Config
from common.errors import LLMError
from common.records import UNSEARCHABLE_PREFIX, Answer, Citation, with_caveat
from common.text import occurs_in
from common.tokens import count_tokens

log = logging.getLogger("assistant.llm")
SYSTEM, USER = "answer_system.md", "answer_user.md"
MAX_ANSWER_SENTENCES = 4
HISTORY_TURNS = 3  # earlier turns shown to the model
HISTORY_CHARS = 300  # of each earlier answer
RANKED = 10


@dataclass(frozen=True)
class Outcome:
    """How an answer was made. mode: 'extractive' (LLM off), 'abstained' (retrieval found nothing, the model
    was not asked), 'llm' (verified model answer), 'reader' (extractive answer, the model's verbatim phrase as
    short answer) or 'fallback' (extractive, because of `reason`)."""

    mode: str
    reason: str | None = None
    claims_total: int = 0
    claims_verified: int = 0
    claims_dropped: int = 0
    markers_dropped: int = 0
    sources: int = 0  # numbered sentences given to the model
    prompt_tokens: int = 0  # cl100k estimate of the prompt
    raw: str = ""  # the model's reply as it came (unverified)
    dropped: tuple[str, ...] = ()  # "claim — why" for each claim removed

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Event:
    """One item of a streamed answer: kind 'token' (raw, unverified model text) or 'answer' (the final,
    verified Answer with its Outcome)."""

    kind: str
    text: str = ""
    answer: Answer | None = None
    outcome: Outcome | None = None


@dataclass(frozen=True)
class Prompt:
    messages: list[dict]
    sources: tuple[Citation, ...]
    tokens: int


class Answerer:
    """ask()/stream() over an Assistant; with a Generator the answer is phrased by the model and verified,
    and any failure (endpoint down, nothing verifiable) gives the extractive answer with a note."""

    def __init__(self, assistant, generator: Generator | None, config: Config):
        self.assistant = assistant
        self.generator = generator
        self.config = config

    @classmethod
    def from_config(cls, assistant, config: Config) -> Answerer:
        return cls(assistant, make_generator(config), config)

    @property
    def uses_llm(self) -> bool:
        return self.generator is not None

    def ask(self, question: str, history: list[dict] | None = None, filters=None) -> Answer:
        return self.ask_detailed(question, history, filters)[0]

    def ask_detailed(self, question: str, history: list[dict] | None = None, filters=None) -> tuple[Answer, Outcome]:
        for event in self.stream(question, history, filters):
            if event.kind == "answer":
                return event.answer, event.outcome
        raise AssertionError("stream() ended without an answer")  # pragma: no cover - stream always ends so

    def stream(self, question: str, history: list[dict] | None = None, filters=None) -> Iterator[Event]:
        base = self.assistant.ask(question, history=history, filters=filters)
        if self.generator is None:
            yield Event("answer", answer=base, outcome=Outcome("extractive"))
            return
        if base.abstained:
            yield Event("answer", answer=base, outcome=Outcome("abstained"))
            return
        if self.config.llm_mode == "reader":  # the model only picks the short answer (llm/reader.py)
            r = read(self.generator, getattr(self.assistant, "library", None), question, base, self.config)
            outcome = Outcome("reader" if r.kept else "fallback", r.reason, sources=r.passages,
                              prompt_tokens=r.prompt_tokens, raw=r.raw)
            yield Event("answer", answer=fallback(base, r.reason) if r.failed else r.answer, outcome=outcome)
            return
        prompt = build_prompt(question, history or [], base, self.config)
        raw: list[str] = []
        try:
            for piece in self.generator.stream(prompt.messages):
                raw.append(piece)
                yield Event("token", text=piece)
        except LLMError as exc:
            log.warning("LLM failed, answering extractively: %s", exc.message)
            outcome = Outcome("fallback", f"the language model could not answer: {exc.message}",
                              sources=len(prompt.sources), prompt_tokens=prompt.tokens, raw="".join(raw))
            yield Event("answer", answer=fallback(base, outcome.reason), outcome=outcome)
            return
        try:
            answer, outcome = settle(base, "".join(raw), prompt)
        except Exception as exc:  # noqa: BLE001 - a reply we fail to check is never shown, and never a crash
            log.error("could not verify the LLM reply; answering extractively", exc_info=exc)
            outcome = Outcome("fallback", "the language model's answer could not be checked (see the log)",
                              sources=len(prompt.sources), prompt_tokens=prompt.tokens, raw="".join(raw))
            answer = fallback(base, outcome.reason)
        if outcome.mode == "llm":  # the extractive answers carry it already
            answer = with_caveat(answer, self.assistant.unsearchable_note())
        yield Event("answer", answer=answer, outcome=outcome)


def settle(base: Answer, raw: str, prompt: Prompt) -> tuple[Answer, Outcome]:
    """The verified answer from the model's reply, or the extractive one when no claim survives."""
    v = verify(raw, prompt.sources)
    dropped = tuple(f"{c.text} — {'; '.join(c.problems)}" for c in v.claims if not c.verified)
    counts = dict(claims_total=len(v.claims), claims_verified=v.verified, claims_dropped=v.dropped,
                  markers_dropped=v.bad_markers, sources=len(prompt.sources), prompt_tokens=prompt.tokens, raw=raw,
                  dropped=dropped)
    if not v.verified:
        reason = "none of the language model's statements could be checked against the articles"
        return fallback(base, reason), Outcome("fallback", reason, **counts)
    return llm_answer(base, v), Outcome("llm", None, **counts)


def llm_answer(base: Answer, v: Verification) -> Answer:
    text = v.text
    if v.dropped:
        n = v.dropped
        text += (f"\n\n{NOTE_PREFIX} {n} statement{'s' if n > 1 else ''} of the language model "
                 f"{'were' if n > 1 else 'was'} removed because the cited sentences do not support "
                 f"{'them' if n > 1 else 'it'}.)")
    short = base.short_answer
    if short is not None and not any(occurs_in(short, c.text) for c in v.citations):
        short = None  # a short answer only when a sentence the answer cites contains it
    cited = {(c.article_id, c.sentence_index) for c in v.citations}
    ranked = v.citations + tuple(c for c in base.ranked if (c.article_id, c.sentence_index) not in cited)
    return Answer(text, short, False, v.citations, (), ranked[:RANKED])


def fallback(base: Answer, reason: str) -> Answer:
    """The extractive answer, with a visible note saying why the model's answer is not shown."""
    note = f"{NOTE_PREFIX} {reason}; this is the extractive answer.)"
    return Answer(f"{base.text}\n\n{note}", base.short_answer, base.abstained, base.citations, base.related,
                  base.ranked)


# -- prompt -----------------------------------------------------------------------------------------------
def sources_for(base: Answer) -> list[Citation]:
    """The sentences the extractive answer cites, then the best-ranked others; never one that addresses the
    model ("ignore previous instructions …")."""
    seen, out = set(), []
    for c in (*base.citations, *base.ranked):
        key = (c.article_id, c.sentence_index)
        if key in seen or INJECTION.search(c.text):
            continue
        seen.add(key)
        out.append(c)
    return out


def _clean(text: str | None) -> str:
    """Untrusted article text on one line, with brackets made round so it cannot fake an [S n] marker."""
    text = MARKER.sub(lambda m: "(" + m.group(0)[1:-1] + ")", text or "")
    return re.sub(r"\s+", " ", text.replace("[", "(").replace("]", ")")).strip()


def source_line(n: int, c: Citation) -> str:
    meta = byline(f"“{_clean(c.title)}”" if c.title else "", _clean(c.source), c.published_at, " — ")
    return f"[S{n}] ({meta}) {_clean(c.text)}" if meta else f"[S{n}] {_clean(c.text)}"


def history_text(history: Sequence[dict]) -> str:
    lines = []
    for turn in list(history)[-HISTORY_TURNS:]:
        answer = MARKER.sub("", str(turn.get("answer", ""))).split(NOTE_PREFIX)[0].split(UNSEARCHABLE_PREFIX)[0]
        answer = re.sub(r"\s+([.,;:!?])", r"\1", re.sub(r"\s+", " ", answer)).strip()
        if len(answer) > HISTORY_CHARS:
            answer = answer[:HISTORY_CHARS].rsplit(" ", 1)[0] + " …"
        lines.append(f"Q: {_clean(str(turn.get('question', '')))}\nA: {_clean(answer)}")
    return "\n".join(lines) or "(none: this is the first question)"


def build_prompt(question: str, history: Sequence[dict], base: Answer, config: Config) -> Prompt:
    """System and user messages within config.llm_max_context_tokens (tiktoken cl100k): sentences are added
    best first while they fit; the oldest history turns go first when even one sentence does not fit."""
    system = prompts.render(SYSTEM, max_sentences=MAX_ANSWER_SENTENCES)
    candidates = sources_for(base)
    lines = [source_line(n, c) for n, c in enumerate(candidates, 1)]
    turns = list(history)[-HISTORY_TURNS:]
    budget = config.llm_max_context_tokens
    while True:
        frame = prompts.render(USER, history=history_text(turns), sentences="", question=_clean(question))
        used = sum(count_tokens([system, frame]))
        if not turns or not lines or used + count_tokens([lines[0]])[0] + 1 <= budget:
            break
        turns = turns[1:]
    kept: list[str] = []
    for line, size in zip(lines, count_tokens(lines) if lines else []):
        if used + size + 1 > budget:
            break
        kept.append(line)
        used += size + 1
    user = prompts.render(USER, history=history_text(turns), sentences="\n".join(kept), question=_clean(question))
    messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
    return Prompt(messages, tuple(candidates[: len(kept)]), sum(count_tokens([system, user])))
