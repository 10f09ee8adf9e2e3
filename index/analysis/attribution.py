"""Quote attribution from spaCy's parse: quoted words, reported speech ("said that …", "according to X"), and
embedded posts, each with its cue, its speaker resolved to a name and the sentence that gives the name, all as
exact character offsets into the article text; a quote over several sentences gives each sentence its part."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from common.analysis import Quote
from index.analysis.clauses import according
from index.analysis.cues import (
    QUOTE_ONLY,
    Speaking,
    after_colon,
    borders,
    cue_end,
    distance,
    is_cue,
    is_object,
    parenthetical,
    postposed,
    reported,
    subject,
    trim,
)
from index.analysis.described import aged_subject, person_like
from index.analysis.marks import Marked, posts, quotations
from index.analysis.names import Names
from index.analysis.nouns import opens_with_person
from index.analysis.speakers import Resolver, Speaker


@dataclass(frozen=True)
class Attribution:
    """Who said a statement, with which cue, found in which sentence."""

    kind: str
    cue_start: int
    cue_end: int
    speaker: Speaker
    sentence: int  # where the cue is


def attribute(doc, text: str, sentence_spans: Sequence[tuple[int, int]]) -> list[Quote]:
    """Every attributed statement of an article (spaCy `doc` of the whole `text`), sentence indices into
    `sentence_spans`."""
    return _Article(doc, text, sentence_spans).quotes()


_WORD = re.compile(r"\w")
_CAPTION = re.compile(r"©|\bCredit: |^(?:Image|Photo|Picture|Video): |Please use Chrome browser|"
                      r"^(?:WATCH|READ|ALSO READ|READ MORE|RELATED|SEE ALSO|LISTEN|MORE)(?: THIS| [A-Z]+)*: |"
                      r"^(?=(?:[^a-z\n]*?[A-Z]{2,}\b){6})[^a-z\n]+$", re.M)  # a line in capitals: a link's headline


def _unnamed(subj, sentence: int) -> Speaker:
    """The speaker of a cue whose subject names nobody the article names ("a hospital source"): unattributed."""
    return Speaker(subj.left_edge.idx, subj.idx + len(subj.text), None, "", None, sentence)


class _Article:
    def __init__(self, doc, text: str, spans: Sequence[tuple[int, int]]) -> None:
        self.doc, self.text, self.spans = doc, text, list(spans)
        self.starts = [s for s, _ in self.spans]
        self.posts = posts(text)
        in_post = [(p.start, p.end) for p in self.posts]
        self.marks = [m for m in quotations(text) if not any(s <= m.start < e for s, e in in_post)]
        self._mark_starts = [m.open_at if m.open_at >= 0 else m.start for m in self.marks]
        self.names = Names(doc, text, self.sentence_of, self.quoted)
        self.resolver = Resolver(doc, self.names, self.sentence_of)
        self.resolver.captions = {i for i, (s, e) in enumerate(self.spans) if _CAPTION.search(text, s, e)}
        self.tokens: list[list] = [[] for _ in self.spans]
        for tok in doc:
            i = self.sentence_of(tok.idx)
            if i >= 0 and tok.idx < self.spans[i][1] and not tok.is_space:
                self.tokens[i].append(tok)
        self.resolver.described_at = {i for i, toks in enumerate(self.tokens) if opens_with_person(toks)} | {
            m.sentence for m in self.names.mentions if person_like(m)}
        aged = {i: aged_subject(toks, self.names, text) for i, toks in enumerate(self.tokens)}
        self.resolver.aged_at = {i: name for i, name in aged.items() if name is not None}
        self.by_mark: dict[int, Attribution] = {}
        self.absorbed: set[int] = set()
        self.statements: list[tuple[int, int, int, Attribution]] = []  # (sentence, start, end, attribution)

    def sentence_of(self, offset: int) -> int:
        return bisect_right(self.starts, offset) - 1

    def quoted(self, offset: int) -> bool:
        k = bisect_right(self._mark_starts, offset) - 1
        return k >= 0 and self._mark_starts[k] <= offset < self.marks[k].end + 1

    def marks_in(self, i: int) -> list[int]:
        s, e = self.spans[i]
        hi = bisect_left(self._mark_starts, e)
        return [k for k in range(max(0, bisect_left(self._mark_starts, s) - 1), hi) if self.marks[k].end > s]

    def same_paragraph(self, i: int, j: int) -> bool:
        a, b = sorted((i, j))
        return "\n" not in self.text[self.spans[a][1]:self.spans[b][0]]

    def quotes(self) -> list[Quote]:
        for i in range(len(self.spans)):
            self._sentence(i)
        self._adjacent()
        out = []
        for k, attr in sorted(self.by_mark.items()):
            out.extend(self._parts(self.marks[k], attr))
        for i, s, e, attr in self.statements:
            out.append(self._quote(i, s, e, attr))
        out.extend(self._posts())
        seen, unique = set(), []
        for q in sorted(out, key=lambda q: (q.start, q.end)):
            if (q.start, q.end) not in seen and q.end > q.start:
                seen.add((q.start, q.end))
                unique.append(q)
        return unique

    # -- one sentence: its cues, their speakers and statements
    def _sentence(self, i: int) -> None:
        s, e = self.spans[i]
        if any(p.start <= s < p.end for p in self.posts):
            return  # a post's words are the post's, whatever verbs they use
        marks = [k for k in self.marks_in(i) if k not in self.by_mark]
        cues = []
        for tok in self.tokens[i]:
            if not is_cue(tok) or self.quoted(tok.idx):
                continue
            subj = subject(tok, s, e)
            if subj is None or self.quoted(subj.idx) or not s <= subj.idx < e:
                continue
            speaker = self.resolver.speaker(subj, i)
            if speaker is None:  # "A council spokesperson said …": unattributed
                speaker = _unnamed(subj, i)
                self.resolver.unnamed_at.add(i)
            if speaker is not None:
                lo = hi = subj.right_edge.idx + len(subj.right_edge)
                if subj.idx < tok.idx:  # the subject's whole phrase: "The study's title, “…”, reflects" quotes no one
                    lo, hi = subj.left_edge.idx, min(hi, tok.idx)
                cues.append((tok, Speaking(speaker, min(lo, speaker.start), max(hi, speaker.end))))
        done = set()
        for n, (cue, sp) in enumerate(cues):
            attr = Attribution("reported", cue.idx, cue_end(cue), sp.speaker, i)
            if cue.lemma_.lower() in QUOTE_ONLY:
                continue
            if cue.lower_ == "according":
                span = according(self.text, cue, s, e)
            else:
                span = parenthetical(self.text, cue, s, e) or reported(self.text, cue, self.marks, marks, s, e)
            if span is not None:
                self.statements.append((i, span[0], span[1], attr))
                self.absorbed.update(k for k in marks if span[0] <= self.marks[k].start < span[1])
                done.add(n)
        free = [k for k in marks if k not in self.absorbed]
        for k in free:
            m = self.marks[k]
            near = [(abs(distance(m, c)), n) for n, (c, sp) in enumerate(cues)
                    if n not in done and not (sp.start <= m.start < sp.end) and not is_object(c, m)
                    and borders(self.text, m, c, sp)]
            if near:
                cue, sp = cues[min(near)[1]]
                self.by_mark[k] = Attribution("direct", cue.idx, cue_end(cue), sp.speaker, i)
        used = {a.cue_start for a in self.by_mark.values() if a.sentence == i}
        for n, (cue, sp) in enumerate(cues):
            if n in done or cue.idx in used or cue.lemma_.lower() in QUOTE_ONLY:
                continue
            span = postposed(self.text, cue, s, e) or after_colon(cue, self.text, s, e)
            if span is not None:
                kind = "direct" if self.text[cue.idx:span[0]].rstrip().endswith(":") else "reported"
                attr = Attribution(kind, cue.idx, cue_end(cue), sp.speaker, i)
                self.statements.append((i, span[0], span[1], attr))

    # -- quotes whose sentence has no cue: the attribution before (continued quote, "X said:") or after
    def _adjacent(self) -> None:
        for k in range(len(self.marks)):
            if k in self.by_mark or k in self.absorbed:
                continue
            i = self.sentence_of(self._mark_starts[k])
            if i < 0 or any(c for c in self.tokens[i] if is_cue(c) and not self.quoted(c.idx)) or not self._alone(k):
                continue
            attr = self._before(k, i) or self._after(k, i)
            if attr is not None:
                self.by_mark[k] = attr
        for k in range(len(self.marks)):
            if k not in self.by_mark and k not in self.absorbed and (attr := self._headline(k)) is not None:
                self.by_mark[k] = attr
        for k in range(len(self.marks) - 2, -1, -1):  # a quotation left open at a paragraph's end goes on in the
            nxt = self.marks[k + 1]  # one the next paragraph opens: whoever speaks there spoke it
            if k not in self.by_mark and k not in self.absorbed and not self.marks[k].closed and k + 1 in self.by_mark \
                    and nxt.open_at >= 0 and not self.text[self.marks[k].end:nxt.open_at].strip(" \t\n.,") \
                    and "\n" in self.text[self.marks[k].end:nxt.open_at]:
                self.by_mark[k] = self.by_mark[k + 1]

    def _headline(self, k: int) -> Attribution | None:
        """A line that is a person's name, a colon and their quoted words ("Captain Priya Rao: ‘We batted like
        strangers’"): a headline quoting that person."""
        m, at = self.marks[k], self._mark_starts[k]
        i = self.sentence_of(at)
        s, e = self.spans[i]
        lead = self.text[s:at].rstrip()
        if not lead.endswith(":") or not m.closed or self.sentence_of(m.end - 1) != i or _WORD.search(
                self.text[m.close_at + 1:e]) or self.text[s - 1:s].strip() or self.text[e:e + 1].strip():
            return None
        toks = [t for t in self.tokens[i] if t.idx < s + len(lead) - 1]
        name = self.names.name_of(toks[-1], i) if toks else None
        if name is None or name.label != "PERSON" or self.text[s:name.start].strip() not in ("", name.role) \
                or name.end != s + len(lead) - 1:  # "Dellmoor captain Precious Ndlovu-Carr: “…”": its role first
            return None
        colon, speaker = s + len(lead) - 1, self.resolver.speaker(toks[-1], i)
        return None if speaker is None else Attribution("direct", colon, colon + 1, speaker, i)

    def _alone(self, k: int) -> bool:
        """The quoted words are sentences of their own, not a title or phrase inside the reporter's sentence
        ("“Salt Winter” cost less than €1m to make.", "… went to the Polish documentary “Ninety Days”.")."""
        m = self.marks[k]
        first, last = self.sentence_of(self._mark_starts[k]), self.sentence_of(m.end - 1)
        before = self.text[self.spans[first][0]:self._mark_starts[k]]
        after = self.text[m.close_at + 1:self.spans[last][1]] if m.closed else ""
        return not _WORD.search(before) and not _WORD.search(after)

    def _before(self, k: int, i: int) -> Attribution | None:
        j = i - 1
        if j < 0:
            return None
        prev_open = k > 0 and not self.marks[k - 1].closed and self.sentence_of(self.marks[k - 1].start) >= j - 3
        colon = self.text[self.spans[j][0]:self.spans[j][1]].rstrip().endswith(":")
        if not (self.same_paragraph(j, i) or prev_open or colon):
            # a paragraph that opens with quoted words, right after a paragraph ending with X's closed quotation,
            # goes on quoting X (no cue of its own: checked by the caller)
            before = k > 0 and self.marks[k - 1].closed and self.sentence_of(self.marks[k - 1].end - 1) == j
            return self.by_mark.get(k - 1) if before and self.marks[k].open_at == self.spans[i][0] else None
        # "“…?” Palmer mused. “Maybe …”": the quotation right after X's cue sentence goes on quoting X
        given = [a for kk, a in self.by_mark.items() if kk < k and self.sentence_of(self._mark_starts[kk]) in (j, i)
                 or (prev_open and kk == k - 1) or (kk == k - 1 and a.sentence == j and self.same_paragraph(j, i))]
        if given:
            return given[-1]
        if colon:
            return self._introducer(j)
        if self.same_paragraph(j, i) and not self.marks_in(j) and self.marks[k].open_at == self.spans[i][0]:
            return self._introducer(j, persons_only=True)  # "… backed by neurologist Cath Mummery. “It has …”"
        return None

    def _after(self, k: int, i: int) -> Attribution | None:
        last = self.sentence_of(self.marks[k].end - 1)
        j = last + 1
        if j >= len(self.spans) or not self.same_paragraph(last, j) or len(self.tokens[j]) > 10 or self.marks_in(j):
            return None
        for tok in self.tokens[j]:
            if is_cue(tok) and (subj := subject(tok, *self.spans[j])) is not None:
                speaker = self.resolver.speaker(subj, j)
                if speaker is not None:
                    return Attribution("direct", tok.idx, cue_end(tok), speaker, j)
        return None

    def _introducer(self, j: int, persons_only: bool = False) -> Attribution | None:
        """ "Wild GM Bill Guerin gave the following comment:": the subject (or agent) of the sentence's main verb."""
        for tok in self.tokens[j]:
            if tok.dep_ == "ROOT" and tok.tag_.startswith("VB"):
                subj = subject(tok, *self.spans[j])
                agent = [g for c in tok.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"]
                if agent and (subj is None or subj.tag_ not in ("NNP", "NNPS")):
                    subj = agent[0]  # "This point was backed by X"
                if subj is None or (persons_only and subj.ent_type_ != "PERSON"):
                    return None
                speaker = self.resolver.speaker(subj, j)
                if speaker is not None and speaker.name:
                    return Attribution("direct", tok.idx, cue_end(tok), speaker, j)
        return None

    # -- output
    def _parts(self, m: Marked, attr: Attribution) -> list[Quote]:
        out = []
        first = self.sentence_of(m.start)
        for i in range(max(first, 0), len(self.spans)):
            s, e = self.spans[i]
            if s >= m.end:
                break
            start, end = trim(self.text, max(s, m.start), min(e, m.end))
            if end > start:
                out.append(self._quote(i, start, end, Attribution("direct", attr.cue_start, attr.cue_end,
                                                                   attr.speaker, attr.sentence)))
        return out

    def _quote(self, i: int, start: int, end: int, attr: Attribution) -> Quote:
        sp = attr.speaker
        s, e = self.spans[i]
        written = s <= sp.start < e
        return Quote(i, start, end, attr.kind, attr.cue_start, attr.cue_end, sp.start if written else -1,
                     sp.end if written else -1, sp.name, sp.role, sp.named_in)

    def _posts(self) -> list[Quote]:
        out = []
        for p in self.posts:
            named_in = self.sentence_of(p.name_start)
            name = self.text[p.name_start:p.name_end]
            for i in range(max(self.sentence_of(p.start), 0), len(self.spans)):
                s, e = self.spans[i]
                if s >= p.end:
                    break
                start, end = trim(self.text, max(s, p.start), min(e, p.end))
                if end > start:
                    own = i == named_in
                    out.append(Quote(i, start, end, "post", p.dash, p.dash + 1, p.name_start if own else -1,
                                     p.name_end if own else -1, name, p.handle, named_in))
        return out
