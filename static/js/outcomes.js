// RTL, commitment and proposal forms: fill related fields from the chosen option's data-*
// attributes (set by workshops.forms.outcomes.DataSelect). The server fills the same when empty.
(function () {
  "use strict";
  function byId(id) { return document.getElementById(id); }
  function chosen(select) { return select.options[select.selectedIndex] || null; }

  // A root cause belongs to one problem: choosing it chooses the problem.
  var cause = byId("id_root_cause"), problem = byId("id_problem");
  if (cause && problem) {
    cause.addEventListener("change", function () {
      var option = chosen(cause);
      if (option && option.dataset.problem) { problem.value = option.dataset.problem; }
    });
  }

  // A partner fills the sector and the party's name, unless the user typed their own.
  var partner = byId("id_partner"), sector = byId("id_sector"), party = byId("id_party");
  if (partner) {
    var filled = { sector: null, party: null };
    partner.addEventListener("change", function () {
      var option = chosen(partner);
      if (!option) { return; }
      if (sector && option.dataset.sector && (!sector.value || sector.value === filled.sector)) {
        sector.value = filled.sector = option.dataset.sector;
      }
      if (party && option.dataset.name && (!party.value || party.value === filled.party)) {
        party.value = filled.party = option.dataset.name;
      }
    });
  }

  // A proposal's desa lies in its kecamatan: offer only those.
  var subdistrict = byId("id_subdistrict"), village = byId("id_village");
  if (subdistrict && village) {
    var filter = function () {
      Array.prototype.forEach.call(village.options, function (option) {
        var other = option.value && subdistrict.value && option.dataset.subdistrict !== subdistrict.value;
        option.hidden = Boolean(other);
        if (other && option.selected) { village.value = ""; }
      });
    };
    subdistrict.addEventListener("change", filter);
    filter();
  }
})();
