// The case page folds its sections so that a phone shows the waiting step first. On a wide
// screen the sections marked data-open-wide open by themselves; a section holding the target
// of the address (#history) or a form's errors opens wherever it is.
(function () {
  "use strict";
  function openSections() {
    var wide = window.matchMedia("(min-width: 900px)").matches;
    document.querySelectorAll("details.fold").forEach(function (section) {
      var targeted = null;
      try {
        targeted = window.location.hash && section.querySelector(window.location.hash);
      } catch (error) {
        targeted = null;
      }
      if ((wide && section.hasAttribute("data-open-wide")) || targeted || (section.id && section.id === window.location.hash.slice(1)) || section.querySelector(".errorlist")) {
        section.open = true;
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", openSections);
  } else {
    openSections();
  }
})();
