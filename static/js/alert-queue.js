// The warning queue (templates/monitoring/alert_queue.html): the township choice reloads the
// village list, and the action bar counts the ticked rows. Without it the page still works: the
// township is chosen with the Filter button, and the bar acts on what is ticked.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("select[data-autosubmit]")) {
      var village = target.form.querySelector("select[name=village]");
      if (village) {
        village.value = "";
      }
      target.form.submit();
    }
    if (target.matches("input[name=alerts]")) {
      count();
    }
  });

  function count() {
    var label = document.querySelector(".bulk-count");
    if (!label) {
      return;
    }
    var n = document.querySelectorAll("input[name=alerts]:checked").length;
    label.textContent = n ? label.dataset.some.replace("{n}", n) : label.dataset.none;
    var bar = document.getElementById("bulk-form");
    if (bar) {
      bar.classList.toggle("has-ticked", n > 0);
    }
  }

  // With this script the bar shows its actions once a row is ticked (the phone's screen is
  // short); without it they are always shown.
  document.addEventListener("DOMContentLoaded", function () {
    var bar = document.getElementById("bulk-form");
    if (bar) {
      bar.classList.add("js-on");
    }
    count();
  });
})();
