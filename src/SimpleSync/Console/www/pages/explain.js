// Explain: which rule decides a push of (user, item, action), asked of the server's own
// evaluator (GET /acl/explain), shown against the rules of the ACL version it used.
import { api, usernames } from "../api.js";
import { clearErrors, field, guard, h, messageBox, showApiError } from "../dom.js";
import { ruleText } from "../format.js";
import { aclRules } from "../rejections.js";

const names = ["user", "item", "action"];

export function mount(root, { signal, params }) {
  const controls = {
    user: h("input", { name: "user", autocomplete: "off", spellcheck: "false", list: "explain-users", value: params.get("user") ?? "" }),
    item: h("input", { name: "item", autocomplete: "off", spellcheck: "false", value: params.get("item") ?? "" }),
    action: h("input", { name: "action", autocomplete: "off", spellcheck: "false", value: params.get("action") ?? "" }),
  };
  const users = h("datalist", { id: "explain-users" });
  const alert = messageBox("alert");
  const submit = h("button", { type: "submit", class: "primary" }, "Explain");
  const result = h("section", { class: "result", "aria-live": "polite", "aria-label": "Decision" });
  const form = h(
    "form",
    { class: "panel", novalidate: true },
    h("div", { class: "form-row" }, field("User uuid", controls.user), field("Item", controls.item), field("Action", controls.action), h("div", { class: "actions" }, submit)),
    alert,
  );

  async function explain() {
    clearErrors(controls, alert);
    result.replaceChildren();
    const query = new URLSearchParams(names.map((n) => [n, controls[n].value]));
    // The page's address says what was asked, so it can be shared or reloaded.
    history.replaceState(null, "", `#/explain?${query}`);
    submit.disabled = true;
    try {
      const answer = await api("GET", `/acl/explain?${query}`, { signal });
      const acl = await aclRules(answer.aclVersion, signal);
      result.replaceChildren(...decisionView(answer, acl));
    } catch (error) {
      if (!signal.aborted) showApiError(error, controls, alert);
    } finally {
      submit.disabled = false;
    }
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    explain();
  });
  root.append(
    h("h1", { tabindex: "-1" }, "Explain"),
    h("p", { class: "muted" }, "Which rule decides whether the server accepts a push of this user, item and action, and why."),
    form,
    users,
    result,
  );
  guard(
    signal,
    usernames(signal).then((known) => users.replaceChildren(...[...known].map(([uuid, name]) => h("option", { value: uuid }, name)))),
    () => {},
  );
  if (names.every((n) => params.get(n))) explain();
}

function decisionView(answer, rules) {
  const verdict = answer.allow ? "allow" : "deny";
  const parts = [
    h("p", { class: `verdict ${verdict}` }, answer.allow ? "Allowed" : "Denied"),
    h("p", { class: "reason" }, answer.reason),
    h("p", { class: "muted" }, `ACL version ${answer.aclVersion}.`),
  ];
  if (answer.rule === null) parts.push(h("p", null, "No rule matches: the default denies."));
  if (rules === null) {
    parts.push(h("p", { class: "muted" }, "The ACL changed since this answer; only the deciding rule is shown."));
    if (answer.matched) parts.push(h("p", { class: "mono" }, `Rule ${answer.rule}: ${ruleText(answer.matched)}`));
    return parts;
  }
  const skipped = new Map(answer.skipped.map((s) => [s.rule, new Set(s.failed)]));
  const cell = (rule, index, name) => {
    const failed = skipped.get(index)?.has(name);
    return h("td", { class: "mono" }, h("span", { class: failed ? "miss" : null }, rule[name]), failed ? h("span", { class: "badge deny" }, " no match") : null);
  };
  const rows = rules.map((rule, index) => {
    const decides = index === answer.rule;
    const outcome = decides
      ? h("span", { class: `badge ${verdict}` }, `decides: ${verdict}`)
      : skipped.has(index)
        ? `skipped: ${[...skipped.get(index)].join(", ")} ${skipped.get(index).size === 1 ? "does" : "do"} not match`
        : "not reached";
    return h(
      "tr",
      { class: decides ? "decides" : skipped.has(index) ? "skipped" : "unreached", "data-rule": String(index), "aria-current": decides ? "true" : null },
      h("td", null, String(index)),
      cell(rule, index, "user"),
      cell(rule, index, "item"),
      cell(rule, index, "action"),
      h("td", null, h("span", { class: `badge ${rule.allow ? "allow" : "deny"}` }, rule.allow ? "allow" : "deny")),
      h("td", null, outcome),
    );
  });
  parts.push(
    h(
      "table",
      { "aria-label": "Rules checked" },
      h("thead", null, h("tr", null, h("th", null, "#"), h("th", null, "User"), h("th", null, "Item"), h("th", null, "Action"), h("th", null, "Effect"), h("th", null, "Outcome"))),
      h("tbody", null, rows.length > 0 ? rows : h("tr", null, h("td", { colspan: "6", class: "muted" }, "The ACL has no rules."))),
    ),
  );
  return parts;
}
