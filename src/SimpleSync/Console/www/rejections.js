// A table of refused events (GET /admin/rejections), each with the ACL rule that decided it,
// shown from the current ACL when the rejection was decided by that version.
import { api } from "./api.js";
import { h } from "./dom.js";
import { ago, isoTime, ruleText } from "./format.js";

// ACL version → its rules. A version never changes once written, so each is read once per page
// load: GET /acl/history (every version) is asked again only for a version not seen yet.
const aclVersions = new Map();

/** Makes sure every version in `versions` is cached, if the server still has it. */
async function ensureVersions(versions, signal) {
  if (versions.every((v) => v === null || v === undefined || v === 0 || aclVersions.has(v))) return;
  const history = await api("GET", "/acl/history", { signal });
  for (const v of history) aclVersions.set(v.version, v.rules);
}

/** The rules of ACL version `version`, or null when the history no longer has it. */
export async function aclRules(version, signal) {
  if (version === 0) return [];
  await ensureVersions([version], signal);
  return aclVersions.get(version) ?? null;
}

/**
 * The newest ACL version known and its rules, to show the rule a rejection names when it is still
 * current. GET /acl carries no version, so "current" is the newest version the history has shown;
 * a rejection naming a newer one makes it read the history again.
 */
export class CurrentAcl {
  constructor() {
    this.version = null;
    this.rules = [];
  }

  /** Caches the versions `rejections` name, reading the history only when one is new. */
  async update(signal, rejections) {
    await ensureVersions(rejections.map((r) => r.aclVersion), signal);
    this.version = aclVersions.size > 0 ? Math.max(...aclVersions.keys()) : 0;
    this.rules = aclVersions.get(this.version) ?? [];
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
