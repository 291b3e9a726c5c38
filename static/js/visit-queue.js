/* The phone's queue of visits waiting for the server (docs/offline.md). Loaded by the visit page
   and by the service worker, so both keep visits the same way. Needs idb-keyval (umd). */
(function (root) {
  "use strict";
  // Opened on first use: pages that never touch the queue leave no database behind.
  let opened = null;
  const store = () => opened || (opened = idbKeyval.createStore("dixian-offline", "visits"));
  const FIGURES = [
    "wage_income", "business_income", "property_income", "transfer_income",
    "medical_spending", "education_spending", "disaster_loss",
  ];
  const CHECKS = [
    "food_clothing_ok", "compulsory_education_ok", "basic_medical_ok", "safe_housing_ok",
    "safe_water_ok",
  ];
  const HOUSEHOLDS = "households";
  const VISIT_KEY = /^visit:/;

  // The API's body, from the visit form's fields (the same names online and offline).
  function fromForm(data) {
    const uuid = data.get("client_uuid");
    const household = parseInt(data.get("household"), 10);
    if (!uuid || !household) return null;
    const body = {
      client_uuid: uuid,
      household: household,
      visited_on: data.get("visited_on") || "",
      household_size: data.get("household_size") || null,
      notes: data.get("notes") || "",
      events: [],
    };
    for (const name of FIGURES) body[name] = data.get(name) || null;
    for (const name of CHECKS) body[name] = data.get(name) !== "False";
    const total = parseInt(data.get("events-TOTAL_FORMS") || "0", 10);
    for (let i = 0; i < total; i++) {
      const kind = data.get(`events-${i}-kind`);
      if (!kind) continue;
      const member = data.get(`events-${i}-member`);
      body.events.push({
        kind: kind,
        occurred_on: data.get(`events-${i}-occurred_on`) || null,
        member: member ? parseInt(member, 10) : null,
      });
    }
    return {
      client_uuid: uuid,
      owner: data.get("offline_owner") || "",
      label: data.get("offline_label") || "",
      state: "pending",
      saved_at: Date.now(),
      body: body,
    };
  }

  const put = (item) => idbKeyval.set("visit:" + item.client_uuid, item, store());
  const remove = (uuid) => idbKeyval.del("visit:" + uuid, store());

  async function all() {
    const entries = await idbKeyval.entries(store());
    return entries
      .filter(([key]) => VISIT_KEY.test(key))
      .map(([, item]) => item)
      .sort((a, b) => a.saved_at - b.saved_at);
  }

  /* One send. The answer says what the item becomes: synced (200 or 201, the server's visit:
     a replay of the same client id is the visit already stored), failed for a reason the
     worker must see (refused fields, a lost session), or still pending (no network, a server
     error). Never throws. */
  async function send(item, csrfToken) {
    let response;
    try {
      response = await fetch("/api/v1/visits/", {
        method: "POST",
        credentials: "same-origin",
        redirect: "error",
        headers: {"Content-Type": "application/json", "Accept": "application/json",
                  "X-CSRFToken": csrfToken || ""},
        body: JSON.stringify(item.body),
      });
    } catch (error) {
      return {state: "pending", problem: "network"};
    }
    let answer = {};
    try {
      answer = await response.json();
    } catch (error) { /* a proxy's page, not the API */ }
    if (response.status === 200 || response.status === 201) {
      return {state: "synced", visit: answer.id, synced_at: Date.now()};
    }
    const errors = answer.errors || [];
    // No session (401), or a CSRF token from before a new login (403): logging in again cures
    // both, so the visit stays queued and is sent then.
    const csrf = errors.some((e) => /CSRF/i.test(e.detail || ""));
    if (response.status === 401 || (response.status === 403 && csrf)) {
      return {state: "failed", problem: "session", errors: []};
    }
    if (response.status === 400 || response.status === 403) {
      return {state: "failed", problem: "invalid", errors: errors};
    }
    return {state: "pending", problem: "server"};
  }

  // The household list belongs to the worker it was fetched for: on a shared phone whose last
  // session expired (no logout to clear it), the next worker must not see it.
  const households = async (owner) => {
    const stored = await idbKeyval.get(HOUSEHOLDS, store());
    return stored && stored.owner === owner ? stored.list : [];
  };
  const saveHouseholds = (list, owner) =>
    idbKeyval.set(HOUSEHOLDS, {saved_at: Date.now(), owner, list}, store());
  const clear = () => idbKeyval.clear(store());

  root.DixianQueue = {fromForm, put, remove, all, send, households, saveHouseholds, clear};
})(self);
