// Working lists (households, cases, measures): the filter form refreshes the rows as the user
// types, after a short pause, through htmx (the form's hx-get, fired by the "list-filter" event).
//
// - Chinese typed with pinyin (an IME) sends `input` events while the syllables are composed;
//   nothing is asked for until the characters are chosen (compositionend).
// - Paste and dictation change the value without keys: `input` (and `paste`) fire the refresh.
// - A select or a check box refreshes at once.
// - An ID number (17 digits and a check character), or any run of digits long enough to be the
//   start of one, is sent by POST to the list itself, never in a query string: the address, the
//   history and servers' logs would keep it (households/list_search.py).
// Without JavaScript the form is a POST that the server answers with the filtered list.
(function () {
  "use strict";
  const PAUSE_MS = 350;
  // 13 and more digits are past a village's code (12): possibly most of an ID number.
  const LONG_DIGITS = /^[0-9]{13,}[0-9Xx]?$/;

  function setUp(form) {
    let composing = false;
    let timer = null;
    let last = null;

    function snapshot() {
      const data = new FormData(form);
      data.delete("csrfmiddlewaretoken");
      return new URLSearchParams(data).toString();
    }

    function refresh(delay) {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        if (composing) return;
        const now = snapshot();
        if (now === last) return;  // a key that changed nothing (an arrow, a shift)
        last = now;
        window.htmx.trigger(form, "list-filter");
      }, delay);
    }

    last = snapshot();
    form.addEventListener("compositionstart", function () {
      composing = true;
      window.clearTimeout(timer);
    });
    form.addEventListener("compositionend", function () {
      composing = false;
      refresh(PAUSE_MS);
    });
    form.addEventListener("input", function (event) {
      // Chrome sends the last `input` of a composition before compositionend, and marks it.
      if (composing || event.isComposing) return;
      const target = event.target;
      if (target.matches("select, input[type=checkbox], input[type=radio]")) refresh(0);
      else refresh(PAUSE_MS);
    });
    form.addEventListener("paste", function () {
      refresh(PAUSE_MS);  // the pasted text is in the field by then (an `input` follows too)
    });
    form.addEventListener("change", function (event) {
      if (event.target.matches("select, input[type=checkbox], input[type=radio]")) refresh(0);
    });
    form.addEventListener("submit", function () {
      window.clearTimeout(timer);
      last = snapshot();
    });

    // An ID number answered is not kept in the box: a later change of another filter would look
    // it up again, and each look-up is recorded and counted against the hour's allowance.
    form.addEventListener("htmx:afterRequest", function (event) {
      const search = form.querySelector("input[name=q]");
      if (search && event.detail.requestConfig && event.detail.requestConfig.verb === "post") {
        search.value = "";
        last = snapshot();
      }
    });

    form.addEventListener("htmx:configRequest", function (event) {
      const detail = event.detail;
      const search = form.querySelector("input[name=q]");
      // Read as the server reads it (households/list_search.py): full-width digits to ASCII
      // (NFKC), spaces and dashes dropped, so "620423 1977-0523 5699" goes by POST too.
      const value = search ? search.value.normalize("NFKC").replace(/[\s-]+/g, "") : "";
      if (LONG_DIGITS.test(value) || /[0-9]{13,}/.test(value)) {
        // The list's own address, by POST: the number in the body, the CSRF token in a header.
        detail.verb = "post";
        detail.useUrlParams = false;
        detail.path = form.getAttribute("action");
        // htmx chose the headers for a GET: a POST's body needs its type, or Django reads none.
        detail.headers["Content-Type"] = "application/x-www-form-urlencoded";
        const token = form.querySelector("input[name=csrfmiddlewaretoken]");
        if (token) detail.headers["X-CSRFToken"] = token.value;
      }
    });
  }

  function start() {
    if (!window.htmx) return;  // htmx missing: the form still submits
    document.querySelectorAll("form[data-live-filter]").forEach(setUp);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
