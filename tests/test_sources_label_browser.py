"""The Sources filter's label says what it does (issue 25): "none selected: all" only while none is selected. In
chromium, light and dark, with a screenshot of each state in tests/artifacts/."""

from __future__ import annotations

import pytest

from .browsing import SCHEMES, open_chat, playwright, scheme_page, shot
from .conftest import EXAMPLES
from .serving import build_index, start_server

sync_api = playwright()


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    root = tmp_path_factory.mktemp("label")
    build_index(root / "index", [EXAMPLES])
    server = start_server(root / "index", root / "server.log", {"ASSISTANT_EMBEDDER": "hash"})
    yield server
    server.stop()


@pytest.fixture(params=SCHEMES)
def page(request, browser):
    with scheme_page(browser, request.param) as pg:
        yield pg


def test_the_sources_label_follows_the_selection(page, web):
    open_chat(page, web.url)
    page.get_by_text("Filters", exact=True).click()
    page.click("#filter-sources input")
    label = page.locator("#filter-sources").first
    assert "none selected: all" in label.inner_text()
    page.locator("#filter-sources [role=option]", has_text="Kessaly Herald").click()
    page.keyboard.press("Escape")
    page.wait_for_function("() => !document.querySelector('#filter-sources').innerText.includes('none selected')")
    assert "only those selected" in label.inner_text()
    shot(page, f"sources-label-selected-{page.scheme}.png", full_page=False)
    page.locator("#filter-sources .token-remove, #filter-sources [aria-label^='Remove']").first.click()
    page.wait_for_function("() => document.querySelector('#filter-sources').innerText.includes('none selected')")
