// Live history: the newest events, then each one as the server accepts it, newest on top;
// "Load older" reads one page further back. Filters apply to what is loaded and to what arrives.
// The table holds at most maxRows rows, however much is loaded.
import { usernames } from "../api.js";
import { field, guard, h, messageBox, showMessage } from "../dom.js";
import { count, eventTime } from "../format.js";
import { HistoryFeed } from "../history-feed.js";

const maxRows = 2000;

export function mount(root, { signal, params }) {
  let names = new Map();
  const controls = {
    user: h("input", { name: "user", list: "history-users", autocomplete: "off", spellcheck: "false", value: params.get("user") ?? "" }),
    item: h("input", { name: "item", autocomplete: "off", spellcheck: "false", value: params.get("item") ?? "" }),
    action: h("input", { name: "action", autocomplete: "off", spellcheck: "false", value: params.get("action") ?? "" }),
    from: h("input", { name: "from", type: "datetime-local", step: "1" }),
    to: h("input", { name: "to", type: "datetime-local", step: "1" }),
  };
  const users = h("datalist", { id: "history-users" });
  const clear = h("button", { type: "button" }, "Clear filters");
  const older = h("button", { type: "button" }, "Load older");
  const live = h("span", { class: "live off", role: "status" }, "Connecting…");
  const summary = h("span", { class: "muted", "aria-live": "polite" });
  const alert = messageBox("alert");
  const body = h("tbody");
  let filter = makeFilter();
  let matching = 0;

  const feed = new HistoryFeed({
    signal,
    onStatus: (state, text) => {
      live.textContent = text;
      live.className = `live ${state === "live" ? "on" : "off"}`;
    },
    onEvents: (kind, events) => {
      if (kind === "live") prepend(events);
      else renderAll();
      updateSummary();
    },
  });

  function makeFilter() {
    const user = controls.user.value.trim();
    const uuid = [...names].find(([, name]) => name === user)?.[0] ?? user;
    const item = controls.item.value;
    const action = controls.action.value.trim();
    const from = utcMs(controls.from.value);
    const to = utcMs(controls.to.value);
    return (e) =>
      (!uuid || e.userUuid === uuid) &&
      (!item || e.itemUuid.startsWith(item)) &&
      (!action || e.action === action) &&
      (from === null || BigInt(e.timestamp) >= from) &&
      (to === null || BigInt(e.timestamp) <= to);
  }

  function renderAll() {
    const rows = [];
    matching = 0;
    for (let k = feed.events.length - 1; k >= 0; k -= 1) {
      const e = feed.events[k];
      if (!filter(e)) continue;
      matching += 1;
      if (rows.length < maxRows) rows.push(row(e, false));
    }
    body.replaceChildren(...rows);
  }

  function prepend(events) {
    const fresh = events.filter(filter);
    matching += fresh.length;
    // A few arrivals are highlighted; a burst is not, since animating thousands of rows would
    // keep the browser too busy to read the stream.
    const highlight = fresh.length <= 50;
    const rows = fresh.slice(-maxRows).reverse().map((e) => row(e, highlight));
    body.prepend(...rows);
    while (body.rows.length > maxRows) body.lastElementChild.remove();
  }

  function row(e, arrived) {
    const name = names.get(e.userUuid);
    return h(
      "tr",
      { class: arrived ? "arrived" : null, "data-uuid": e.uuid },
      h("td", { class: "num" }, e.seq === null ? "" : String(e.seq)),
      h("td", { class: "mono" }, eventTime(e.timestamp)),
      h("td", { title: e.userUuid }, name ?? e.userUuid),
      h("td", { class: "mono", title: e.itemUuid.length > 30 ? e.itemUuid : null }, e.itemUuid),
      h("td", null, e.action),
      h("td", { class: "mono payload", title: e.payload.length > 80 ? e.payload.slice(0, 2000) : null }, e.payload),
    );
  }

  function updateSummary() {
    const loaded = feed.events.length;
    const shown = Math.min(matching, maxRows);
    const parts = [`${count(loaded)} events loaded`];
    if (matching !== loaded) parts.push(`${count(matching)} match the filters`);
    if (shown < matching) parts.push(`the newest ${count(shown)} shown`);
    summary.textContent = parts.join(" · ");
    older.disabled = feed.atBeginning;
    older.textContent = feed.atBeginning ? "Beginning of the history" : "Load older";
  }

  function refilter() {
    filter = makeFilter();
    renderAll();
    updateSummary();
  }

  for (const control of Object.values(controls)) control.addEventListener("input", refilter);
  clear.addEventListener("click", () => {
    for (const control of Object.values(controls)) control.value = "";
    refilter();
  });
  older.addEventListener("click", () => {
    older.disabled = true;
    guard(signal, feed.loadOlder(), (error) => showMessage(alert, error.message)).finally(updateSummary);
  });

  root.append(
    h("h1", { tabindex: "-1" }, "History"),
    h(
      "form",
      { class: "panel filters", "aria-label": "Filters", novalidate: true, onsubmit: (e) => e.preventDefault() },
      field("User", controls.user),
      field("Item prefix", controls.item),
      field("Action", controls.action),
      field("From (UTC)", controls.from),
      field("To (UTC)", controls.to),
      clear,
    ),
    users,
    h("div", { class: "toolbar" }, live, h("span", { class: "grow" }), summary),
    alert,
    h(
      "table",
      { class: "history", "aria-label": "Events, newest first" },
      h("thead", null, h("tr", null, h("th", { class: "num" }, "Seq"), h("th", null, "Time (UTC)"), h("th", null, "User"), h("th", null, "Item"), h("th", null, "Action"), h("th", null, "Payload"))),
      body,
    ),
    h("div", { class: "toolbar" }, older),
  );
  guard(
    signal,
    usernames(signal).then(async (known) => {
      names = known;
      users.replaceChildren(...[...known].map(([uuid, name]) => h("option", { value: uuid }, name)));
      filter = makeFilter();
      await feed.start();
    }),
    (error) => showMessage(alert, error.message),
  );
}

/** A datetime-local value read as UTC, in ms as a BigInt; null when empty. */
function utcMs(value) {
  if (!value) return null;
  const ms = Date.parse(`${value}Z`);
  return Number.isNaN(ms) ? null : BigInt(ms);
}
