// The weekly grid (conversations/admin_settings/templates/settings_panel/week_hours.html): add and remove
// intervals, mark a day closed, copy Monday to Tuesday..Friday. Inputs are named
// `<field>-<weekday>-<n>-start|end`; the server reads whatever numbers are there (gaps are fine).
(function () {
  "use strict";

  function spanRow(grid, day, index, start, end) {
    var name = grid.getAttribute("data-week-grid");
    var label = day.querySelector("th").textContent;
    var weekday = day.getAttribute("data-week-day");
    var row = document.createElement("span");
    row.className = "week-span";
    row.setAttribute("data-week-span", "");
    [["start", "das ", start, "08:00", "início"], ["end", " às ", end, "18:00", "fim"]].forEach(function (part) {
      row.appendChild(document.createTextNode(part[1]));
      var input = document.createElement("input");
      input.type = "text";
      input.inputMode = "numeric";
      input.size = 5;
      input.maxLength = 8;
      input.placeholder = part[3];
      input.name = name + "-" + weekday + "-" + index + "-" + part[0];
      input.value = part[2] || "";
      input.setAttribute("aria-label", label + ": " + part[4] + " do intervalo " + (index + 1));
      row.appendChild(input);
    });
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "week-remove";
    remove.setAttribute("data-week-remove", "");
    remove.setAttribute("aria-label", "Remover intervalo");
    remove.textContent = "×";
    row.appendChild(document.createTextNode(" "));
    row.appendChild(remove);
    return row;
  }

  function nextIndex(day) {
    var highest = -1;
    day.querySelectorAll("input[name$='-start']").forEach(function (input) {
      var parts = input.name.split("-");
      highest = Math.max(highest, parseInt(parts[parts.length - 2], 10));
    });
    return highest + 1;
  }

  function addSpan(grid, day, start, end) {
    var row = spanRow(grid, day, nextIndex(day), start, end);
    day.querySelector(".week-spans").insertBefore(row, day.querySelector("[data-week-add]"));
    return row;
  }

  function spansOf(day) {
    return Array.prototype.map.call(day.querySelectorAll("[data-week-span]"), function (row) {
      var inputs = row.querySelectorAll("input");
      return [inputs[0].value, inputs[1].value];
    });
  }

  function setClosed(day, closed) {
    day.querySelector("[data-week-closed]").checked = closed;
    day.classList.toggle("is-closed", closed);
  }

  function copyMonday(grid) {
    var days = grid.querySelectorAll("[data-week-day]");
    var monday = days[0];
    var spans = spansOf(monday);
    var closed = monday.querySelector("[data-week-closed]").checked;
    for (var i = 1; i <= 4; i++) {
      days[i].querySelectorAll("[data-week-span]").forEach(function (row) { row.remove(); });
      spans.forEach(function (span) { addSpan(grid, days[i], span[0], span[1]); });
      if (!spans.length) { addSpan(grid, days[i], "", ""); }
      setClosed(days[i], closed);
    }
  }

  function wire(grid) {
    if (grid.hasAttribute("data-disabled")) { return; }
    grid.addEventListener("click", function (event) {
      var day = event.target.closest("[data-week-day]");
      if (event.target.closest("[data-week-copy]")) {
        event.preventDefault();
        copyMonday(grid);
      } else if (day && event.target.closest("[data-week-add]")) {
        event.preventDefault();
        addSpan(grid, day, "", "").querySelector("input").focus();
      } else if (day && event.target.closest("[data-week-remove]")) {
        event.preventDefault();
        var rows = day.querySelectorAll("[data-week-span]");
        var row = event.target.closest("[data-week-span]");
        if (rows.length > 1) {
          row.remove();
        } else {
          row.querySelectorAll("input").forEach(function (input) { input.value = ""; });
        }
      }
    });
    grid.addEventListener("change", function (event) {
      if (event.target.matches("[data-week-closed]")) {
        event.target.closest("[data-week-day]").classList.toggle("is-closed", event.target.checked);
      }
    });
  }

  function start() {
    document.querySelectorAll("[data-week-grid]").forEach(wire);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
