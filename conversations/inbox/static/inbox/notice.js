/* The handoff notice (conversations/inbox), loaded on every page of a company's panel for the users
   who may see the inbox: when the assistant hands a customer to a person, every open tab shows a
   toast with a link to the conversation and plays a short chime.

   - It polls the inbox's pulse every 2 s with the ETag of what it last saw (304 while nothing
     happened in the inbox).
   - One tab never announces the same handoff twice: the newest handoff it announced is kept in
     sessionStorage, which lives as long as the tab, across its page loads.
   - Browsers play sound only after the person clicked or typed on the page: the audio is unlocked
     on the first click or key press; until then the toast says how to turn the sound on. The
     toast is always shown. */
(function () {
  "use strict";

  var POLL_MS = 2000;
  var FRESH_MS = 30000;  // a tab's first look: handoffs younger than this are still news
  var SEEN_KEY = "secretaria.inbox.lastHandoff";
  var audio = null;

  function inboxUrl() {
    var link = document.querySelector('.panel-menu a[data-screen="inbox"]');
    var base = link ? link.getAttribute("href") : "/admin/inbox/";
    return base.replace(/\/?$/, "/");
  }

  function unlockAudio() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) { return; }
    try {
      audio = audio || new Context();
      if (audio.state === "suspended") { audio.resume(); }
    } catch (e) { audio = null; }
  }

  /* Two short tones; true if the browser let them play. */
  function chime() {
    unlockAudio();
    if (!audio || audio.state !== "running") { return false; }
    [[880, 0], [1175, 0.18]].forEach(function (tone) {
      var osc = audio.createOscillator();
      var gain = audio.createGain();
      var start = audio.currentTime + tone[1];
      osc.type = "sine";
      osc.frequency.value = tone[0];
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(0.25, start + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.16);
      osc.connect(gain).connect(audio.destination);
      osc.start(start);
      osc.stop(start + 0.17);
    });
    return true;
  }

  function stack() {
    var box = document.getElementById("inbox-toasts");
    if (!box) {
      box = document.createElement("div");
      box.id = "inbox-toasts";
      box.setAttribute("role", "status");
      box.setAttribute("aria-live", "assertive");
      box.style.cssText = "position:fixed;right:16px;bottom:16px;z-index:1000;display:flex;" +
        "flex-direction:column;gap:8px;max-width:380px";
      document.body.appendChild(box);
    }
    return box;
  }

  function element(tag, text) {
    var node = document.createElement(tag);
    if (text) { node.textContent = text; }
    return node;
  }

  function toast(handoff) {
    var node = element("div");
    node.className = "panel-toast";
    node.style.position = "static";  // stacked in the corner box instead of on top of each other
    node.dataset.inboxToast = "handoff";
    node.dataset.conversation = String(handoff.id);
    var title = element("strong", "Cliente aguardando atendimento");
    var who = element("div", handoff.name + " · " + handoff.phone);
    var why = element("div", handoff.reason);
    var link = element("a", "Abrir a conversa");
    link.href = handoff.url;
    var close = element("button", "×");
    close.type = "button";
    close.setAttribute("aria-label", "Fechar o aviso");
    close.style.cssText = "float:right;background:none;border:0;color:inherit;font-size:1.2rem;cursor:pointer";
    close.addEventListener("click", function () { node.remove(); });
    [close, title, who, why, link].forEach(function (part) { node.appendChild(part); });
    var played = chime();
    node.dataset.sound = played ? "played" : "blocked";
    if (!played) {
      node.appendChild(element("div", "Para ouvir os avisos, clique em qualquer lugar da página."));
    }
    stack().appendChild(node);
  }

  function lastSeen() {
    try { return JSON.parse(window.sessionStorage.getItem(SEEN_KEY) || "null"); } catch (e) { return null; }
  }

  function remember(handoff) {
    try { window.sessionStorage.setItem(SEEN_KEY, JSON.stringify({ id: handoff.id, at: handoff.at })); } catch (e) {}
  }

  function isNew(handoff, seen, now) {
    if (!seen) { return now - handoff.at < FRESH_MS; }
    return handoff.at > seen.at || (handoff.at === seen.at && handoff.id > seen.id);
  }

  function announce(data) {
    var seen = lastSeen();
    var news = data.handoffs.filter(function (h) { return isNew(h, seen, data.now); });
    news.reverse().forEach(toast);  // oldest first, the newest at the bottom of the stack
    var newest = data.handoffs[0];
    if (newest && (!seen || newest.at > seen.at || (newest.at === seen.at && newest.id > seen.id))) {
      remember(newest);
    } else if (!seen) {
      remember({ id: 0, at: data.now });
    }
  }

  function start() {
    var url = inboxUrl() + "pulso/";
    var etag = "";
    var busy = false;
    ["pointerdown", "keydown"].forEach(function (type) {
      document.addEventListener(type, unlockAudio, { capture: true });
    });
    function tick() {
      if (busy) { return; }
      busy = true;
      var headers = etag ? { "If-None-Match": '"' + etag + '"' } : {};
      fetch(url, { headers: headers, credentials: "same-origin", redirect: "error" })
        .then(function (response) {
          if (response.status !== 200) { return null; }
          etag = (response.headers.get("ETag") || "").replace(/"/g, "");
          return response.json().then(announce);
        })
        .catch(function () { /* logged out or offline: the next tick tries again */ })
        .then(function () {
          busy = false;
          // How many polls this page made: lets a test wait for one instead of sleeping.
          var root = document.documentElement;
          root.dataset.inboxPolls = String(Number(root.dataset.inboxPolls || 0) + 1);
        });
    }
    tick();
    window.setInterval(tick, POLL_MS);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
