"""Precision-first measure of attributed statements: span, kind and speaker scored separately, plus the two errors a
newsroom cannot print (narration listed as a statement, reported speech shown inside quotation marks).

Only predictions in labelled sentences count: a prediction overlapping a gold statement is matched to it (the one
it overlaps most), one overlapping a labelled narration sentence is "narration listed"; sentences nobody labelled
are not scored. Speaker precision: of the matched predictions that name someone, the share naming the gold speaker
(or an accepted alias); an unattributed prediction is no error of precision, a wrong name is."""

from __future__ import annotations

from collections import defaultdict

KIND = {"indirect": "reported", "reported": "reported", "direct": "direct", "post": "post", "narration": "narration"}
ROWS = ("statements found (recall)", "span exact, direct (of gold direct)", "span exact, direct (of found direct)",
        "kind right (of found)", "speaker recall", "speaker precision", "unattributed (of found)",
        "narration sentences listed", "reported speech in quotation marks", "predictions scored")


def _overlap(a0: int, a1: int, b0: int, b1: int) -> int:
    return min(a1, b1) - max(a0, b0)


def measure(items: list[dict], quotes_of: dict[str, list], speaker_right) -> dict[str, tuple[int, int]]:
    """(numerator, denominator) for each row of ROWS over the gold `items` (statements and narration) and the
    predicted quotes of their articles."""
    by_article: dict[str, list[dict]] = defaultdict(list)
    for o in items:
        by_article[o["article_id"]].append(o)
    c = defaultdict(int)
    for aid, gold in by_article.items():
        stmts = [o for o in gold if o["kind"] != "narration"]
        narr = [o for o in gold if o["kind"] == "narration"]
        matched: dict[str, list] = defaultdict(list)
        for q in quotes_of.get(aid, []):
            hits = [(_overlap(q.start, q.end, o["quote"]["char_start"], o["quote"]["char_end"]), n)
                    for n, o in enumerate(stmts)]
            best = max(hits, default=(0, -1))
            if best[0] > 0:
                matched[stmts[best[1]]["id"]].append(q)
                c["predictions scored"] += 1
            elif any(_overlap(q.start, q.end, o["sentence"]["char_start"], o["sentence"]["char_end"]) > 0 for o in narr):
                c["narration"] += 1
                c["predictions scored"] += 1
        for o in stmts:
            qs = matched.get(o["id"], [])
            gk = KIND[o["kind"]]
            c["gold"] += 1
            c["gold direct"] += gk == "direct"
            c["gold speaker"] += o["speaker"] is not None
            if not qs:
                continue
            gs, ge = o["quote"]["char_start"], o["quote"]["char_end"]
            q = max(qs, key=lambda q: _overlap(q.start, q.end, gs, ge))
            pk = KIND.get(q.kind, q.kind)
            c["found"] += 1
            c["kind right"] += pk == gk
            if gk == "direct":
                c["found direct"] += 1
                c["exact direct"] += (q.start, q.end) == (gs, ge)
            if gk == "reported" and pk == "direct":
                c["reported as direct"] += 1
            for p in qs:  # every prediction on this statement is shown to the reader
                if not p.speaker:
                    c["unattributed"] += p is q
                    continue
                c["named"] += 1
                c["named right"] += speaker_right(p.speaker, o) if o["speaker"] else _alias(p.speaker, o)
            if o["speaker"] is not None and q.speaker and speaker_right(q.speaker, o):
                c["speaker right"] += 1
    return {
        ROWS[0]: (c["found"], c["gold"]),
        ROWS[1]: (c["exact direct"], c["gold direct"]),
        ROWS[2]: (c["exact direct"], c["found direct"]),
        ROWS[3]: (c["kind right"], c["found"]),
        ROWS[4]: (c["speaker right"], c["gold speaker"]),
        ROWS[5]: (c["named right"], c["named"]),
        ROWS[6]: (c["unattributed"], c["found"]),
        ROWS[7]: (c["narration"], sum(o["kind"] == "narration" for o in items)),
        ROWS[8]: (c["reported as direct"], sum(KIND[o["kind"]] == "reported" for o in items)),
        ROWS[9]: (c["predictions scored"], c["predictions scored"]),
    }


def _alias(predicted: str, item: dict) -> bool:
    """A statement by someone the text never names: only its own description is no error."""
    def bare(s: str) -> str:  # "The environment department" and "environment department" are one description
        words = s.casefold().split()
        return " ".join(words[1:] if words[:1] == ["the"] else words)

    return any(bare(predicted) == bare(a) for a in item["speaker_aliases"])


def rows(results: dict[str, dict[str, tuple[int, int]]]) -> list[tuple]:
    """One table row per measure, one column per gold part."""
    out = []
    for r in ROWS:
        cells = []
        for part in results.values():
            n, d = part[r]
            cells.append(f"{n}" if r in (ROWS[7], ROWS[8], ROWS[9]) else f"{n / d:.3f} ({n}/{d})" if d else "-")
        out.append((r, *cells))
    return out
