// Links to a cell of the entry grid (#cell-<desa>-<service>, from the review summary and the
// return notes): open the cell's service column first (phones hide a closed one), then go.
(function () {
  "use strict";
  function show(hash) {
    if (!/^#cell-\d+-\d+$/.test(hash)) return;
    var cell = document.getElementById(hash.slice(1));
    if (!cell) return;
    var table = cell.closest("table");
    var head = table && table.tHead && table.tHead.rows[0].cells[cell.cellIndex];
    var details = head && head.querySelector("details");
    if (details) details.open = true;
    cell.scrollIntoView({ block: "center" });
    var input = cell.querySelector("input.entry-input");
    if (input) input.focus({ preventScroll: true });
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest('a[href^="#cell-"]');
    if (!link) return;
    event.preventDefault();
    var hash = link.getAttribute("href");
    if (location.hash !== hash) location.hash = hash; // :target marks the cell
    show(hash);
  });
  if (document.readyState !== "loading") show(location.hash);
  else document.addEventListener("DOMContentLoaded", function () { show(location.hash); });
})();
