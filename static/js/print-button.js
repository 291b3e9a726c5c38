// A "Print" button is a <button data-print>: the handler lives here, since the policy
// (Content-Security-Policy, config/settings.py) refuses onclick attributes.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) {
      window.print();
    }
  });
})();
