/* Newsroom assistant widget: a small chat box that calls /api/ask and shows the cited sentences.
 *
 *   <script src="http://HOST:PORT/widget.js" data-assistant="http://HOST:PORT"></script>
 *
 * Optional attributes: data-key (an API key, when the server has ASSISTANT_API_KEYS; visible to every
 * visitor, so use a key meant for this page; the framed /widget page takes it from /widget#key=KEY), data-mode ("floating" (default), "inline" (where the tag is)
 * or "page"), data-title, data-theme ("auto" (default: follows the visitor's dark setting), "light" or "dark"),
 * data-examples ("question one | question two"; default: the server's /api/examples, shown while the box is empty).
 * A citation opens its article, sentence highlighted, in a new tab (/read). When the server refuses this page's
 * origin the box says so and names ASSISTANT_ALLOWED_ORIGINS. Server text only ever reaches the page through textContent. Answers come from
 * /api/ask/stream when the server has it (an LLM draft is shown marked "being checked", then replaced by the
 * verified answer), else from /api/ask. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var base = (script.getAttribute("data-assistant") || new URL(script.src, location.href).origin).replace(/\/+$/, "");
  var mode = script.getAttribute("data-mode") || "floating";
  // The /widget page (mode "page", what a partner frames) takes the key from its URL's fragment, /widget#key=KEY:
  // the fragment never reaches a server or its logs.
  var key = script.getAttribute("data-key") ||
    (mode === "page" ? new URLSearchParams(location.hash.slice(1)).get("key") || "" : "");
  var title = script.getAttribute("data-title") || "Ask the newsroom";
  var givenExamples = script.getAttribute("data-examples");
  var HISTORY_TURNS = 10;
  var history = [];

  var LIGHT = "--bg:#fff;--fg:#1f2328;--muted:#57606a;--line:#d0d7de;--log:#f6f8fa;--accent:#1d4ed8;--on-accent:#fff;" +
    "--link:#1d4ed8;--na-bg:#fff8e5;--na-line:#d4a72c;--na-fg:#3d2c00;--na-badge:#7d4e00;--err-bg:#ffebe9;" +
    "--err-line:#cf222e;--err-fg:#82071e;--flash:#fff3b0;--example-bg:#eef2ff";
  var DARK = "--bg:#161b22;--fg:#e6edf3;--muted:#9da7b3;--line:#30363d;--log:#0d1117;--accent:#2f5fd6;--on-accent:#fff;" +
    "--link:#8fb3ff;--na-bg:#2e2511;--na-line:#a88222;--na-fg:#f6e7c6;--na-badge:#ffd97a;--err-bg:#3f161a;" +
    "--err-line:#f47067;--err-fg:#ffd8d3;--flash:#4d4012;--example-bg:#1c2a4a";
  var CSS = [
    ":host{all:initial;" + LIGHT + ";font-family:system-ui,-apple-system,'Segoe UI',sans-serif;font-size:14px;color:var(--fg)}",
    "@media (prefers-color-scheme: dark){:host(:not([data-theme=light])){" + DARK + "}}",
    ":host([data-theme=dark]){" + DARK + "}",
    ".launcher{position:fixed;right:20px;bottom:20px;z-index:2147483000;border:0;border-radius:22px;",
    "padding:11px 18px;background:var(--accent);color:var(--on-accent);font:600 14px system-ui,sans-serif;cursor:pointer;",
    "box-shadow:0 4px 14px rgba(0,0,0,.25)}",
    ".panel{display:flex;flex-direction:column;background:var(--bg);color:var(--fg);border:1px solid var(--line);",
    "border-radius:10px;box-shadow:0 8px 28px rgba(0,0,0,.18);overflow:hidden}",
    ".floating{position:fixed;right:20px;bottom:76px;width:380px;max-width:calc(100vw - 40px);height:520px;",
    "max-height:calc(100vh - 100px);z-index:2147483000}",
    ".inline{width:100%;height:520px}.page{position:fixed;inset:0;border:0;border-radius:0;box-shadow:none}",
    ".hidden{display:none}",
    "header{padding:10px 14px;background:var(--accent);color:var(--on-accent);font-weight:600}",
    ".log{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:10px;background:var(--log)}",
    ".msg{padding:8px 11px;border-radius:8px;line-height:1.45;white-space:pre-wrap;overflow-wrap:anywhere}",
    ".user{align-self:flex-end;background:var(--accent);color:var(--on-accent);max-width:85%}",
    ".bot{align-self:flex-start;background:var(--bg);border:1px solid var(--line);max-width:95%}",
    ".abstained{border-color:var(--na-line);background:var(--na-bg);color:var(--na-fg)}",
    ".badge{display:inline-block;font-size:12px;font-weight:600;color:var(--na-badge);margin-bottom:4px}",
    ".error{border-color:var(--err-line);background:var(--err-bg);color:var(--err-fg)}",
    ".marker{color:var(--link);font-weight:600;cursor:pointer}",
    ".short{margin-top:6px;font-size:13px}",
    ".draft{border-style:dashed;color:var(--muted);font-style:italic}",
    ".draft-label{display:block;font-size:12px;font-weight:600;font-style:normal;color:var(--na-badge);margin-bottom:4px}",
    "ol{margin:8px 0 0;padding-left:20px}li{margin:6px 0;font-size:13px}",
    "li .meta{color:var(--muted);display:block}li .sentence{display:block;font-style:italic}",
    "li a.open{color:var(--link);text-decoration:none}li a.open:hover{text-decoration:underline}",
    "li.flash{background:var(--flash);border-radius:4px}",
    "li a.meta{display:block}",
    ".examples{display:flex;flex-direction:column;gap:6px;align-items:flex-start}",
    ".examples .hint{color:var(--muted);font-size:13px}",
    ".examples button{border:1px solid var(--line);background:var(--example-bg);color:var(--fg);border-radius:14px;",
    "padding:5px 11px;font:inherit;font-size:13px;text-align:left;cursor:pointer}",
    "form{display:flex;gap:6px;padding:10px;border-top:1px solid var(--line);background:var(--bg)}",
    "input{flex:1;padding:8px;border:1px solid var(--line);border-radius:6px;font:inherit;background:var(--bg);color:var(--fg)}",
    "button.send{padding:8px 14px;border:0;border-radius:6px;background:var(--accent);color:var(--on-accent);font:inherit;cursor:pointer}",
    "button.send:disabled{opacity:.6}"
  ].join("");

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  var host = el("div");
  host.id = "newsroom-assistant-widget";
  host.setAttribute("data-theme", script.getAttribute("data-theme") || "auto");
  var root = host.attachShadow({ mode: "open" });
  var style = el("style");
  style.textContent = CSS;
  root.appendChild(style);

  var panel = el("div", "panel " + mode);
  var header = el("header", null, title);
  var log = el("div", "log");
  log.setAttribute("aria-live", "polite");
  var form = el("form");
  var input = el("input");
  input.name = "question";
  input.placeholder = "Ask about the news…";
  input.autocomplete = "off";
  var send = el("button", "send", "Ask");
  send.type = "submit";
  form.appendChild(input);
  form.appendChild(send);
  panel.appendChild(header);
  panel.appendChild(log);
  panel.appendChild(form);

  if (mode === "floating") {
    var launcher = el("button", "launcher", title);
    launcher.type = "button";
    panel.classList.add("hidden");
    launcher.addEventListener("click", function () {
      panel.classList.toggle("hidden");
      if (!panel.classList.contains("hidden")) input.focus();
    });
    root.appendChild(launcher);
  }
  root.appendChild(panel);
  if (mode === "inline") script.parentNode.insertBefore(host, script.nextSibling);
  else (document.body || document.documentElement).appendChild(host);

  function add(node) {
    log.appendChild(node);
    log.scrollTop = log.scrollHeight;
    return node;
  }

  function meta(c) {
    return [c.title || "Untitled article", c.source, (c.published_at || "").slice(0, 10)].filter(Boolean).join(" · ");
  }

  // The article view on the server, in a new tab; everything it needs rides in the fragment (never sent anywhere).
  function readUrl(c) {
    var p = new URLSearchParams({ id: c.article_id, s: String(c.sentence_index), t: c.text });
    if (key) p.set("key", key);
    return base + "/read#" + p.toString();
  }

  function authHeaders(extra) {
    var headers = extra || {};
    if (key) headers.Authorization = "Bearer " + key;
    return headers;
  }

  // A fetch that fails outright (TypeError) is either a server that cannot be reached or, far more often, a page
  // origin the server does not allow (CORS): an opaque no-cors request tells the two apart.
  function explain(err) {
    if (!(err instanceof TypeError)) return Promise.resolve(err && err.message ? err.message : String(err));
    var origin = location.origin;
    if (location.protocol === "https:" && /^http:/i.test(base)) {
      return Promise.resolve("This page is served over https but the assistant at " + base + " over plain http, " +
        "so the browser blocks it. Serve the assistant over https (behind a TLS proxy) and point data-assistant there.");
    }
    return fetch(base + "/api/health", { mode: "no-cors", cache: "no-store" }).then(function () {
      var msg = "This site (" + origin + ") is not allowed to use the newsroom assistant at " + base +
        ". Whoever runs the assistant must add " + origin + " to ASSISTANT_ALLOWED_ORIGINS and restart it.";
      if (window.console) console.error("Newsroom assistant widget: " + msg);
      return msg;
    }, function () {
      var msg = "The newsroom assistant at " + base + " cannot be reached. Check that it is running and that the " +
        "widget's data-assistant address points to it.";
      if (window.console) console.error("Newsroom assistant widget: " + msg);
      return msg;
    });
  }

  var examplesBox = null;
  function showExamples(questions) {
    if (!questions.length || log.querySelector(".msg")) return;
    examplesBox = el("div", "examples");
    examplesBox.appendChild(el("span", "hint", "Try asking:"));
    questions.forEach(function (q) {
      var b = el("button", "example", q);
      b.type = "button";
      b.addEventListener("click", function () {
        input.value = q;
        if (form.requestSubmit) form.requestSubmit();
        else form.dispatchEvent(new Event("submit", { cancelable: true }));
      });
      examplesBox.appendChild(b);
    });
    log.appendChild(examplesBox);
  }

  function loadExamples() {
    if (givenExamples !== null) {
      showExamples(givenExamples.split("|").map(function (q) { return q.trim(); }).filter(Boolean));
      return;
    }
    fetch(base + "/api/examples", { headers: authHeaders() })
      .then(function (response) { return response.ok ? response.json() : { examples: [] }; })
      .then(function (data) { showExamples((data && data.examples) || []); })
      .catch(function (err) {
        explain(err).then(function (msg) {
          if (!log.querySelector(".msg")) add(el("div", "msg bot error startup", msg));
        });
      });
  }

  function renderAnswer(data) {
    var box = el("div", "msg bot" + (data.abstained ? " abstained" : " answered"));
    if (data.abstained) box.appendChild(el("div", "badge", "Not in the articles"));
    var body = el("div", "answer");
    var list = el("ol", "citations");
    var items = (data.citations || []).map(function (c) {
      var li = el("li");
      var open = el("a", "meta open", meta(c) + " ↗");
      open.href = readUrl(c);
      open.target = "_blank";
      open.rel = "noopener";
      open.title = "Open the article with this sentence highlighted, in a new tab";
      li.appendChild(open);
      li.appendChild(el("span", "sentence", c.text));
      list.appendChild(li);
      return li;
    });
    String(data.answer || "").split(/(\[\d+\])/).forEach(function (part) {
      var m = /^\[(\d+)\]$/.exec(part);
      var n = m ? Number(m[1]) : 0;
      if (n >= 1 && n <= items.length) {
        var marker = el("span", "marker", part);
        marker.title = "Show the cited sentence";
        marker.addEventListener("click", function () {
          items[n - 1].scrollIntoView({ block: "nearest" });
          items[n - 1].classList.add("flash");
          setTimeout(function () { items[n - 1].classList.remove("flash"); }, 1200);
        });
        body.appendChild(marker);
      } else if (part) {
        body.appendChild(document.createTextNode(part));
      }
    });
    box.appendChild(body);
    if (data.short_answer && !data.abstained) box.appendChild(el("div", "short", "Short answer: " + data.short_answer));
    if (items.length) box.appendChild(list);
    return add(box);
  }

  function failed(data) {
    return new Error((data && data.message) || "the assistant could not answer");
  }

  function askPlain(body, headers) {
    return fetch(base + "/api/ask", { method: "POST", headers: headers, body: body }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) throw failed(data);
        return data;
      });
    });
  }

  // /api/ask/stream: `token` events are the language model's raw draft (shown marked as unchecked), the one
  // `answer` event is the verified answer that replaces it. Resolves null when the server has no stream.
  function askStream(body, headers, pending) {
    if (!window.TextDecoder || !window.ReadableStream) return Promise.resolve(null);
    return fetch(base + "/api/ask/stream", { method: "POST", headers: headers, body: body }).then(function (response) {
      if (response.status === 404 || response.status === 405 || !response.body) return null;
      if (!response.ok) return response.json().then(function (data) { throw failed(data); });
      var reader = response.body.getReader();
      var decoder = new TextDecoder();
      var buffer = "";
      var draft = "";
      var final = null;
      var draftText = null;
      function handle(block) {
        var kind = "message";
        var data = "";
        block.split("\n").forEach(function (line) {
          if (line.indexOf("event:") === 0) kind = line.slice(6).trim();
          else if (line.indexOf("data:") === 0) data += line.slice(5).trim();
        });
        if (!data) return;
        var payload = JSON.parse(data);
        if (kind === "token") {
          draft += payload.text || "";
          if (!draftText) {
            pending.textContent = "";
            pending.className = "msg bot draft";
            pending.appendChild(el("span", "draft-label", "Draft, being checked against the articles…"));
            draftText = pending.appendChild(document.createTextNode(""));
          }
          draftText.textContent = draft;
          log.scrollTop = log.scrollHeight;
        } else if (kind === "answer") {
          final = payload;
        } else if (kind === "error") {
          throw failed(payload);
        }
      }
      function pump() {
        return reader.read().then(function (chunk) {
          if (!chunk.done) buffer += decoder.decode(chunk.value, { stream: true }).replace(/\r\n?/g, "\n");
          var blocks = buffer.split("\n\n");
          buffer = chunk.done ? "" : blocks.pop();
          blocks.forEach(handle);
          if (final) {
            reader.cancel().catch(function () {});
            return final;
          }
          if (chunk.done) throw new Error("the answer stream ended before the answer");
          return pump();
        });
      }
      return pump();
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var question = input.value.trim();
    if (!question) return;
    if (examplesBox) {
      examplesBox.remove();
      examplesBox = null;
    }
    log.querySelectorAll(".msg.error.startup").forEach(function (node) { node.remove(); });
    add(el("div", "msg user", question));
    var pending = add(el("div", "msg bot pending", "Searching the articles…"));
    input.value = "";
    send.disabled = true;
    var headers = authHeaders({ "Content-Type": "application/json" });
    var body = JSON.stringify({ question: question, history: history.slice(-HISTORY_TURNS) });
    askStream(body, headers, pending)
      .then(function (data) { return data || askPlain(body, headers); })
      .then(function (data) {
        pending.remove();
        renderAnswer(data);
        history.push(Object.assign({ question: question }, data));
      })
      .catch(function (err) {
        return explain(err).then(function (msg) {
          pending.remove();
          add(el("div", "msg bot error", msg));
        });
      })
      .then(function () {
        send.disabled = false;
        input.focus();
      });
  });
  loadExamples();
})();
