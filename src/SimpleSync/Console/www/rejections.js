// A table of refused events (GET /admin/rejections), each with the ACL rule that decided it,
// shown from the current ACL when the rejection was decided by that version.
import { api } from "./api.js";
import { h } from "./dom.js";
import { ago, isoTime, ruleText } from "./format.js";

/** The current ACL version and its rules, to show the rule a rejection names when it is still current. */
export class CurrentAcl {
  constructor() {
    this.version = null;
    this.rules = [];
  }

  /** Read again on every refresh: GET /acl carries no version, and the history is short. */
  async update(signal) {
    const history = await api("GET", "/acl/history", { signal });
    const last = history.at(-1);
    this.version = last?.version ?? 0;
    this.rules = last?.rules ?? [];
  }
}

/** A table of `rejections`; `names` maps user uuids to usernames; `withDevice` adds their columns. */
export function rejectionsTable(rejections, acl, names, { label, withDevice = true }) {
  const head = ["When", ...(withDevice ? ["User", "Device"] : []), "Reason", "Event", "Rule"];
  return h(
    "table",
    { class: "rejections", "aria-label": label },
    h("thead", null, h("tr", null, head.map((t) => h("th", null, t)))),
    h(
      "tbody",
      null,
      rejections.length === 0
        ? h("tr", null, h("td", { colspan: String(head.length), class: "muted" }, "No refused events."))
        : rejections.map((r) =>
            h(
              "tr",
              { "data-event": r.eventUuid ?? "" },
              h("td", { title: isoTime(r.at) }, ago(r.at)),
              withDevice ? [h("td", { title: r.userUuid }, names.get(r.userUuid) ?? r.userUuid), h("td", { class: "mono", title: r.device ?? "" }, short(r.device))] : null,
              h("td", null, h("span", { class: "badge deny" }, r.reason), h("div", { class: "muted small" }, r.detail)),
              h("td", null, eventCell(r)),
              h("td", null, ruleCell(r, acl)),
            ),
          ),
    ),
  );
}

function eventCell(r) {
  if (r.itemUuid === null && r.action === null) return h("span", { class: "muted" }, "—");
  const explain = new URLSearchParams({ user: r.userUuid, item: r.itemUuid ?? "", action: r.action ?? "" });
  return [
    h("div", { class: "mono" }, `${r.itemUuid ?? "?"} · ${r.action ?? "?"}`),
    r.eventUuid ? h("div", { class: "mono muted small" }, r.eventUuid) : null,
    r.reason === "acl_denied" && r.itemUuid && r.action ? h("a", { href: `#/explain?${explain}`, class: "small" }, "Explain") : null,
  ];
}

function ruleCell(r, acl) {
  if (r.reason !== "acl_denied") return h("span", { class: "muted" }, "—");
  if (r.rule === null) return "No rule matched: the default denies.";
  if (r.aclVersion === acl.version && acl.rules[r.rule]) return h("span", { class: "mono" }, `rule ${r.rule}: ${ruleText(acl.rules[r.rule])}`);
  return `rule ${r.rule} of ACL version ${r.aclVersion ?? "?"}; the ACL has changed since (now version ${acl.version}).`;
}

/** A device id cut to its first 12 characters (the whole id is in the cell's title). */
export function short(device) {
  if (!device) return "—";
  return device.length > 12 ? `${device.slice(0, 12)}…` : device;
}
