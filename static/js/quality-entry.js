/* SPM quality entry (issue #16): save each item as the user leaves a field.
   Without this file the page works the same through each service card's Save button; with it,
   a changed item is posted alone (the same fields, Accept: application/json) and the page shows
   its met %, gap and the service's quality % from the answer. A save refused because someone
   saved the item since is shown with who and their values; nothing is overwritten. */
(function () {
  "use strict";
  var forms = document.querySelectorAll("form.quality-form");
  if (!forms.length || !window.fetch || !window.FormData) {
    return;
  }
  var reportVersion = document.querySelector("[data-report-version]");

  function field(form, name) {
    return form.elements.namedItem(name);
  }

  function state(form, text, isError) {
    var box = form.querySelector(".save-state");
    if (box) {
      box.textContent = text;
      box.classList.toggle("is-error", !!isError);
    }
  }

  function itemData(form, id) {
    var data = new FormData();
    data.append("csrfmiddlewaretoken", field(form, "csrfmiddlewaretoken").value);
    data.append("service", field(form, "service").value);
    ["n", "a", "note", "on", "oa", "onote", "v"].forEach(function (name) {
      var input = field(form, name + "-" + id);
      if (input) {
        data.append(name + "-" + id, input.value);
      }
    });
    return data;
  }

  function saved(form, id, answer) {
    var line = answer.items && answer.items[id];
    ["n", "a", "note"].forEach(function (name) {
      var input = field(form, name + "-" + id);
      var shown = field(form, "o" + name + "-" + id);
      if (input && shown) {
        shown.value = input.value.trim();
      }
    });
    if (line) {
      field(form, "v-" + id).value = line.version === null ? "" : line.version;
      var row = form.querySelector('[data-item="' + id + '"]');
      if (row) {
        row.querySelector("[data-met]").textContent = line.met;
        row.querySelector("[data-gap]").textContent = line.gap || "–";
        row.classList.toggle("has-gap", !!line.gap);
      }
    }
    Object.keys(answer.services || {}).forEach(function (serviceId) {
      var pct = document.querySelector('[data-quality-of="' + serviceId + '"]');
      if (pct) {
        pct.textContent = answer.services[serviceId];
      }
    });
    if (reportVersion && answer.version) {
      reportVersion.value = answer.version;
    }
    state(form, form.dataset.savedText, false);
  }

  function refused(form, answer) {
    var text = (answer.errors || []).join(" ");
    (answer.differences || []).forEach(function (d) {
      text += " " + d.label + ": " + d.theirs + " / " + d.yours + ".";
    });
    state(form, form.dataset.failedText + " " + text, true);
  }

  function save(form, id) {
    state(form, form.dataset.savingText, false);
    form.quality.pending += 1;
    fetch(form.action, {
      method: "POST",
      body: itemData(form, id),
      headers: { Accept: "application/json" },
      credentials: "same-origin"
    })
      .then(function (response) {
        return response.json().then(function (answer) {
          if (response.ok && answer.saved) {
            saved(form, id, answer);
          } else {
            refused(form, answer);
          }
        });
      })
      .catch(function () {
        state(form, form.dataset.offlineText, true);
      })
      .then(function () {
        form.quality.pending -= 1;
        if (!form.quality.pending && form.quality.submitWhenDone) {
          form.submit(); // the card's Save waited for this item's save
        }
      });
  }

  Array.prototype.forEach.call(forms, function (form) {
    form.quality = { pending: 0, timers: {}, submitWhenDone: false };
    form.addEventListener("change", function (event) {
      var match = /^(n|a|note)-(\d+)$/.exec(event.target.name || "");
      if (!match) {
        return;
      }
      var id = match[2];
      // A moment's wait: a tap on Save right after typing sends the whole card instead.
      clearTimeout(form.quality.timers[id]);
      form.quality.timers[id] = setTimeout(function () {
        delete form.quality.timers[id];
        save(form, id);
      }, 400);
    });
    form.addEventListener("submit", function (event) {
      Object.keys(form.quality.timers).forEach(function (id) {
        clearTimeout(form.quality.timers[id]);
      });
      form.quality.timers = {};
      if (form.quality.pending) {
        // An item is on its way: post the card once it has landed (its shown values updated).
        event.preventDefault();
        form.quality.submitWhenDone = true;
        state(form, form.dataset.savingText, false);
      }
    });
  });
})();
