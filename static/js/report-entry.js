// Monthly entry page: live year-to-date and achievement; each cell saved as the user leaves it
// (a small request, a small JSON answer: the cell's checks and its service's figures); typed
// values kept on the device (localStorage) until the server has them, so a dropped connection
// or a closed tab loses nothing. Without JavaScript the Save buttons post the whole form.
// The grid (indicators/templatetags/entry_grid.py: a table, rows desa, columns services) moves
// with the keyboard like a spreadsheet and takes a block pasted from Excel or a register.
(function () {
  "use strict";
  var form = document.getElementById("entry-form");
  var grid = document.querySelector(".entry-grid");
  var wide = window.matchMedia("(min-width: 992px)");  // as css/simpul.css's "Entry grid (#15)"
  if (grid) {  // read only too: a reviewer follows links to cells
    padScroll();
    window.addEventListener("resize", padScroll);
    showLinkedCell();
    window.addEventListener("hashchange", showLinkedCell);
  }
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
        if (details) { details.open = true; }
        openColumn(field);
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
    el.className = "entry-state " + className;
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
      el.className = "entry-problem";
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

  function cellOf(input) {
    return {
      row: input.closest(".entry-row"),
      comment: form.elements.namedItem("c" + input.name.slice(1))
    };
  }

  // Save `inputs` (one cell, or a pasted row of them: the endpoint takes up to 24) in one request;
  // the promise settles once the answer is shown.
  function save(inputs) {
    inputs = [].concat(inputs);
    var data = new FormData();
    var reason = form.elements.namedItem("reason");
    var base = null;
    data.append("csrfmiddlewaretoken", token);
    inputs.forEach(function (input) {
      var name = input.name.slice(1);
      var cell = cellOf(input);
      var from = parseInt(bases[input.name] || version, 10);
      base = base === null ? from : Math.min(base, from);
      data.append(input.name, input.value);
      if (cell.comment) { data.append(cell.comment.name, cell.comment.value); }
      ["o", "oc"].forEach(function (prefix) {
        var seen = form.elements.namedItem(prefix + name);
        data.append(prefix + name, seen ? seen.value : "");
      });
      note(cell.row, "text-body-secondary", form.dataset.savingText);
    });
    data.append("base", base);
    if (reason) { data.append("reason", reason.value); }
    return fetch(form.dataset.cells, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (answer) { return { status: response.status, answer: answer }; });
    }).then(function (result) {
      var answer = result.answer;
      if (result.status === 200) {
        latest = Math.max(parseInt(latest, 10), answer.version);
        inputs.forEach(function (input) {
          var cell = cellOf(input);
          bases[input.name] = answer.version;
          if (answer.cells[input.name]) {
            applySaved(cell.row, input, cell.comment, answer.cells[input.name]);
          }
          note(cell.row, "text-success", answer.changed ? answer.message : "");
        });
        Object.keys(answer.services).forEach(function (id) { applyService(id, answer.services[id]); });
        keep();
      } else if (result.status === 409) {
        var conflicts = answer.conflicts || {};
        var others = inputs.filter(function (input) { return !conflicts[input.name]; });
        inputs.forEach(function (input) {
          var conflict = conflicts[input.name];
          if (conflict) {
            var el = note(cellOf(input).row, "text-danger", conflict.message);
            el.appendChild(conflictButton(input, conflict));
          } else if (!others.length || others.length === inputs.length) {
            note(cellOf(input).row, "text-danger", answer.message);
          }
        });
        // Nothing was saved: the cells of a pasted row that nobody else changed go again.
        if (others.length && others.length < inputs.length) { return save(others); }
      } else {
        var errors = answer.errors || {};
        inputs.forEach(function (input) {
          note(cellOf(input).row, "text-danger", errors[input.name] || answer.message);
        });
      }
    }).catch(function () {
      inputs.forEach(function (input) {
        note(cellOf(input).row, "text-body-secondary", form.dataset.offlineText);
      });
    });
  }

  function cellInput(target) {
    if (target.classList.contains("entry-input")) { return target; }
    if (target.closest(".entry-comment")) {
      return form.elements.namedItem("v" + target.name.slice(1));
    }
    return null;
  }

  // --- The grid: keyboard movement and block paste ------------------------------------------

  var gridBox = document.getElementById("entry-grid");
  var gridStatus = document.getElementById("eg-status");

  function position(input) {
    var td = input.closest("td");
    return { row: td.parentElement.sectionRowIndex, col: td.cellIndex };
  }

  function inputAt(row, col) {
    var tr = grid.tBodies[0].rows[row];
    var td = tr && col > 0 ? tr.cells[col] : null;
    return td ? td.querySelector(".entry-input") : null;
  }

  function openColumn(el) {  // an input or its cell
    var td = el.closest("td");
    var head = td && grid.tHead.rows[0].cells[td.cellIndex];
    var details = head && head.querySelector("details");
    if (details) { details.open = true; }
  }

  function go(target) {
    if (!target) { return false; }
    openColumn(target);
    target.focus();
    target.select();
    return true;
  }

  // Tab follows the row (over the comment toggles: Shift+F2 opens a comment), then the next row.
  function neighbour(input, step) {
    var all = Array.prototype.slice.call(grid.querySelectorAll(".entry-input"));
    return all[all.indexOf(input) + step] || null;
  }

  function onKey(event) {
    var input = event.target;
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    if (input.matches(".entry-comment textarea") && event.key === "Escape") {
      go(form.elements.namedItem("v" + input.name.slice(1)));
      return;
    }
    if (!input.classList.contains("entry-input")) { return; }
    var at = position(input);
    var start = input.selectionStart === 0 && input.selectionEnd === 0;
    var end = input.selectionStart === input.value.length && input.selectionEnd === input.value.length;
    var target = null;
    switch (event.key) {
      case "ArrowUp": target = inputAt(at.row - 1, at.col); break;
      case "ArrowDown": target = inputAt(at.row + 1, at.col); break;
      case "Enter":
        event.preventDefault();  // in the grid Enter moves; the buttons save the form
        target = inputAt(at.row + (event.shiftKey ? -1 : 1), at.col);
        break;
      case "ArrowLeft": if (wide.matches && start) { target = inputAt(at.row, at.col - 1); } break;
      case "ArrowRight": if (wide.matches && end) { target = inputAt(at.row, at.col + 1); } break;
      case "Tab": if (wide.matches) { target = neighbour(input, event.shiftKey ? -1 : 1); } break;
      case "F2":
        if (event.shiftKey) {
          var comment = input.closest("td").querySelector(".entry-comment");
          if (comment) { event.preventDefault(); comment.open = true; comment.querySelector("textarea").focus(); }
        }
        return;
      default: return;
    }
    if (go(target)) { event.preventDefault(); }
  }

  // "1234", "1.234" or "1,234" (thousands) -> "1234"; "" for a blank cell; null for anything else.
  function pastedNumber(text) {
    var t = text.replace(/[\s\u00a0\u202f]/g, "");
    if (t === "") { return ""; }
    if (/^\d+$/.test(t) || /^\d{1,3}(\.\d{3})+$/.test(t) || /^\d{1,3}(,\d{3})+$/.test(t)) {
      return String(parseInt(t.replace(/[.,]/g, ""), 10));
    }
    return null;
  }

  // Excel and LibreOffice give tab-separated lines (\r\n, a trailing newline); a web page or a
  // register may give only an HTML table.
  function pastedBlock(data) {
    var text = data.getData("text/plain");
    if (text) {
      var lines = text.replace(/\r\n?/g, "\n").split("\n");
      if (lines.length > 1 && lines[lines.length - 1] === "") { lines.pop(); }
      return lines.map(function (line) { return line.split("\t"); });
    }
    var markup = data.getData("text/html");
    if (!markup) { return null; }
    var rows = new DOMParser().parseFromString(markup, "text/html").querySelectorAll("tr");
    return Array.prototype.map.call(rows, function (tr) {
      return Array.prototype.map.call(tr.cells, function (cell) { return cell.textContent; });
    });
  }

  // A leading row or column of names (no number in it) is a header: left out, counted as skipped.
  function withoutHeaders(block, counts) {
    function kinds(cells) {
      var numbers = 0, words = 0;
      cells.forEach(function (cell) {
        var value = pastedNumber(cell);
        if (value === null) { words += 1; } else if (value !== "") { numbers += 1; }
      });
      return { numbers: numbers, words: words };
    }
    var first = kinds(block[0]);
    if (block.length > 1 && !first.numbers && first.words) {
      counts.skipped += first.words;
      block = block.slice(1);
    }
    var column = kinds(block.map(function (cells) { return cells[0] || ""; }));
    if (block.some(function (cells) { return cells.length > 1; }) && !column.numbers && column.words) {
      counts.skipped += column.words;
      block = block.map(function (cells) { return cells.slice(1); });
    }
    return block;
  }

  function pasteMessage(counts) {
    var text = counts.pasted === 1 ? gridBox.dataset.pastedOne
      : gridBox.dataset.pasted.replace("%(count)s", counts.pasted);
    var notes = [];
    if (counts.skipped) { notes.push(gridBox.dataset.skipped.replace("%(count)s", counts.skipped)); }
    if (counts.outside) { notes.push(gridBox.dataset.outside.replace("%(count)s", counts.outside)); }
    return text + (notes.length ? " (" + notes.join("; ") + ")" : "") + ".";
  }

  function onPaste(event) {
    var input = event.target;
    if (!input.classList.contains("entry-input") || !event.clipboardData) { return; }
    var block = pastedBlock(event.clipboardData);
    if (!block || !block.length) { return; }
    if (block.length === 1 && block[0].length === 1) {
      // One value: the browser pastes it, unless it carries thousands separators.
      var single = pastedNumber(block[0][0]);
      if (single && single !== block[0][0].trim()) {
        event.preventDefault();
        input.value = single;
        refresh(input);
        keep();
      }
      return;
    }
    event.preventDefault();
    var counts = { pasted: 0, skipped: 0, outside: 0 };
    block = withoutHeaders(block, counts);
    var at = position(input);
    var sent = Promise.resolve();  // one row after another: each waits for the report's lock
    block.forEach(function (cells, i) {
      var changedRow = [];
      cells.forEach(function (cell, j) {
        var value = pastedNumber(cell);
        if (value === "") { return; }
        if (value === null) { counts.skipped += 1; return; }
        var target = inputAt(at.row + i, at.col + j);
        if (!target) { counts.outside += 1; return; }
        counts.pasted += 1;
        if (target.value === value) { return; }
        target.value = value;
        refresh(target);
        openColumn(target);
        if (target.value !== target.defaultValue) { changedRow.push(target); }
      });
      if (changedRow.length) { sent = sent.then(function () { return save(changedRow); }); }
    });
    keep();
    gridStatus.textContent = pasteMessage(counts);
  }

  // A cell reached by keyboard scrolls into view clear of the sticky header row and desa column.
  function padScroll() {
    var box = grid.parentElement;
    box.style.scrollPadding = wide.matches
      ? grid.tHead.offsetHeight + "px 52px 0 " + grid.tHead.rows[0].cells[0].offsetWidth + "px" : "";
  }

  // A link to a cell (#cell-<village>-<service>, from the review notes) opens its service on phones.
  function showLinkedCell() {
    var cell = /^#cell-\d+-\d+$/.test(window.location.hash)
      ? document.getElementById(window.location.hash.slice(1)) : null;
    if (cell) { openColumn(cell); cell.scrollIntoView({ block: "center" }); }
  }

  grid.addEventListener("keydown", onKey);
  grid.addEventListener("paste", onPaste);

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
    if (input && !input.readOnly) { save([input]); }
  });
})();
