// "Copiar" next to a value staff paste elsewhere (a webhook URL): <button data-copy="text">.
// The clipboard API needs a secure context (https, localhost); elsewhere the old selection copy.
(function () {
  "use strict";

  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var copied = false;
    try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
    document.body.removeChild(area);
    return copied ? Promise.resolve() : Promise.reject(new Error("copy"));
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return fallbackCopy(text); });
    }
    return fallbackCopy(text);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) { return; }
    event.preventDefault();
    var label = button.textContent;
    copy(button.getAttribute("data-copy")).then(function () {
      button.textContent = "Copiado!";
    }, function () {
      button.textContent = "Selecione e copie";
    }).then(function () {
      window.setTimeout(function () { button.textContent = label; }, 2000);
    });
  });
})();
