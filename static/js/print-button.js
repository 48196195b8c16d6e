// Print buttons (button[data-print], hidden until this runs): a page made to be printed, such as
// the recovery codes, prints itself; without JavaScript the browser's own print still works.
(function () {
  "use strict";
  document.querySelectorAll("button[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
