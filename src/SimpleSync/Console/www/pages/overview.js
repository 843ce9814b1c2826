// Overview: the server at a glance (GET /admin/overview), read every two seconds; events per
// second come from the change of the head between two reads.
import { api } from "../api.js";
import { every, guard, h, messageBox, showMessage } from "../dom.js";
import { ago, count, isoTime } from "../format.js";

const refreshMs = 2000;

export function mount(root, { signal }) {
  let last = null; // {epoch, head, at}: the previous read, for the rate
  let rate = null;
  let running = null;
  const cards = h("div", { class: "cards" });
  const reasons = h("div");
  const alert = messageBox("alert");

  async function load() {
    const o = await api("GET", "/admin/overview", { signal });
    const at = performance.now();
    if (last && last.epoch === o.epoch && at > last.at) rate = Math.max(0, o.head - last.head) / ((at - last.at) / 1000);
    else if (last) rate = null;
    last = { epoch: o.epoch, head: o.head, at };
    cards.replaceChildren(
      card("Events per second", rate === null ? "measuring…" : rate.toFixed(1), "from the head's change between two reads"),
      card("Head", count(o.head), "the highest seq: events stored"),
      card("Open streams", count(o.streamsOpen), "live streams on this server"),
      card("Devices", count(o.devices.known), `${count(o.devices.active)} active in the last 24 h · ${count(o.devices.behind)} behind`),
      card("Version", o.version, `storage: ${o.storage}`),
      card("Started", ago(o.startedAt), isoTime(o.startedAt)),
      card("Epoch", o.epoch, "the store's id; a new one after a restore", "mono"),
    );
    const byReason = Object.entries(o.rejectionsByReason ?? {}).sort((a, b) => b[1] - a[1]);
    reasons.replaceChildren(
      h(
        "table",
        { class: "narrow-table", "aria-label": "Refused events by reason" },
        h("thead", null, h("tr", null, h("th", null, "Reason"), h("th", { class: "num" }, "Events"))),
        h(
          "tbody",
          null,
          byReason.length === 0
            ? h("tr", null, h("td", { colspan: "2", class: "muted" }, "None since the server started."))
            : byReason.map(([reason, n]) => h("tr", null, h("td", null, h("span", { class: "badge deny" }, reason)), h("td", { class: "num" }, count(n)))),
        ),
      ),
    );
    showMessage(alert, null);
  }

  function reload() {
    running ??= guard(signal, load(), (error) => showMessage(alert, error.message)).finally(() => (running = null));
  }

  every(refreshMs, signal, reload);
  root.append(h("h1", { tabindex: "-1" }, "Overview"), alert, cards, h("h2", null, "Refused events by reason, since the server started"), reasons);
  reload();
}

function card(title, value, note, valueClass = null) {
  return h(
    "section",
    { class: "card", "aria-label": title },
    h("h2", null, title),
    h("p", { class: `value ${valueClass ?? ""}`.trim() }, value),
    note ? h("p", { class: "muted small" }, note) : null,
  );
}
