"""The article header never covers the text (issue 25): a headline wrapping to several lines, a long outlet and URL,
at 390 px (a phone), 768 px (a tablet) and 1400 px, light and dark, in the chat's article view after a source is
clicked (the cited sentence below the header, and the first line at the top), the Articles tab's reader and the
widget's article page (/read). Before the fix the chat scrolled the cited sentence a third of the way down its box,
where the sticky header (260 px tall at 390 px) lay over it: the highlight was hidden."""

from __future__ import annotations

import pytest

from .browsing import ARTIFACTS, SCHEMES, ask, open_chat, playwright, shot, wait_settled
from .conftest import EXAMPLES
from .serving import build_index, start_server

sync_api = playwright()
WIDTHS = ((390, 844), (768, 1024), (1400, 950))
TITLE = ("Quendal harbour authority approves emergency breakwater repairs after the winter storms damaged three "
         "piers and the ferry terminal on the northern shore")
CITED = "The harbour master Tamsin Oakridge said the Quendal breakwater repairs would cost 4.2 million crowns."
QUESTION = "How much would the Quendal breakwater repairs cost?"


def story() -> str:
    paras = [f"Paragraph {i} of the report says the harbour authority of Quendal checked berth {i} and found it sound."
             for i in range(30)]
    paras[20] = CITED
    return ("---\n" f'title: "{TITLE}"\n' "source: Quendal Coastal Courier and Evening Harbour Gazette\n"
            "published_at: 2026-02-03\nurl: https://www.example-courier.test/news/2026/02/03/quendal-harbour-authority-"
            "approves-emergency-breakwater-repairs-after-winter-storms-damaged-three-piers-and-ferry-terminal\n---\n"
            + "\n\n".join(paras) + "\n")


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    root = tmp_path_factory.mktemp("header")
    (root / "extra").mkdir()
    (root / "extra" / "quendal-breakwater.md").write_text(story(), encoding="utf-8")
    build_index(root / "index", [EXAMPLES, root / "extra"])
    server = start_server(root / "index", root / "server.log", {"ASSISTANT_EMBEDDER": "hash"})
    yield server
    server.stop()


# The header's box, the first line of the text (a Range over its first character) and the highlighted sentence's
# first line, all in page coordinates; `top`: the view scrolled to its top first.
BOXES = """([view, top]) => {
  const v = document.querySelector(view); const h = v.querySelector('header');
  let box = h.parentElement;
  while (box && box !== document.body && getComputedStyle(box).overflowY !== 'auto') box = box.parentElement;
  if (top && box) { box.scrollTop = 0; }
  const rect = (r) => r && {top: r.top, bottom: r.bottom, left: r.left, right: r.right};
  const walker = document.createTreeWalker(v, NodeFilter.SHOW_TEXT,
    {acceptNode: (n) => !h.contains(n) && n.textContent.trim() ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_SKIP});
  const first = walker.nextNode(); const range = document.createRange();
  const at = first.textContent.search(/\\S/); range.setStart(first, at); range.setEnd(first, at + 1);
  const m = v.querySelector('mark');
  const view_ = box && box !== document.body ? box.getBoundingClientRect() : {top: 0, bottom: innerHeight};
  return {head: rect(h.getBoundingClientRect()), first: rect(range.getClientRects()[0]),
          mark: m ? rect(m.getClientRects()[0]) : null, view: {top: view_.top, bottom: view_.bottom}};
}"""


def snap(locator, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    locator.screenshot(path=str(ARTIFACTS / name))


def apart(a: dict, b: dict) -> bool:
    """The two boxes do not intersect."""
    return a["bottom"] <= b["top"] + 0.5 or b["bottom"] <= a["top"] + 0.5 or a["right"] <= b["left"] \
        or b["right"] <= a["left"]


@pytest.fixture(params=[(s, w) for s in SCHEMES for w in WIDTHS], ids=lambda p: f"{p[0]}-{p[1][0]}")
def page(request, browser):
    scheme, (width, height) = request.param
    context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
    page = context.new_page()
    page.set_default_timeout(90_000)
    page.name = f"{scheme}-{width}"
    yield page
    context.close()


def test_the_chat_shows_the_cited_sentence_below_the_header(page, web):
    open_chat(page, web.url)
    ask(page, QUESTION)
    page.locator("#sources button.source", has_text="Quendal").first.click()
    page.wait_for_function("(s) => document.querySelector('#article mark')?.textContent === s", arg=CITED)
    wait_settled(page, "#article")
    page.wait_for_function("document.querySelector('#article .article-view').scrollTop > 0")
    cited = page.evaluate(BOXES, ["#article", False])
    snap(page.locator("#article"), f"article-header-cited-{page.name}.png")
    assert apart(cited["head"], cited["mark"]), cited
    assert cited["view"]["top"] - 0.5 <= cited["mark"]["top"] and cited["mark"]["bottom"] <= cited["view"]["bottom"], cited
    at_top = page.evaluate(BOXES, ["#article", True])
    snap(page.locator("#article"), f"article-header-top-{page.name}.png")
    assert apart(at_top["head"], at_top["first"]), at_top
    assert at_top["head"]["bottom"] - at_top["head"]["top"] > 80, at_top  # the headline did wrap


def test_the_articles_tab_and_the_widget_article_page_start_below_the_header(page, web):
    open_chat(page, web.url)
    page.get_by_role("tab", name="Articles", exact=True).click()
    page.locator("#article-list button.article-row", has_text="Quendal").click()
    page.wait_for_selector("#browse-article ol.sentences li")
    wait_settled(page, "#browse-article")
    reader = page.evaluate(BOXES, ["#browse-article", True])
    snap(page.locator("#browse-article"), f"article-header-browse-{page.name}.png")
    assert apart(reader["head"], reader["first"]), reader
    page.goto(f"{web.url}/read#id=quendal-breakwater&s=20&t=" + CITED.replace(" ", "%20"))
    page.wait_for_selector("#article mark")
    widget = page.evaluate(BOXES, ["#article", False])
    shot(page, f"article-header-read-{page.name}.png", full_page=False)
    assert apart(widget["head"], widget["mark"]), widget
    page.evaluate("() => window.scrollTo(0, 0)")
    page.wait_for_function("window.scrollY === 0")
    widget = page.evaluate(BOXES, ["#article", True])
    assert apart(widget["head"], widget["first"]), widget
