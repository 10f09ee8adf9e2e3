"""Reader mode of the LLM path: the model reads only the top evidence sentences of the extractive answer (each
with its neighbours for context) and replies with the shortest exact phrase that answers the question. The phrase
becomes the short answer only when a cited sentence contains it verbatim (`occurs_in`); otherwise the extractive
short answer stands. The answer text and its citations stay the extractive ones, so every marker still holds."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace

import prompts
from assistant.formatting import byline
from assistant.llm.claim_checks import INJECTION
from assistant.llm.client import Generator
from common.config import Config
from common.errors import AssistantError, LLMError
from common.records import Answer, Citation
from common.text import normalize_for_match, occurs_in
from common.tokens import count_tokens

log = logging.getLogger("assistant.llm")
SYSTEM, USER = "reader_system.md", "reader_user.md"
MAX_PHRASE_WORDS = 12  # a longer reply is a sentence, not the short answer
CONTEXT_CHARS = 240  # of each neighbouring sentence shown around an evidence sentence
NO_ANSWER = {"none", "n a", "unknown", "not stated", "not mentioned", "no answer", "the articles don t say"}
LABEL = re.compile(r"^\s*(?:the\s+)?(?:shortest\s+)?(?:exact\s+)?(?:short\s+)?(?:answer|phrase|reply)\s*(?:is)?\s*[:\-]\s*",
                   re.I)
QUOTES = "\"'`*“”‘’«» "


@dataclass(frozen=True)
class Passage:
    """One evidence sentence the extractive answer cites (the only text a phrase may come from) and the
    sentences either side of it in its article (context for the model, never a source of the phrase)."""

    cited: Citation
    before: str = ""
    after: str = ""


@dataclass(frozen=True)
class ReaderPrompt:
    messages: list[dict]
    passages: tuple[Passage, ...]
    tokens: int  # cl100k estimate of system + user


@dataclass(frozen=True)
class Reading:
    """What the reader made of one answer: the answer to show (the extractive one, with the model's phrase as its
    short answer when `kept`), why the phrase was not kept, and whether the endpoint itself failed."""

    answer: Answer
    kept: bool
    reason: str | None = None
    raw: str = ""
    phrase: str | None = None
    passages: int = 0
    prompt_tokens: int = 0
    failed: bool = False  # the endpoint failed (down, timeout): the caller says so in the answer


def read(generator: Generator, library, question: str, base: Answer, config: Config) -> Reading:
    """Ask the model for the phrase and keep it only if a cited sentence contains it. `library` (may be None)
    gives the neighbouring sentences; an endpoint failure never raises."""
    passages = passages_for(base, library, config.llm_reader_passages)
    if not passages:
        return Reading(base, False, "the extractive answer cites no sentence the reader may read")
    prompt = build_prompt(question, passages, config)
    raw: list[str] = []
    try:
        for piece in generator.stream(prompt.messages):
            raw.append(piece)
    except LLMError as exc:
        log.warning("reader failed, keeping the extractive short answer: %s", exc.message)
        return Reading(base, False, f"the language model could not answer: {exc.message}", "".join(raw), None,
                       len(passages), prompt.tokens, failed=True)
    return settle(question, base, "".join(raw), prompt)


def settle(question: str, base: Answer, raw: str, prompt: ReaderPrompt) -> Reading:
    """The answer with the model's phrase as short answer if a cited sentence contains it, else `base`."""
    phrase = clean_phrase(raw)
    counts = dict(raw=raw, phrase=phrase or None, passages=len(prompt.passages), prompt_tokens=prompt.tokens)
    if not phrase or normalize_for_match(phrase) in NO_ANSWER:
        return Reading(base, False, "the reader found no answer in the passages", **counts)
    if len(phrase.split()) > MAX_PHRASE_WORDS:
        return Reading(base, False, "the reader's reply is not a short phrase", **counts)
    if occurs_in(phrase, question):
        return Reading(base, False, "the reader's phrase only repeats the question", **counts)
    for p in prompt.passages:
        if occurs_in(phrase, p.cited.text):
            short = exact_span(phrase, p.cited.text)
            return Reading(replace(base, short_answer=short), True, None, **{**counts, "phrase": short})
    return Reading(base, False, "the reader's phrase does not occur in the cited sentences", **counts)


def clean_phrase(raw: str) -> str:
    """The phrase in a reply: its first non-empty line without a label ('Answer:'), quotes or a final stop."""
    line = next((x for x in raw.strip().splitlines() if x.strip()), "")
    line = LABEL.sub("", line).strip().strip(QUOTES).rstrip(".;,").strip(QUOTES)
    return re.sub(r"\s+", " ", line)


def exact_span(phrase: str, sentence: str) -> str:
    """The phrase as the sentence writes it (case, punctuation, a currency sign or % beside it), when the words
    match one to one; else the phrase as the model wrote it (it matched after normalisation, e.g. 'fourteen')."""
    words = re.findall(r"\w+", phrase)
    if not words:
        return phrase
    m = re.search(r"(?<!\w)" + r"\W{0,3}".join(map(re.escape, words)) + r"(?!\w)", sentence, re.I)
    if not m:
        return phrase
    start, end = m.start(), m.end()
    if start > 0 and sentence[start - 1] in "$£€¥":
        start -= 1
    if end < len(sentence) and sentence[end] == "%":
        end += 1
    return sentence[start:end]


# -- prompt -----------------------------------------------------------------------------------------------
def passages_for(base: Answer, library, n: int) -> list[Passage]:
    """The first `n` sentences the extractive answer cites, each with its neighbours; never a sentence that
    addresses the model ("ignore previous instructions …")."""
    seen, out = set(), []
    for c in base.citations:
        key = (c.article_id, c.sentence_index)
        if len(out) >= n:
            break
        if key in seen or INJECTION.search(c.text):
            continue
        seen.add(key)
        out.append(Passage(c, *_neighbours(library, c)))
    return out


def _neighbours(library, c: Citation) -> tuple[str, str]:
    if library is None:
        return "", ""
    try:
        stored = library.article(c.article_id)
    except AssistantError:
        return "", ""
    spans, text = stored.sentence_spans, stored.article.text
    if not 0 <= c.sentence_index < len(spans) or tuple(spans[c.sentence_index]) != (c.char_start, c.char_end):
        return "", ""  # the article changed since the answer was made

    def sentence(i: int) -> str:
        if not 0 <= i < len(spans):
            return ""
        s = text[spans[i][0]:spans[i][1]]
        return "" if INJECTION.search(s) else s

    before, after = sentence(c.sentence_index - 1), sentence(c.sentence_index + 1)
    if len(before) > CONTEXT_CHARS:
        before = "… " + before[-CONTEXT_CHARS:].split(" ", 1)[-1]
    if len(after) > CONTEXT_CHARS:
        after = after[:CONTEXT_CHARS].rsplit(" ", 1)[0] + " …"
    return before, after


def _line(text: str | None) -> str:
    """Untrusted article text on one line, brackets made round (nothing in it can look like a marker)."""
    return re.sub(r"\s+", " ", (text or "").replace("[", "(").replace("]", ")")).strip()


def passage_text(n: int, p: Passage, context: bool = True) -> str:
    c = p.cited
    meta = byline(f"“{_line(c.title)}”" if c.title else "", _line(c.source), c.published_at, " — ")
    body = " ".join(x for x in ((_line(p.before), _line(c.text), _line(p.after)) if context else (_line(c.text),)) if x)
    return f"[P{n}] ({meta}) {body}" if meta else f"[P{n}] {body}"


def build_prompt(question: str, passages: list[Passage], config: Config) -> ReaderPrompt:
    """System and user messages within config.llm_max_context_tokens: the context sentences go first, then the
    second passage, when the prompt would not fit."""
    system = prompts.render(SYSTEM)
    for kept, context in ((len(passages), True), (len(passages), False), (1, False)):
        text = "\n".join(passage_text(n, p, context) for n, p in enumerate(passages[:kept], 1))
        user = prompts.render(USER, passages=text, question=_line(question))
        tokens = sum(count_tokens([system, user]))
        if tokens <= config.llm_max_context_tokens:
            break
    messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
    return ReaderPrompt(messages, tuple(passages[:kept]), tokens)
