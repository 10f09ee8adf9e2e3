"""Titles and sources a journalist can read: taken from the file when the article gives none (issue #14, point 6)."""

from __future__ import annotations

import pytest

from common.config import Config
from index.loaders import load_paths
from index.loaders.lead import LEAD_MARK
from index.loaders.titles import first_line_title
from index.pipeline import prepare

from .loading import jsonl, write


def load_one(path):
    result = load_paths([path])
    assert result.failures == (), [str(f) for f in result.failures]
    (article,) = result.articles
    return article


def test_headline_line_of_a_plain_text_file_is_its_title_and_the_file_name_its_source(tmp_path):
    """A wire story saved as text: headline, blank line, body. The list and the sources panel should say
    "Nine dead as River Velm floods Velmora" from "velmora-flood.txt", not the slug "velmora-flood". The text
    is kept as it is, so the headline stays sentence 0 and every citation's offsets still cut its own text."""
    text = "Nine dead as River Velm floods Velmora\n\nNine people died when the River Velm burst its banks.\n"
    article = load_one(write(tmp_path / "velmora-flood.txt", text))
    assert article.title == "Nine dead as River Velm floods Velmora"
    assert article.source == "velmora-flood.txt"
    assert article.id == "velmora-flood"
    assert article.text == text
    config = Config.from_env(env={}, index_dir=tmp_path / "index", embedder="hash")
    sentences = prepare(article, config).sentences
    assert sentences[0].text == "Nine dead as River Velm floods Velmora"
    assert all(article.text[s.char_start : s.char_end] == s.text for s in sentences)


def test_markdown_heading_is_the_title_without_its_hashes(tmp_path):
    """A Markdown note without front matter: "# Ferries resume ..." is a heading by its syntax, so it is the
    title even though a question mark or a colon could end it; the "#" marks are not part of it."""
    text = "# Ferries resume: is the strait safe? #\n\nThe first ferry left Port Kessaly at dawn.\n"
    article = load_one(write(tmp_path / "kessaly-ferries.md", text))
    assert article.title == "Ferries resume: is the strait safe?"
    assert article.source == "kessaly-ferries.md"
    assert article.text == text


def test_underlined_markdown_heading_is_the_title(tmp_path):
    """`Title` over a line of `=` is the other Markdown heading form."""
    text = "Budget passes after late vote\n=============================\nThe council voted 17 to 12.\n"
    assert load_one(write(tmp_path / "budget.md", text)).title == "Budget passes after late vote"


def test_front_matter_without_a_title_takes_the_body_heading_and_keeps_its_source(tmp_path):
    """Front matter that names the outlet but no title: the heading of the body is the title, the outlet stays
    the source (the file name is only a fallback), and the body stays the text."""
    body = "## Rail strike called off\n\nUnion leaders accepted the offer on Sunday.\n"
    article = load_one(write(tmp_path / "rail.md", f"---\nsource: Ostrakand Wire\n---\n{body}"))
    assert (article.title, article.source, article.text) == ("Rail strike called off", "Ostrakand Wire", body)


def test_front_matter_title_wins_over_the_first_line(tmp_path):
    """What the writer put in front matter is never second-guessed."""
    text = "---\ntitle: Flood toll rises to 14\nsource: Ostrakand Wire\n---\nFlood toll update\n\nFourteen died.\n"
    article = load_one(write(tmp_path / "toll.md", text))
    assert (article.title, article.source) == ("Flood toll rises to 14", "Ostrakand Wire")


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("The river rose two metres overnight.\n\nNine people died.\n", "ends like a sentence"),
        ("Will the dam hold?\n\nEngineers say yes.\n", "a question is a sentence, not a headline"),
        ("Mayor Ilsa Varenko said:\n\n“We will rebuild.”\n", "a colon leads into what follows"),
        ("The council voted on Tuesday to raise the\nharbour fees by ten percent from April.\n",
         "hard-wrapped paragraph: the next line goes on in lower case"),
        ("The council voted on Tuesday to raise harbour\nFees by ten percent from April, officials said.\n",
         "hard-wrapped paragraph: lines about equally long"),
        ("Flood warning for Velmora\n", "one line is the whole article, not a title over it"),
        ("2026-03-07 08:30\n\nThe river rose.\n", "no letters: a dateline, not a title"),
        ("- sandbags\n- pumps\n\nBoth ran out on Monday.\n", "a list item"),
        (" ".join(["word"] * 30) + "\n\nBody.\n", "too many words for a headline"),
    ],
)
def test_lines_that_are_not_titles_give_the_leads_opening_words(tmp_path, text, why):
    """Better the lead's first words, marked as such, than a sentence fragment shown as a headline (issue 25)."""
    article = load_one(write(tmp_path / "story.txt", text))
    assert first_line_title(text) is None, why
    words = " ".join(w for w in text.split() if any(c.isalnum() for c in w)).rstrip(".,;:")[:20]
    assert article.title.startswith(words) and article.title.endswith(LEAD_MARK), why
    assert article.source == "story.txt"


def test_headline_followed_directly_by_a_longer_body_line_is_a_title():
    """No blank line under the headline, but the body line is much longer and starts a new sentence."""
    text = "Wildfire forces evacuation\nHARROWMERE — A wildfire has burned about 2,300 hectares of pine forest and scrub.\n"
    assert first_line_title(text) == "Wildfire forces evacuation"


def test_html_without_an_outlet_names_its_file_as_the_source(tmp_path):
    """A saved page with no site name in its metadata: the file name tells the journalist where it came from."""
    html = "<html><head><title>Boat found in drained lake</title></head><body><p>A Bronze Age boat.</p></body></html>"
    article = load_one(write(tmp_path / "simmerin-boat.html", html))
    assert (article.title, article.source) == ("Boat found in drained lake", "simmerin-boat.html")


def test_untitled_undated_wire_stories_in_jsonl_get_a_headline_or_their_lead(tmp_path):
    """Issue 25: wire stories as JSONL without title or date showed "Untitled article" thirty times. A headline line
    is the title (as in .txt files); otherwise the dateline's place and the lead's first words, marked, with the
    agency in brackets as the source; never the id."""
    path = jsonl(tmp_path / "wire.jsonl",
        {"text": "Ferries resume after storm\n\nKESSALY — Ferries sailed again on Monday."},
        {"text": "HARROWMERE, Ostrakand (Wire) -- Fire crews battled a wildfire near the town on Sunday as "
                 "the wind rose. Nobody was hurt."},
        {"text": "Nobody was hurt when the roof fell.", "source": "Kessaly Herald"},
    )
    first, second, third = load_paths([path]).articles
    assert first.title == "Ferries resume after storm"
    assert second.title == ("Harrowmere, Ostrakand: Fire crews battled a wildfire near the town on Sunday … "
                            + LEAD_MARK)
    assert second.source == "Wire"
    assert (third.title, third.source) == ("Nobody was hurt when the roof fell " + LEAD_MARK, "Kessaly Herald")
    assert all(a.id not in a.title for a in (first, second, third))
