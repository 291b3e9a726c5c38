/* The visit page without a network (docs/offline.md): the offline household picker, visits kept
   in the phone's queue and sent when the connection returns, and a logout that leaves nothing
   on the phone. Needs idb-keyval (umd) and visit-queue.js. Strings come from the page
   (<template id="offline-text">), so they are translated with the rest of Django's. */
(function () {
  "use strict";
  const Queue = self.DixianQueue;
  // A synced visit is on the server: the phone forgets it soon after showing it.
  const KEEP_SYNCED_MS = 10 * 60 * 1000;

  function texts() {
    const out = {};
    const template = document.getElementById("offline-text");
    if (template) {
      for (const span of template.content.querySelectorAll("[data-key]")) {
        out[span.dataset.key] = span.textContent.trim();
      }
    }
    return out;
  }
  const T = texts();

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value !== null && value !== undefined) node.setAttribute(name, value);
    }
    for (const child of children) {
      if (child !== null && child !== undefined) {
        node.append(child instanceof Node ? child : document.createTextNode(String(child)));
      }
    }
    return node;
  }

  function csrfToken() {
    // The cookie first: a login after the page was cached has changed the token.
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // Logout: nothing of the worker's stays on the phone (the response's Clear-Site-Data header
  // does the same for browsers that honour it). Visits not yet sent are lost: ask first.
  for (const form of document.querySelectorAll("form[data-logout]")) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (Queue) {
        let waiting = 0;
        try {
          waiting = (await Queue.all()).filter((item) => item.state !== "synced").length;
        } catch (error) { /* no storage: nothing to lose */ }
        if (waiting && !window.confirm(form.dataset.pendingConfirm)) return;
        try {
          await Queue.clear();
        } catch (error) { /* cleared by the header anyway */ }
      }
      try {
        if (self.caches) for (const key of await caches.keys()) await caches.delete(key);
        if (navigator.serviceWorker) {
          for (const registration of await navigator.serviceWorker.getRegistrations()) {
            await registration.unregister();
          }
        }
      } catch (error) { /* idem */ }
      form.submit();
    });
  }

  const panel = document.getElementById("visit-queue");
  if (!panel || !Queue) return;
  const user = panel.dataset.user;
  const list = panel.querySelector(".queue-items");
  const notice = panel.querySelector("[data-queue-notice]");

  if (navigator.serviceWorker && panel.dataset.sw) {
    navigator.serviceWorker.register(panel.dataset.sw, {scope: "/"}).catch(() => null);
  }

  function say(message) {
    notice.textContent = message;
    notice.hidden = !message;
    if (message) panel.hidden = false;
  }

  let households = [];
  async function loadHouseholds() {
    households = await Queue.households(user).catch(() => []);
    if (!navigator.onLine || !panel.dataset.picklist) return;
    try {
      const response = await fetch(panel.dataset.picklist, {credentials: "same-origin",
                                                             redirect: "error"});
      if (!response.ok) return;
      households = (await response.json()).households;
      await Queue.saveHouseholds(households, user);
      panel.dataset.householdsSaved = "1";
    } catch (error) { /* offline: the stored list serves */ }
  }

  function householdLabel(item) {
    if (item.label) return item.label;
    const found = households.find((h) => h.id === item.body.household);
    return found ? `${found.head_name || "—"} · ${found.number}`
                 : T.household.replace("%(id)s", item.body.household);
  }

  function fieldLabel(attr) {
    const label = attr && document.querySelector(`label[for="id_${attr}"]`);
    return label ? label.textContent.replace(/[:：]\s*$/, "") : "";
  }

  function reason(item) {
    if (item.owner && item.owner !== user) return el("p", {class: "reason"}, T.other_owner);
    if (item.state === "synced") return null;
    if (item.problem === "session") {
      return el("p", {class: "reason"}, T.session, " ",
                el("a", {href: panel.dataset.login}, T.login));
    }
    if (item.problem === "invalid") {
      return el("ul", {class: "reason"}, ...(item.errors || []).map((error) => {
        const label = fieldLabel(error.attr);
        return el("li", {"data-attr": error.attr}, label ? `${label}：${error.detail}` : error.detail);
      }));
    }
    if (item.problem === "network") return el("p", {class: "reason muted"}, T.network);
    if (item.problem === "server") return el("p", {class: "reason muted"}, T.server);
    return null;
  }

  async function render() {
    let items = await Queue.all();
    const now = Date.now();
    for (const item of items) {
      if (item.state === "synced" && now - item.synced_at > KEEP_SYNCED_MS) {
        await Queue.remove(item.client_uuid);
      }
    }
    items = items.filter((item) => !(item.state === "synced" && now - item.synced_at > KEEP_SYNCED_MS));
    list.replaceChildren(...items.map((item) => {
      const state = el("span", {class: `state state-${item.state}`}, T[item.state]);
      const actions = [];
      if (item.state === "synced" && item.visit) {
        actions.push(el("a", {href: panel.dataset.visitDetail.replace("/0/", `/${item.visit}/`)},
                        T.open));
      }
      if (item.state === "failed" && item.problem === "invalid") {
        const discard = el("button", {type: "button", class: "link", "data-discard": ""}, T.discard);
        discard.addEventListener("click", async () => {
          if (!window.confirm(T.discard_confirm)) return;
          await Queue.remove(item.client_uuid);
          render();
        });
        actions.push(discard);
      }
      return el("li", {class: "queue-item", "data-state": item.state, "data-uuid": item.client_uuid},
        el("div", {class: "queue-line"}, el("strong", {}, householdLabel(item)), " ",
           el("span", {class: "help"}, item.body.visited_on), " ", state),
        reason(item),
        actions.length ? el("div", {class: "queue-actions"}, ...actions) : null);
    }));
    const waiting = items.some((item) => item.state !== "synced");
    panel.querySelector("[data-sync-now]").hidden = !waiting;
    if (!waiting) say("");  // "kept on this phone" no longer holds
    panel.hidden = !items.length && notice.hidden;
    panel.dataset.count = String(items.length);
  }

  /* Send what waits, one at a time. A visit is sent with the client id it was made with, so a
     send whose answer was lost, a second tab, or a replay all end in the one stored visit. */
  let running = null;
  function sync() {
    if (running) return running;
    running = (async () => {
      for (const item of await Queue.all()) {
        if (item.state === "synced" || (item.owner && item.owner !== user)) continue;
        if (item.state === "failed" && item.problem === "invalid") continue;
        const result = await Queue.send(item, csrfToken());
        await Queue.put({...item, problem: null, errors: [], ...result});
        if (result.problem === "network") break;  // the rest would fail the same way
      }
      await render();
    })().finally(() => { running = null; });
    return running;
  }

  function today() {
    const now = new Date();
    const pad = (n) => String(n).padStart(2, "0");
    return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
  }

  // The offline form of the picker page: a blank visit form filled in for a household of the
  // stored list, with a client id made here.
  const offlineSection = document.getElementById("offline-visit");
  function openOffline(household) {
    const form = offlineSection.querySelector("form");
    form.reset();
    form.elements.household.value = household.id;
    form.elements.offline_label.value = `${household.head_name || "—"} · ${household.number}`;
    form.elements.client_uuid.value = self.crypto.randomUUID();
    form.elements.visited_on.value = today();
    offlineSection.querySelector("[data-household-title]").textContent =
      household.head_name || household.number;
    offlineSection.querySelector("[data-household-village]").textContent =
      [household.village, household.number].filter(Boolean).join(" · ");
    offlineSection.hidden = false;
    offlineSection.scrollIntoView();
  }

  function localResults(query) {
    const target = document.getElementById("household-results");
    if (!target) return;
    query = query.trim();
    let found = [];
    if (/^\d+$/.test(query)) found = households.filter((h) => h.number.startsWith(query));
    else if (query) found = households.filter((h) => (h.head_name || "").includes(query));
    const items = found.slice(0, 20).map((household) => {
      const button = el("button", {type: "button", class: "button pick", "data-household": household.id},
        el("strong", {}, household.head_name || "—"), " ", household.village || "", " ",
        el("small", {}, household.number));
      button.addEventListener("click", () => openOffline(household));
      return el("li", {}, button);
    });
    if (query && !items.length) items.push(el("li", {}, households.length ? T.not_found : T.no_list));
    target.replaceChildren(el("p", {class: "help offline-note"}, households.length ? T.offline_search : T.no_list),
                           el("ul", {class: "picks"}, ...items));
  }

  const search = document.getElementById("household-q");
  if (search && offlineSection) {
    // Offline, htmx would only fail: search the stored list instead.
    document.body.addEventListener("htmx:beforeRequest", (event) => {
      if (!navigator.onLine) {
        event.preventDefault();
        localResults(search.value);
      }
    });
    document.body.addEventListener("htmx:sendError", () => localResults(search.value));
    offlineSection.querySelector("[data-close]").addEventListener("click", () => {
      offlineSection.hidden = true;
    });
  }

  for (const form of document.querySelectorAll("form[data-visit-form]")) {
    form.addEventListener("submit", async (event) => {
      const offline = form.hasAttribute("data-offline") || !navigator.onLine;
      // Online, the ordinary post; if it cannot reach the server the service worker keeps it.
      if (!offline) return;
      event.preventDefault();
      if (!form.reportValidity()) return;
      const item = Queue.fromForm(new FormData(form));
      if (!item) return;
      await Queue.put(item);  // keyed by the client id: a second tap keeps one item
      if (offlineSection && form.closest("#offline-visit")) offlineSection.hidden = true;
      else form.querySelector("button[type=submit]").disabled = true;
      say(T.saved);
      await render();
      panel.scrollIntoView();
      if (navigator.onLine) sync();
    });
  }

  panel.querySelector("[data-sync-now]").addEventListener("click", () => sync());
  window.addEventListener("online", () => sync());
  window.DixianOffline = {sync, render};

  (async () => {
    await loadHouseholds();
    const params = new URLSearchParams(location.search);
    if (params.get("queued")) say(T.saved);
    // A household's form asked for offline: the stored page stands in, with the offline form.
    const wanted = offlineSection && parseInt(params.get("household"), 10);
    const household = wanted && households.find((h) => h.id === wanted);
    if (household) openOffline(household);
    await render();
    if (navigator.onLine) await sync();
    panel.dataset.ready = "1";
  })();
})();
