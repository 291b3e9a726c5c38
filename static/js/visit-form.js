/* The visit form on a phone (templates/monitoring/visit_form_fields.html): "same as last time"
   per section, sections that fold with their total on the summary, the household's income and
   per-capita income as the worker types, event rows added and removed, and the error summary
   that takes the worker to each field. Without it the form works as a plain form. Strings come
   from the page's data attributes, so they are translated with the rest of Django's. */
(function () {
  "use strict";
  // The figures and the formula of monitoring/services/visits.py (_derived): the total is the
  // sum of the four incomes, per capita that total over the people of the household, rounded
  // half up to the fen.
  const INCOME = ["wage_income", "business_income", "property_income", "transfer_income"];
  const SPENDING = ["medical_spending", "education_spending", "disaster_loss"];

  // Fen as an integer, so that sums are exact; an empty or unreadable box counts as 0.
  function fen(value) {
    const number = parseFloat(String(value || "").replace(/[,，\s]/g, ""));
    return Number.isFinite(number) ? Math.round(number * 100) : 0;
  }

  const halfUp = (value) => Math.sign(value) * Math.round(Math.abs(value));

  // As core/display.py's |money writes it: grouped by thousands, two decimals.
  function money(format, amount) {
    const whole = Math.floor(Math.abs(amount) / 100).toLocaleString("en-US");
    const cents = String(Math.abs(amount) % 100).padStart(2, "0");
    return format.replace("%(amount)s", `${amount < 0 ? "-" : ""}${whole}.${cents}`);
  }

  function setValue(form, name, value) {
    const field = form.elements[name];
    if (!field) return;
    if (field instanceof RadioNodeList) {
      for (const radio of field) radio.checked = radio.value === value;
    } else {
      field.value = value;
    }
  }

  function setUp(form, box) {
    const T = box.dataset;
    const value = (name) => (form.elements[name] ? form.elements[name].value : "");
    const section = (key) => box.querySelector(`details[data-section="${key}"]`);
    const eventsBox = box.querySelector("[data-events]");
    const prefix = eventsBox ? eventsBox.dataset.prefix : "events";
    const rowsBox = eventsBox && eventsBox.querySelector("[data-event-rows]");
    const live = form.querySelector("[data-live-total]");

    function setTotal(key, text) {
      const details = section(key);
      const target = details && details.querySelector("[data-section-total]");
      if (target) target.textContent = text;
    }

    function update() {
      const income = INCOME.reduce((sum, name) => sum + fen(value(name)), 0);
      const spending = SPENDING.reduce((sum, name) => sum + fen(value(name)), 0);
      setTotal("income", T.totalFormat.replace("%(amount)s", money(T.moneyFormat, income)));
      setTotal("spending", T.totalFormat.replace("%(amount)s", money(T.moneyFormat, spending)));
      const checks = section("checks");
      if (checks) {
        const failed = checks.querySelectorAll("input[type=radio][value=False]:checked").length;
        setTotal("checks", failed ? T.checksFailed.replace("%(count)s", failed) : T.checksOk);
        checks.toggleAttribute("data-failed", failed > 0);
      }
      if (rowsBox) {
        const count = [...rowsBox.querySelectorAll("select[name$='-kind']")]
          .filter((select) => select.value).length;
        setTotal("events", count ? T.eventsCount.replace("%(count)s", count) : T.eventsNone);
      }
      if (live) {
        const size = parseInt(value("household_size"), 10);
        const perCapita = size > 0 ? money(T.moneyFormat, halfUp(income / size)) : "—";
        live.textContent = T.liveFormat.replace("%(total)s", money(T.moneyFormat, income))
          .replace("%(per_capita)s", perCapita);
        live.hidden = false;
      }
    }

    // "Same as last time": the last visit's figures (0 where it had none, done by the server)
    // into the section, which then folds to its summary and total: one tap when nothing changed.
    for (const button of box.querySelectorAll("[data-same-as-last]")) {
      button.hidden = false;
      button.addEventListener("click", () => {
        const values = JSON.parse(button.dataset.sameAsLast);
        for (const [name, copied] of Object.entries(values)) setValue(form, name, copied);
        update();
        const details = button.closest("details");
        details.dataset.copied = "1";
        details.open = false;
        details.querySelector("summary").focus();
      });
    }
    // A figure changed by hand is no longer "as last time".
    box.addEventListener("input", (event) => {
      const details = event.target.closest && event.target.closest("details[data-copied]");
      if (details && event.isTrusted) delete details.dataset.copied;
    });

    // Event rows: the formset's rows, renumbered so that Django (and the offline queue, which
    // reads events-0 … events-(TOTAL_FORMS - 1)) sees them in order with the right total.
    if (eventsBox && rowsBox) {
      const total = form.elements[`${prefix}-TOTAL_FORMS`];
      const max = parseInt(form.elements[`${prefix}-MAX_NUM_FORMS`].value, 10) || 10;
      const template = eventsBox.querySelector("template[data-event-template]");
      const add = eventsBox.querySelector("[data-add-event]");
      const pattern = new RegExp(`${prefix}-(\\d+|__prefix__)-`, "g");
      const rows = () => [...rowsBox.querySelectorAll("[data-event-row]")];

      function renumber() {
        rows().forEach((row, index) => {
          for (const node of row.querySelectorAll("[name], [id], [for], [aria-describedby]")) {
            for (const attr of ["name", "id", "for", "aria-describedby"]) {
              const old = node.getAttribute(attr);
              if (old) node.setAttribute(attr, old.replace(pattern, `${prefix}-${index}-`));
            }
          }
        });
        total.value = String(rows().length);
        add.hidden = rows().length >= max;
        update();
      }

      function wire(row) {
        const remove = row.querySelector("[data-remove-event]");
        remove.hidden = false;
        remove.addEventListener("click", () => {
          row.remove();
          renumber();
          add.focus();
        });
      }

      // The blank rows the page brings for a form without script go: the worker adds one
      // when something happened.
      for (const row of rows()) {
        const kind = row.querySelector("select[name$='-kind']");
        if (kind && !kind.value && !row.querySelector(".invalid")) row.remove();
        else wire(row);
      }
      add.addEventListener("click", () => {
        const row = template.content.firstElementChild.cloneNode(true);
        rowsBox.append(row);
        wire(row);
        renumber();
        row.querySelector("select").focus();
      });
      renumber();
    }

    form.addEventListener("input", update);
    form.addEventListener("change", update);
    form.addEventListener("reset", () => setTimeout(update));
    update();
  }

  for (const form of document.querySelectorAll("form[data-visit-form]")) {
    const box = form.querySelector("[data-visit-fields]");
    if (box) setUp(form, box);
  }

  // After a refused save: the summary takes the focus, and each of its links opens the
  // section of its field and puts the cursor in it.
  const summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.addEventListener("click", (event) => {
      const link = event.target.closest("a[data-error-link]");
      if (!link) return;
      const target = document.getElementById(link.dataset.errorLink);
      if (!target) return;
      event.preventDefault();
      const details = target.closest("details");
      if (details) details.open = true;
      const field = target.matches("input, select, textarea")
        ? target : target.querySelector("input, select, textarea") || target;
      field.focus({preventScroll: true});
      field.closest(".field").scrollIntoView({block: "center"});
    });
    summary.focus({preventScroll: true});
    summary.scrollIntoView({block: "start"});
  }
})();
