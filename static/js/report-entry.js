// Monthly entry page: live year-to-date and achievement; each cell saved as the user leaves it
// (a small request, a small JSON answer: the cell's checks and its service's figures); typed
// values kept on the device (localStorage) until the server has them, so a dropped connection
// or a closed tab loses nothing. Without JavaScript the Save buttons post the whole form.
(function () {
  "use strict";
  var form = document.getElementById("entry-form");
  if (!form || !form.querySelector(".entry-input")) { return; }
  var status = document.getElementById("offline-status");
  var key = "simpul:report:" + form.dataset.report;
  var version = form.dataset.version;
  var latest = version;  // the newest report version this page has heard of
  var lang = document.documentElement.lang;
  var token = form.elements.namedItem("csrfmiddlewaretoken").value;

  function say(text, button) {
    status.textContent = text;
    status.classList.remove("d-none");
    if (button) { status.appendChild(document.createTextNode(" ")); status.appendChild(button); }
  }

  function fields() {
    return form.querySelectorAll(".entry-input, .entry-comment textarea, textarea[name=reason]");
  }

  function number(value) { return value.toLocaleString(lang); }

  function refresh(input) {
    var row = input.closest(".entry-row");
    if (!row) { return; }
    var typed = input.value.trim();
    var value = /^\d+$/.test(typed) ? parseInt(typed, 10) : 0;
    var ytd = parseInt(row.dataset.before || "0", 10) + value;
    var target = parseInt(row.dataset.target || "0", 10);
    var ytdEl = row.querySelector(".ytd");
    var pctEl = row.querySelector(".pct");
    if (ytdEl) { ytdEl.textContent = number(ytd); }
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
        localStorage.setItem(key, JSON.stringify({ version: latest, values: values, at: Date.now() }));
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

  // --- Saving a cell as the user leaves it -----------------------------------------------------

  var bases = {};  // field name -> the report version this page last had the cell's value at

  function note(row, className, text) {
    var old = row.querySelector(".entry-state");
    if (old) { old.remove(); }
    if (!text) { return null; }
    var el = document.createElement("div");
    el.className = "entry-state small " + className;
    el.setAttribute("role", "status");
    el.textContent = text;
    row.querySelector(".entry-figures").after(el);
    return el;
  }

  function showWarnings(row, messages) {
    row.querySelectorAll(".entry-problem").forEach(function (el) { el.remove(); });
    var anchor = row.querySelector(".entry-state") || row.querySelector(".entry-figures");
    messages.slice().reverse().forEach(function (message) {
      var el = document.createElement("div");
      el.className = "entry-problem small";
      el.textContent = message;
      anchor.after(el);
    });
    row.classList.toggle("has-problem", messages.length > 0);
    var comment = row.querySelector(".entry-comment");
    if (comment && messages.length) { comment.open = true; }
  }

  function hidden(name, value) {
    var el = form.elements.namedItem(name);
    if (!el) {
      el = document.createElement("input");
      el.type = "hidden";
      el.name = name;
      form.appendChild(el);
    }
    el.value = value;
  }

  function applySaved(row, input, comment, cell) {
    var value = cell.value === null ? "" : String(cell.value);
    var name = input.name.slice(1);  // "-<village>-<service>"
    hidden("o" + name, value);
    hidden("oc" + name, cell.comment);
    if (input.value.trim() === value) { input.defaultValue = input.value; }
    if (comment && comment.value.trim() === cell.comment) { comment.defaultValue = comment.value; }
    row.querySelector(".ytd").textContent = number(cell.ytd);
    var pct = row.querySelector(".pct");
    if (pct && cell.pct !== null) { pct.textContent = cell.pct + "%"; }
    showWarnings(row, cell.warnings);
  }

  function applyService(serviceId, figures) {
    var group = form.querySelector('.service-group[data-service="' + serviceId + '"]');
    if (!group) { return; }
    group.querySelector(".gytd").textContent = number(figures.ytd);
    var pct = group.querySelector(".gpct");
    if (pct && figures.pct !== null) { pct.textContent = figures.pct + "%"; }
  }

  function conflictButton(input, conflict) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-link btn-sm p-0 ms-1 align-baseline";
    button.textContent = form.dataset.theirsLabel;
    button.addEventListener("click", function () {
      var value = conflict.value === null ? "" : String(conflict.value);
      var name = input.name.slice(1);
      input.value = value;
      input.defaultValue = value;
      hidden("o" + name, value);
      hidden("oc" + name, conflict.comment);
      var comment = form.elements.namedItem("c" + name);
      if (comment) { comment.value = conflict.comment; comment.defaultValue = conflict.comment; }
      refresh(input);
      note(input.closest(".entry-row"), "", "");
      keep();
    });
    return button;
  }

  function save(input) {
    var row = input.closest(".entry-row");
    var name = input.name.slice(1);
    var comment = form.elements.namedItem("c" + name);
    var data = new FormData();
    var reason = form.elements.namedItem("reason");
    data.append("csrfmiddlewaretoken", token);
    data.append("base", bases[input.name] || version);
    data.append(input.name, input.value);
    if (comment) { data.append(comment.name, comment.value); }
    ["o", "oc"].forEach(function (prefix) {
      var seen = form.elements.namedItem(prefix + name);
      data.append(prefix + name, seen ? seen.value : "");
    });
    if (reason) { data.append("reason", reason.value); }
    note(row, "text-body-secondary", form.dataset.savingText);
    fetch(form.dataset.cells, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (answer) { return { status: response.status, answer: answer }; });
    }).then(function (result) {
      var answer = result.answer;
      if (result.status === 200) {
        bases[input.name] = answer.version;
        latest = Math.max(parseInt(latest, 10), answer.version);
        Object.keys(answer.cells).forEach(function (field) {
          applySaved(row, input, comment, answer.cells[field]);
        });
        Object.keys(answer.services).forEach(function (id) { applyService(id, answer.services[id]); });
        note(row, "text-success", answer.changed ? answer.message : "");
        keep();
      } else if (result.status === 409) {
        var conflict = answer.conflicts[input.name];
        var el = note(row, "text-danger", conflict ? conflict.message : answer.message);
        if (conflict) { el.appendChild(conflictButton(input, conflict)); }
      } else {
        var errors = answer.errors || {};
        note(row, "text-danger", errors[input.name] || answer.message);
      }
    }).catch(function () {
      note(row, "text-body-secondary", form.dataset.offlineText);
    });
  }

  function cellInput(target) {
    if (target.classList.contains("entry-input")) { return target; }
    if (target.closest(".entry-comment")) {
      return form.elements.namedItem("v" + target.name.slice(1));
    }
    return null;
  }

  // --- Start ------------------------------------------------------------------------------------

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
  form.addEventListener("change", function (event) {
    var input = cellInput(event.target);
    if (input && !input.readOnly) { save(input); }
  });
})();
