/* The inbox's live parts (conversations/inbox): the queue and an open thread follow new messages
   without a reload. Each polls its endpoint every few seconds with the ETag of what it shows; the
   server answers 304 while nothing changed, so an idle inbox costs one small query per poll. */
(function () {
  "use strict";

  var POLL_MS = 2500;

  /* Poll `urlOf()` forever; `apply(response)` gets each 200 (a 304 means nothing changed). */
  function poll(urlOf, etag, apply) {
    var busy = false;
    function tick() {
      if (busy) { return; }
      busy = true;
      var headers = { "X-Requested-With": "fetch" };
      if (etag) { headers["If-None-Match"] = '"' + etag + '"'; }
      fetch(urlOf(), { headers: headers, credentials: "same-origin", redirect: "error" })
        .then(function (response) {
          if (response.status !== 200) { return null; }
          etag = (response.headers.get("ETag") || "").replace(/"/g, "");
          return apply(response);
        })
        .catch(function () { /* offline or logged out: try again on the next tick */ })
        .then(function () { busy = false; });
    }
    window.setInterval(tick, POLL_MS);
  }

  function queue(root) {
    var sections = root.querySelector("[data-inbox-sections]");
    poll(function () { return root.dataset.pollUrl; }, root.dataset.etag, function (response) {
      return response.text().then(function (html) { sections.innerHTML = html; });
    });
  }

  function nearBottom() {
    var doc = document.documentElement;
    return doc.scrollHeight - (window.scrollY + window.innerHeight) < 200;
  }

  function toBottom() { window.scrollTo(0, document.documentElement.scrollHeight); }

  function thread(root) {
    var list = root.querySelector("[data-thread-messages]");
    var head = root.querySelector("[data-thread-head]");
    var empty = root.querySelector(".inbox-empty");
    function url() {
      var base = root.dataset.pollUrl;
      return base + (base.indexOf("?") < 0 ? "?" : "&") + "after=" + encodeURIComponent(root.dataset.lastId || "0");
    }
    poll(url, root.dataset.etag, function (response) {
      return response.json().then(function (data) {
        var follow = nearBottom();
        if (data.html) {
          list.insertAdjacentHTML("beforeend", data.html);
          if (empty) { empty.remove(); empty = null; }
        }
        if (data.head) { head.innerHTML = data.head; }
        root.dataset.lastId = String(data.last_id || root.dataset.lastId);
        if (data.html && follow) { toBottom(); }
      });
    });
    toBottom();  // the newest message sits next to the reply box
    var text = document.getElementById("inbox-text");
    if (text) {
      text.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
          event.preventDefault();
          text.form.requestSubmit();
        }
      });
    }
  }

  function start() {
    var root = document.querySelector("[data-inbox-queue]");
    if (root) { queue(root); }
    root = document.querySelector("[data-inbox-thread]");
    if (root) { thread(root); }
    // A form sent once: a double click must not post it twice (the server would refuse the copy anyway).
    // (Delegated: the header's forms are replaced when the conversation's state changes.)
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (!form.matches(".inbox-composer, .inbox-actions form")) { return; }
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
