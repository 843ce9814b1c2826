// Sync health: every device that synced (GET /admin/devices), how far its cursor is behind the
// head, its software and pushed counts; a device's refused events on demand, and the recent
// refused events of all devices (GET /admin/rejections). Refreshed every few seconds.
import { api, usernames } from "../api.js";
import { every, guard, h, messageBox, showMessage } from "../dom.js";
import { ago, count, isoTime } from "../format.js";
import { CurrentAcl, rejectionsTable, short } from "../rejections.js";

const refreshMs = 5000;

export function mount(root, { signal }) {
  const acl = new CurrentAcl();
  let names = new Map();
  let open = null; // the device whose rejections are shown: "user\ndevice"
  let running = null;
  const body = h("tbody");
  const recent = h("div");
  const head = h("span", { class: "muted" });
  const updated = h("span", { class: "muted", role: "status" });
  const alert = messageBox("alert");
  const auto = h("input", { type: "checkbox", id: "devices-auto", checked: true });
  const refresh = h("button", { type: "button" }, "Refresh");

  async function load() {
    const [devices, all, mine] = await Promise.all([
      api("GET", "/admin/devices", { signal }),
      api("GET", "/admin/rejections?limit=100", { signal }),
      open ? rejectionsOf(open) : [],
    ]);
    // After the rejections: the ACL versions they name say whether the history must be read.
    await acl.update(signal, [...all, ...mine]);
    if (names.size === 0 || devices.devices.some((d) => !names.has(d.userUuid))) names = await usernames(signal);
    const focused = document.activeElement?.dataset?.key;
    head.textContent = `Head: seq ${count(devices.head)}`;
    body.replaceChildren(...devices.devices.flatMap((d) => deviceRows(d, mine)));
    if (devices.devices.length === 0) body.append(h("tr", null, h("td", { colspan: "9", class: "muted" }, "No device has synced yet (devices name themselves with the Sync-Device header).")));
    recent.replaceChildren(rejectionsTable(all, acl, names, { label: "Recent refused events" }));
    if (focused) body.querySelector(`[data-key="${CSS.escape(focused)}"]`)?.focus();
    updated.textContent = `Updated ${new Date().toISOString().slice(11, 19)} UTC`;
    showMessage(alert, null);
  }

  function rejectionsOf(key) {
    const [user, device] = key.split("\n");
    return api("GET", `/admin/rejections?${new URLSearchParams({ user, device, limit: "100" })}`, { signal });
  }

  function deviceRows(d, mine) {
    const key = `${d.userUuid}\n${d.device}`;
    const name = names.get(d.userUuid);
    const isOpen = key === open;
    const toggle = h(
      "button",
      {
        type: "button",
        "data-key": key,
        "aria-expanded": String(isOpen),
        "aria-label": `Refused events of ${name ?? d.userUuid}'s device ${d.device}`,
        onclick: () => {
          open = isOpen ? null : key;
          reload();
        },
      },
      isOpen ? "Hide refused" : "Refused events",
    );
    const row = h(
      "tr",
      { class: d.lag > 0 ? "behind" : null, "data-device": d.device, "data-user": d.userUuid },
      h("td", null, h("span", null, name ?? d.userUuid), name ? h("div", { class: "mono muted small" }, d.userUuid) : null),
      h("td", { class: "mono", title: d.device }, short(d.device)),
      h("td", { class: "mono small" }, d.client ?? h("span", { class: "muted" }, "—")),
      h("td", { title: isoTime(d.lastSync) }, ago(d.lastSync)),
      h("td", { class: "num" }, count(d.cursor)),
      h("td", { class: "num lag" }, d.lag > 0 ? h("span", { class: "badge warn" }, `${count(d.lag)} behind`) : h("span", { class: "badge allow" }, "up to date")),
      h("td", { class: "num" }, count(d.accepted)),
      h("td", { class: "num" }, d.rejected > 0 ? h("span", { class: "badge deny" }, count(d.rejected)) : "0"),
      h("td", { class: "actions" }, toggle),
    );
    if (!isOpen) return [row];
    const label = `Refused events of device ${d.device}`;
    return [row, h("tr", { class: "detail" }, h("td", { colspan: "9" }, rejectionsTable(mine, acl, names, { label, withDevice: false })))];
  }

  /** One refresh at a time; a timer tick during one is skipped. */
  function reload() {
    running ??= guard(signal, load(), (error) => showMessage(alert, error.message)).finally(() => (running = null));
    return running;
  }

  refresh.addEventListener("click", reload);
  every(refreshMs, signal, () => auto.checked && reload());
  root.append(
    h("h1", { tabindex: "-1" }, "Devices"),
    h("p", { class: "muted" }, "Every device that synced, newest first: how far behind the head its cursor is, and what it pushed. Lag is the number of events it has not been sent yet."),
    h("div", { class: "toolbar" }, refresh, auto, h("label", { for: auto.id }, `Refresh every ${refreshMs / 1000} s`), h("span", { class: "grow" }), head, updated),
    alert,
    h(
      "table",
      { class: "devices", "aria-label": "Devices" },
      h(
        "thead",
        null,
        h(
          "tr",
          null,
          ["User", "Device", "Client", "Last sync", "Cursor", "Lag", "Accepted", "Refused", ""].map((t, k) => h("th", { class: k >= 4 && k <= 7 ? "num" : null }, t)),
        ),
      ),
      body,
    ),
    h("h2", null, "Recent refused events"),
    recent,
  );
  reload();
}
