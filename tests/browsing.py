"""Helpers for the browser tests: Debian chromium through Playwright, screenshots, the chat, and text contrast."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]
ARTIFACTS = Path(__file__).parent / "artifacts"
SCHEMES = ("light", "dark")
ANSWERS = "#transcript .msg.bot.answered, #transcript .msg.bot.abstained"
VELMORA = "How many people died in the Velmora flood?"


def playwright():
    """The sync Playwright module, or a skip naming what is missing."""
    if not CHROMIUM.exists():
        pytest.skip("browser tests need Debian's chromium at /usr/bin/chromium (apt-get install chromium)",
                    allow_module_level=True)
    return pytest.importorskip("playwright.sync_api", reason="browser tests need playwright (pip install playwright)")


def launch(pw):
    return pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)


@contextmanager
def chromium():
    """Debian's chromium, headless, for one test module (a skip naming what is missing without it)."""
    with playwright().sync_playwright() as pw:
        browser = launch(pw)
        yield browser
        browser.close()


@contextmanager
def scheme_page(browser, scheme: str = "light", **context_args):
    """new_page() for one test, closed after it; `page.scheme` says which color scheme it has."""
    page = new_page(browser, scheme, **context_args)
    page.scheme = scheme
    yield page
    page.context.close()


def new_page(browser, scheme: str = "light", **context_args):
    """A page in a fresh context; `scheme` "dark" is the operating system's dark setting (prefers-color-scheme)."""
    context = browser.new_context(viewport={"width": 1400, "height": 950}, color_scheme=scheme, **context_args)
    page = context.new_page()
    page.console_messages = []
    page.on("console", lambda m: page.console_messages.append(m.text))
    page.set_default_timeout(120_000)  # the machines that run these are often busy (60 s once ran out in CI)
    return page


def shot(page, name: str, full_page: bool = True) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=full_page)
    return path


def serve_folder(folder: Path) -> tuple[ThreadingHTTPServer, str]:
    """A static web server on 127.0.0.1 (a partner site on its own origin)."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(SimpleHTTPRequestHandler, directory=str(folder)))
    httpd.log_message = lambda *a: None
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def open_chat(page, url: str) -> None:
    """Open the chat and wait until its load event has drawn the status line (and the kept conversation)."""
    page.goto(url)
    page.wait_for_selector("#question textarea")
    page.wait_for_selector("#status-line")


def ask(page, question: str):
    """Type a question, press Enter, and wait for its answer (answered or abstained); returns that message."""
    before = page.locator(ANSWERS).count()
    page.fill("#question textarea", question)
    page.press("#question textarea", "Enter")
    page.wait_for_function(f"document.querySelectorAll({ANSWERS!r}).length > {before}")
    wait_settled(page, "#transcript")
    return page.locator(ANSWERS).nth(before)


def wait_settled(page, selector: str) -> None:
    """Wait until the Gradio component `selector` and its ancestors are fully opaque (its update has finished)."""
    page.wait_for_function("""(sel) => { for (let e = document.querySelector(sel); e; e = e.parentElement)
                                           if (getComputedStyle(e).opacity !== '1') return false;
                                         return true; }""", arg=selector)


# WCAG contrast of every element matched by `selector` (under `root`, which may be a shadow root) that shows text of
# its own: text colour (times the opacity of it and its ancestors) over the background it is painted on.
CONTRAST_JS = """([selector, hostSelector]) => {
  const root = hostSelector ? document.querySelector(hostSelector).shadowRoot : document;
  const rgba = (c) => { const m = /rgba?\\(([^)]+)\\)/.exec(c); if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const parent = (e) => e.parentElement || (e.getRootNode() instanceof ShadowRoot ? e.getRootNode().host : null);
  const over = (top, base) => base.map((v, i) => v * (1 - top[3]) + top[i] * top[3]);
  const background = (el) => { const layers = [];
    for (let e = el; e; e = parent(e)) { const c = rgba(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; } }
    let base = [255, 255, 255];
    for (const l of layers.reverse()) base = over(l, base);
    return base; };
  const lum = (c) => { const [r, g, b] = c.map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const out = [];
  for (const el of root.querySelectorAll(selector)) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    const box = el.getBoundingClientRect();
    if (!own || box.width === 0 || box.height === 0) continue;
    let opacity = 1;
    for (let e = el; e; e = parent(e)) opacity *= Number(getComputedStyle(e).opacity);
    const fg = rgba(getComputedStyle(el).color), bg = background(el);
    if (!fg) { out.push({selector, text: el.textContent.slice(0, 40), ratio: 0, color: getComputedStyle(el).color}); continue; }
    const shown = over([fg[0], fg[1], fg[2], fg[3] * opacity], bg);
    const [hi, lo] = [lum(shown), lum(bg)].sort((a, b) => b - a);
    out.push({selector, text: el.textContent.trim().slice(0, 40), ratio: Math.round((hi + 0.05) / (lo + 0.05) * 100) / 100,
              color: 'rgb(' + shown.map(Math.round) + ')', background: 'rgb(' + bg.map(Math.round) + ')'});
  }
  return out;
}"""


def contrasts(page, selectors: list[str], host: str | None = None) -> list[dict]:
    """Contrast measurements for every text element of `selectors` (inside the shadow root of `host`, if given)."""
    found = []
    for selector in selectors:
        found += page.evaluate(CONTRAST_JS, [selector, host])
    return found


def assert_readable(page, selectors: list[str], host: str | None = None, minimum: float = 4.5) -> list[dict]:
    """Every selector matches visible text, and all of it has at least `minimum` contrast (WCAG AA: 4.5)."""
    deadline = time.monotonic() + 5  # measure the settled page: Gradio fades components in and out
    while True:
        found = contrasts(page, selectors, host)
        missing = [s for s in selectors if not any(f["selector"] == s for f in found)]
        poor = [f for f in found if f["ratio"] < minimum]
        if not (missing or poor) or time.monotonic() > deadline:
            break
        page.wait_for_timeout(250)
    assert not missing, f"no visible text for {missing}"
    assert not poor, poor
    return found
