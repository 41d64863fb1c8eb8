// The assistant's live preview (conversations/admin_settings/templates/settings_panel/profile_change_form.html):
// posts the profile form as it is on screen, unsaved, with the customer's message, and shows the answer.
// Changing a tone field asks again, so staff see the effect of each switch.
(function () {
  "use strict";

  var ENGINES = {offline: "Motor offline", llm: "Escrita pela IA"};

  function csrfToken(form) {
    var field = form.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function show(box, answer) {
    box.querySelector("[data-preview-answer]").hidden = false;
    box.querySelector("[data-preview-engine]").textContent = ENGINES[answer.engine] || answer.engine || "Erro";
    box.querySelector("[data-preview-text]").textContent = answer.text || answer.error || "";
    var notes = box.querySelector("[data-preview-notes]");
    notes.textContent = "";
    (answer.notes || []).concat((answer.ignored || []).map(function (label) {
      return "O campo \u201c" + label + "\u201d tem um erro: a prévia usa o valor salvo.";
    })).forEach(function (note) {
      var item = document.createElement("li");
      item.textContent = note;
      notes.appendChild(item);
    });
  }

  function ask(box) {
    var form = box.closest("form");
    var message = box.querySelector("[data-preview-message]");
    if (!message.value.trim()) {
      message.focus();
      return;
    }
    var button = box.querySelector("[data-preview-send]");
    button.disabled = true;
    box.setAttribute("aria-busy", "true");
    fetch(box.getAttribute("data-preview-url"), {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: {"X-CSRFToken": csrfToken(form), "Accept": "application/json"}
    }).then(function (response) {
      return response.json().catch(function () { return {error: "A prévia falhou (HTTP " + response.status + ")."}; });
    }).then(function (answer) {
      show(box, answer);
    }, function () {
      show(box, {error: "Não foi possível pedir a prévia: verifique a conexão."});
    }).then(function () {
      button.disabled = false;
      box.removeAttribute("aria-busy");
    });
  }

  function wire(box) {
    var form = box.closest("form");
    box.querySelector("[data-preview-send]").addEventListener("click", function () { ask(box); });
    box.querySelector("[data-preview-message]").addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault(); // Enter asks for the preview; it never saves the form
        ask(box);
      }
    });
    form.addEventListener("change", function (event) {
      var answered = !box.querySelector("[data-preview-answer]").hidden;
      if (answered && !box.contains(event.target)) { ask(box); }
    });
  }

  function start() {
    document.querySelectorAll("[data-preview-url]").forEach(wire);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
