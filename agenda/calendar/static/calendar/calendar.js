// The calendar screen (agenda/calendar): small conveniences over pages that work without it.
// - the board's filters (date, professional, service) apply as soon as they change;
// - today's board scrolls to the "now" line;
// - the booking form says whose phone was typed (and fills in a known name).
(function () {
  "use strict";

  function autoSubmit(form) {
    form.querySelectorAll("select, input[type=date]").forEach(function (field) {
      field.addEventListener("change", function () {
        if (field.type !== "date" || field.value) form.requestSubmit();
      });
    });
  }

  function scrollToNow() {
    // Inside the board only (it scrolls on its own): the toolbar stays where it is.
    var board = document.querySelector(".cal-board");
    var target = document.querySelector(".cal-highlight") || document.querySelector(".cal-now");
    if (!board || !target) return;
    var top = target.getBoundingClientRect().top - board.getBoundingClientRect().top + board.scrollTop;
    board.scrollTop = Math.max(0, top - board.clientHeight / 3);
  }

  function contactHint(form) {
    var input = form.querySelector("input[name=telefone]");
    var name = form.querySelector("input[name=nome]");
    var hint = form.querySelector("[data-contact-hint]");
    if (!input || !hint) return;
    var timer = null;
    var asked = "";

    function show(data) {
      hint.classList.toggle("found", Boolean(data.found));
      if (!data.valid) { hint.textContent = ""; return; }
      if (!data.found) { hint.textContent = "Contato novo: " + data.phone; return; }
      var text = "Cliente: " + (data.name || "(sem nome)") + " · " + data.phone;
      if (data.upcoming && data.upcoming.length) text += " — já agendado: " + data.upcoming.join("; ");
      hint.textContent = text;
      if (name && !name.value && data.name) name.value = data.name;
    }

    function lookUp() {
      var phone = input.value.trim();
      if (phone === asked) return;
      asked = phone;
      if (phone.replace(/\D/g, "").length < 10) { show({ valid: false }); return; }
      var url = form.dataset.contactUrl + "?telefone=" + encodeURIComponent(phone);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { valid: false }; })
        .then(function (data) { if (asked === phone) show(data); })
        .catch(function () { show({ valid: false }); });
    }

    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(lookUp, 300); });
    input.addEventListener("blur", lookUp);
    if (input.value) lookUp();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-calendar-filters]").forEach(autoSubmit);
    document.querySelectorAll("form[data-contact-url]").forEach(contactHint);
    scrollToNow();
  });
})();
