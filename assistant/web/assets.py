"""The web face's own files (the chat's and the widget's scripts and styles) and the two pages it serves whole;
shared by the server and the chat UI (ui.py)."""

from __future__ import annotations

from pathlib import Path

STATIC = Path(__file__).with_name("static")
WIDGET_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Newsroom assistant</title>
<style>html{color-scheme:light dark}html,body{margin:0;height:100%;font-family:system-ui,sans-serif}</style>
</head><body><script src="widget.js" data-mode="page"></script></body></html>
"""
READ_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Article · Newsroom assistant</title>
<style>
html{color-scheme:light dark}
body{margin:0;font:16px/1.6 system-ui,-apple-system,'Segoe UI',sans-serif;background:#fff;color:#1f2328}
main{max-width:46rem;margin:0 auto;padding:24px 20px 60vh}
h1{font-size:1.5rem;line-height:1.3;margin:0 0 6px}.meta{color:#57606a;font-size:14px}
a.url{display:inline-block;margin-top:4px;font-size:14px;color:#1d4ed8;overflow-wrap:anywhere}
header{border-bottom:1px solid #d0d7de;padding-bottom:10px;margin-bottom:14px}
.text{white-space:pre-wrap;overflow-wrap:anywhere}
mark{background:#ffe066;color:#111;border-radius:2px;padding:1px 0}
.problem{border:1px solid #cf222e;background:#ffebe9;color:#82071e;border-radius:8px;padding:8px 12px}
@media (prefers-color-scheme: dark){
  body{background:#0d1117;color:#e6edf3}.meta{color:#9da7b3}a.url{color:#8fb3ff}header{border-color:#30363d}
  mark{background:#f2cf3f;color:#111}.problem{border-color:#f47067;background:#3f161a;color:#ffd8d3}}
</style></head>
<body><main id="article"><p class="meta">Loading the article…</p></main><script src="read.js"></script></body></html>
"""
