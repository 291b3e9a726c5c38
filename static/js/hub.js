// The household page (hub): its sections fold on a phone and open on a wider screen. They are
// rendered folded, so a phone shows the risk, the buttons and the timeline first, with no flash.
(function () {
  "use strict";
  function unfold() {
    if (!window.matchMedia("(min-width: 641px)").matches) return;
    document.querySelectorAll("details[data-open-wide]").forEach(function (section) {
      section.open = true;
    });
  }
  // A link to a part of a folded section (a contact's "#pairing") opens the section first.
  function openTarget() {
    var target = location.hash && document.getElementById(location.hash.slice(1));
    var section = target && target.closest("details");
    if (section) section.open = true;
  }
  document.addEventListener("DOMContentLoaded", function () {
    unfold();
    openTarget();
  });
  window.addEventListener("hashchange", openTarget);
})();
