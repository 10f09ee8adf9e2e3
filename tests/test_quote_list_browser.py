"""A quote list in the chat, light and dark (issue 22): direct quotes in quotation marks, reported speech as the
reporter wrote it (no quotation marks), readable (WCAG AA measured in chromium), with a screenshot of each in
tests/artifacts/quote-list-{light,dark}.png."""

from __future__ import annotations

import pytest

from .browsing import SCHEMES, ask, assert_readable, open_chat, playwright, scheme_page, shot
from .conftest import EXAMPLES, REPO
from .serving import build_index, start_server

sync_api = playwright()
STORIES = REPO / "tests" / "gold" / "quote_stories.jsonl"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("quote-list")
    build_index(root / "index", [EXAMPLES, STORIES])
    srv = start_server(root / "index", root / "server.log", {"ASSISTANT_EMBEDDER": "hash"})
    yield srv
    srv.stop()


@pytest.mark.parametrize("scheme", SCHEMES)
def test_quote_list_light_and_dark(browser, server, scheme):
    """"What did Tomas Reyl say?": six lines under "Tomas Reyl (Rovers manager) said:"; the two reported ones
    ("The Rovers manager also said that …", "… and Reyl said he understood her anger.") show no quotation marks,
    the four direct ones only the words inside the story's marks; the career history next to them is not listed."""
    with scheme_page(browser, scheme) as page:
        open_chat(page, server.url)
        answer = ask(page, "What did Tomas Reyl say?")
        body = answer.locator(".body").inner_text()
        assert body.startswith("Tomas Reyl (Rovers manager) said:"), body
        items = [line.strip() for line in body.splitlines() if "Gold stories" in line]
        assert len(items) == 6, body
        reported = [x for x in items if "also said that Holm would start" in x or "understood her anger" in x]
        assert len(reported) == 2 and not any("“" in x or "”" in x for x in reported), reported
        assert sum(x.lstrip("- •").startswith("“") for x in items) == 4, items
        assert "two league titles" not in body
        assert_readable(page, ["#transcript .msg.user .body", "#transcript .msg.answered .body"])
        shot(page, f"quote-list-{scheme}.png")
