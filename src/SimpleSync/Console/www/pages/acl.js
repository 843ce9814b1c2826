// ACL editor: the rules as an ordered table (add, remove, move, edit), saved whole by one
// PUT /acl; the API's errors ("rules[2].item", "rules[1]") shown at that rule and field. Below it,
// the ACL's history (GET /acl/history), newest first, with what each version changed.
import { diffAcl } from "../acl-diff.js";
import { api, usernames } from "../api.js";
import { cellControl, guard, h, messageBox, setFieldError, showMessage } from "../dom.js";
import { isoTime, ruleText } from "../format.js";

const fields = ["user", "item", "action", "allow"];

export function mount(root, { signal }) {
  /** The rules being edited, each {user, item, action, allow, errors: {field|"rule": [messages]}}. */
  let rules = [];
  const body = h("tbody");
  const alert = messageBox("alert");
  const status = messageBox("status");
  const dirtyMark = h("span", { class: "dirty", hidden: true }, "Unsaved changes");
  const save = h("button", { type: "button", class: "primary" }, "Save");
  const add = h("button", { type: "button" }, "Add rule");
  const revert = h("button", { type: "button" }, "Discard changes");
  const users = h("datalist", { id: "acl-users" });
  const versions = h("div", { class: "versions" });

  function markDirty() {
    dirtyMark.hidden = false;
    showMessage(status, null);
  }

  function render(focus) {
    body.replaceChildren(...rules.flatMap((rule, index) => ruleRows(rule, index)));
    if (rules.length === 0) body.append(h("tr", null, h("td", { colspan: "6", class: "muted" }, "No rules: every push is denied.")));
    if (focus) body.querySelector(focus)?.focus();
  }

  function ruleRows(rule, index) {
    const control = (name, element) => {
      const [input, error] = cellControl(element, `${label(name)} of rule ${index}`);
      input.dataset.field = name;
      input.addEventListener("input", () => {
        rule[name] = name === "allow" ? input.value === "allow" : input.value;
        delete rule.errors[name];
        setFieldError(input, null);
        markDirty();
      });
      setFieldError(input, rule.errors[name]);
      return [input, error];
    };
    const text = (name) => control(name, h("input", { value: rule[name], autocomplete: "off", spellcheck: "false", list: name === "user" ? "acl-users" : null }));
    const effect = control("allow", h("select", null, h("option", { value: "allow", selected: rule.allow }, "allow"), h("option", { value: "deny", selected: !rule.allow }, "deny")));
    const move = (to) => () => {
      rules.splice(to, 0, ...rules.splice(index, 1));
      markDirty();
      render(`[data-rule="${to}"] button[data-move="${to < index ? "up" : "down"}"]`);
    };
    const row = h(
      "tr",
      { "data-rule": String(index) },
      h("td", null, String(index)),
      h("td", null, text("user")),
      h("td", null, text("item")),
      h("td", null, text("action")),
      h("td", { class: "effect" }, effect),
      h(
        "td",
        { class: "actions" },
        h("button", { type: "button", "data-move": "up", "aria-label": `Move rule ${index} up`, disabled: index === 0, onclick: move(index - 1) }, "↑"),
        h("button", { type: "button", "data-move": "down", "aria-label": `Move rule ${index} down`, disabled: index === rules.length - 1, onclick: move(index + 1) }, "↓"),
        h(
          "button",
          {
            type: "button",
            "aria-label": `Remove rule ${index}`,
            onclick: () => {
              rules.splice(index, 1);
              markDirty();
              render(`[data-rule="${Math.min(index, rules.length - 1)}"] input`);
            },
          },
          "Remove",
        ),
      ),
    );
    const rowErrors = rule.errors.rule;
    if (!rowErrors) return [row];
    return [row, h("tr", { class: "rule-error" }, h("td", { colspan: "6" }, h("p", { class: "field-error", role: "alert" }, `Rule ${index}: ${rowErrors.join(" ")}`)))];
  }

  async function load() {
    const [acl, names] = await Promise.all([api("GET", "/acl", { signal }), usernames(signal)]);
    rules = acl.rules.map((rule) => ({ ...rule, errors: {} }));
    dirtyMark.hidden = true;
    users.replaceChildren(h("option", { value: "*" }, "every user"), ...[...names].map(([uuid, name]) => h("option", { value: uuid }, name)));
    render();
    await loadHistory();
  }

  async function loadHistory() {
    const history = await api("GET", "/acl/history", { signal });
    versions.replaceChildren(...history.map((version, k) => versionView(version, history[k - 1])).reverse());
    if (history.length === 0) versions.append(h("p", { class: "muted" }, "The ACL has never been changed."));
    return history;
  }

  async function saveAcl() {
    showMessage(alert, null);
    for (const rule of rules) rule.errors = {};
    try {
      await api("PUT", "/acl", { body: { rules: rules.map(({ user, item, action, allow }) => ({ user, item, action, allow })) }, signal });
        dirtyMark.hidden = true;
      render();
      const history = await loadHistory();
      showMessage(status, `Saved as version ${history.at(-1)?.version ?? "?"}.`);
    } catch (error) {
      if (signal.aborted) return;
      const unplaced = placeErrors(rules, error.errors ?? {});
      render();
      const placed = Object.keys(error.errors ?? {}).length - unplaced.length;
      showMessage(alert, [placed > 0 ? `Not saved: ${placed} problem${placed === 1 ? "" : "s"} marked at the rules below.` : error.message, ...unplaced].join(" "));
      body.querySelector('[aria-invalid="true"]')?.focus();
    }
  }

  save.addEventListener("click", () => {
    save.disabled = true;
    saveAcl().finally(() => (save.disabled = false));
  });
  add.addEventListener("click", () => {
    rules.push({ user: "*", item: "", action: "*", allow: true, errors: {} });
    markDirty();
    render(`[data-rule="${rules.length - 1}"] input[data-field="item"]`);
  });
  revert.addEventListener("click", () => guard(signal, load().then(() => showMessage(status, "Changes discarded.")), (e) => showMessage(alert, e.message)));

  root.append(
    h("h1", { tabindex: "-1" }, "ACL"),
    h("p", { class: "muted" }, "Rules are checked in order, from rule 0; the first that matches the user, item and action decides, and no match denies. Item patterns may end in *."),
    h("div", { class: "toolbar" }, add, save, revert, dirtyMark),
    alert,
    status,
    h(
      "table",
      { class: "acl", "aria-label": "Rules" },
      h("thead", null, h("tr", null, h("th", null, "#"), h("th", null, "User"), h("th", null, "Item"), h("th", null, "Action"), h("th", null, "Effect"), h("th", null, "Order"))),
      body,
    ),
    users,
    h("h2", null, "History"),
    versions,
  );
  guard(signal, load(), (error) => showMessage(alert, error.message));
}

function label(name) {
  return name === "allow" ? "Effect" : name[0].toUpperCase() + name.slice(1);
}

/** Puts each "rules[i].field" and "rules[i]" error on its rule; returns the texts of the others. */
function placeErrors(rules, errors) {
  const unplaced = [];
  for (const [path, messages] of Object.entries(errors)) {
    const match = /^rules\[(\d+)\](?:\.(\w+))?$/.exec(path);
    const rule = match ? rules[Number(match[1])] : undefined;
    const name = match?.[2] ?? "rule";
    if (rule && (name === "rule" || fields.includes(name))) rule.errors[name] = [].concat(messages);
    else unplaced.push(`${path}: ${[].concat(messages).join(" ")}`);
  }
  return unplaced;
}

/** One version of the ACL: when and by whom, what changed from the one before, and its rules. */
function versionView(version, previous) {
  const changes = diffAcl(previous?.rules ?? [], version.rules);
  return h(
    "article",
    { class: "panel version", "data-version": String(version.version) },
    h("h3", null, `Version ${version.version}`, h("span", { class: "muted" }, ` · ${isoTime(version.changedAt)} · by ${version.changedBy}`)),
    changes.length === 0
      ? h("p", { class: "muted" }, "No change in the rules.")
      : h("ul", { class: "diff", "aria-label": `Changes in version ${version.version}` }, ...changes.map(changeView)),
    h(
      "details",
      null,
      h("summary", null, `Rules of version ${version.version} (${version.rules.length})`),
      h("ol", { start: "0", class: "mono" }, ...version.rules.map((rule) => h("li", null, ruleText(rule)))),
    ),
  );
}

function changeView(change) {
  switch (change.kind) {
    case "added":
      return h("li", { class: "added" }, `+ rule ${change.at} added: ${ruleText(change.rule)}`);
    case "removed":
      return h("li", { class: "removed" }, `− rule ${change.at} removed: ${ruleText(change.rule)}`);
    case "moved":
      return h("li", { class: "changed" }, `↕ rule ${change.was} moved to ${change.at}: ${ruleText(change.rule)}`);
    default: {
      const what = change.fields.map((f) => (f === "allow" ? `${allowText(change.before.allow)} → ${allowText(change.after.allow)}` : `${f} ${change.before[f]} → ${change.after[f]}`));
      const where = change.was === change.at ? `rule ${change.at}` : `rule ${change.was} (now ${change.at})`;
      return h("li", { class: "changed" }, `~ ${where} changed: ${what.join(", ")}`);
    }
  }
}

const allowText = (allow) => (allow ? "allow" : "deny");
