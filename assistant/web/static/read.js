/* Article view for the widget's citations (/read#id=ID&s=SENTENCE&t=TEXT[&key=KEY]): fetches /api/articles/ID
 * and shows the article with the cited sentence highlighted and scrolled into view. The key travels in the
 * fragment, which the browser never sends to a server. Server text only reaches the page through textContent. */
(function () {
  "use strict";
  var params = new URLSearchParams(location.hash.slice(1));
  var id = params.get("id") || "";
  var wanted = Number(params.get("s"));
  var cited = params.get("t");
  var key = params.get("key") || "";
  var main = document.getElementById("article");

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function problem(text) {
    main.textContent = "";
    main.appendChild(el("p", "problem", text));
  }

  // The cited sentence as stored now: its own index if the text still matches, else the first sentence with the
  // same text (the article was re-ingested), else -1.
  function locate(article) {
    var spans = article.sentences || [];
    var textOf = function (s) { return article.text.slice(s.char_start, s.char_end); };
    if (wanted >= 0 && wanted < spans.length && (cited === null || textOf(spans[wanted]) === cited)) return wanted;
    if (cited === null) return -1;
    for (var i = 0; i < spans.length; i++) if (textOf(spans[i]) === cited) return i;
    return -1;
  }

  function show(article) {
    document.title = (article.title || "Untitled article") + " · Newsroom assistant";
    main.textContent = "";
    var head = el("header");
    head.appendChild(el("h1", null, article.title || "Untitled article"));
    head.appendChild(el("div", "meta", [article.source, (article.published_at || "").slice(0, 10)]
      .filter(Boolean).join(" · ")));
    if (/^https?:\/\/[^\s"'<>]+$/i.test(article.url || "")) {
      var link = el("a", "url", article.url);
      link.href = article.url;
      link.rel = "noopener noreferrer nofollow";
      head.appendChild(link);
    }
    main.appendChild(head);
    var index = locate(article);
    if (index < 0 && cited !== null) {
      main.appendChild(el("p", "problem", "The article changed since this answer; the cited sentence is no longer in it."));
    }
    var body = el("div", "text");
    var text = article.text;
    if (index >= 0) {
      var span = article.sentences[index];
      body.appendChild(document.createTextNode(text.slice(0, span.char_start)));
      var mark = el("mark", null, text.slice(span.char_start, span.char_end));
      mark.id = "highlight";
      body.appendChild(mark);
      body.appendChild(document.createTextNode(text.slice(span.char_end)));
    } else {
      body.textContent = text;
    }
    main.appendChild(body);
    if (index >= 0) document.getElementById("highlight").scrollIntoView({ block: "center" });
  }

  if (!id) {
    problem("No article was named. Open this page from a citation of the assistant.");
    return;
  }
  if (id === "." || id === "..") {
    problem("This is not the id of an article. Open this page from a citation of the assistant.");
    return;
  }
  var headers = key ? { Authorization: "Bearer " + key } : {};
  // The whole id as one path segment ('/' as %2F, which the server decodes): a '..' in it cannot climb out of
  // /api/articles/ to another route, carrying the key along.
  fetch("api/articles/" + encodeURIComponent(id), { headers: headers })
    .then(function (response) {
      return response.json().then(function (data) {
        if (response.status === 404) throw new Error("This article is no longer in the index: it was deleted or replaced.");
        if (!response.ok) throw new Error((data && data.message) || "The article could not be loaded.");
        return data;
      });
    })
    .then(show)
    .catch(function (err) { problem(err && err.message ? err.message : String(err)); });
})();
