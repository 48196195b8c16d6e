// Monthly entry page: live year-to-date and achievement, and typed values kept on the device
// (localStorage) until the server has them, so a dropped connection or a closed tab loses nothing.
(function () {
  "use strict";
  var form = document.getElementById("entry-form");
  if (!form || !form.querySelector(".entry-input")) { return; }
  var status = document.getElementById("offline-status");
  var key = "simpul:report:" + form.dataset.report;
  var version = form.dataset.version;

  function say(text, button) {
    status.textContent = text;
    status.classList.remove("d-none");
    if (button) { status.appendChild(document.createTextNode(" ")); status.appendChild(button); }
  }

  function fields() {
    return form.querySelectorAll(".entry-input, .entry-comment textarea, textarea[name=reason]");
  }

  function refresh(input) {
    var row = input.closest(".entry-row");
    if (!row) { return; }
    var typed = input.value.trim();
    var value = /^\d+$/.test(typed) ? parseInt(typed, 10) : 0;
    var ytd = parseInt(row.dataset.before || "0", 10) + value;
    var target = parseInt(row.dataset.target || "0", 10);
    var ytdEl = row.querySelector(".ytd");
    var pctEl = row.querySelector(".pct");
    if (ytdEl) { ytdEl.textContent = ytd.toLocaleString(document.documentElement.lang); }
    if (pctEl && target > 0) { pctEl.textContent = Math.round(100 * ytd / target) + "%"; }
  }

  function changed() {
    var values = {};
    fields().forEach(function (field) {
      if (field.value !== field.defaultValue) { values[field.name] = field.value; }
    });
    return values;
  }

  function keep() {
    var values = changed();
    var count = Object.keys(values).length;
    try {
      if (count) {
        localStorage.setItem(key, JSON.stringify({ version: version, values: values, at: Date.now() }));
        say(count + " " + form.dataset.keptText);
      } else {
        localStorage.removeItem(key);
        status.classList.add("d-none");
      }
    } catch (error) { /* storage full or disabled: the server form still works */ }
  }

  function restore(values) {
    var count = 0;
    Object.keys(values).forEach(function (name) {
      var field = form.elements.namedItem(name);
      if (field && field.value !== values[name]) {
        field.value = values[name];
        count += 1;
        refresh(field);
        var details = field.closest("details");
        while (details) { details.open = true; details = details.parentElement.closest("details"); }
      }
    });
    return count;
  }

  var params = new URLSearchParams(window.location.search);
  var stored = null;
  try { stored = JSON.parse(localStorage.getItem(key) || "null"); } catch (error) { stored = null; }
  if (params.has("saved")) {
    try { localStorage.removeItem(key); } catch (error) { /* ignore */ }
    say(form.dataset.savedText);
    history.replaceState(null, "", window.location.pathname);
  } else if (stored && stored.values) {
    if (String(stored.version) === String(version)) {
      var count = restore(stored.values);
      if (count) { say(count + " " + form.dataset.restoredText); }
    } else {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-sm btn-outline-primary";
      button.textContent = form.dataset.restoreLabel;
      button.addEventListener("click", function () { restore(stored.values); keep(); });
      say(form.dataset.staleText, button);
    }
  }

  form.addEventListener("input", function (event) {
    if (event.target.classList.contains("entry-input")) { refresh(event.target); }
    keep();
  });
})();
