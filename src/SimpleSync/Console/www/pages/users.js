// Users: the list (GET /admin/users), a create form (POST /admin/users) and, per user, rename,
// reset password and grant or revoke admin (PUT /admin/users/{uuid}). Each field error of the
// API shows under the field it names; other errors (a taken name, the last admin) beside the form.
import { api, newUuid } from "../api.js";
import { clearErrors, field, guard, h, messageBox, setFieldError, showApiError, showMessage } from "../dom.js";
import { isoTime } from "../format.js";

export function mount(root, { signal }) {
  const status = messageBox("status");
  const tableAlert = messageBox("alert");
  const body = h("tbody");
  const table = h(
    "table",
    { class: "users", "aria-label": "Users" },
    h("thead", null, h("tr", null, h("th", null, "Username"), h("th", null, "UUID"), h("th", null, "Admin"), h("th", null, "Created"), h("th", null, "Actions"))),
    body,
  );

  async function load() {
    const users = await api("GET", "/admin/users", { signal });
    body.replaceChildren(...users.map((user) => row(user)));
  }
  const reload = () => guard(signal, load(), (error) => showMessage(tableAlert, error.message));

  function done(text) {
    showMessage(tableAlert, null);
    showMessage(status, text);
    status.classList.add("ok");
    reload();
  }

  function row(user) {
    const tr = h(
      "tr",
      { "data-uuid": user.uuid },
      h("td", null, user.username),
      h("td", { class: "mono wrap" }, user.uuid),
      h("td", null, user.admin ? h("span", { class: "badge" }, "admin") : h("span", { class: "muted" }, "—")),
      h("td", null, isoTime(user.createdAt)),
      h(
        "td",
        { class: "actions" },
        h("button", { type: "button", "aria-label": `Rename ${user.username}`, onclick: () => openEditor(tr, user, "rename") }, "Rename"),
        h("button", { type: "button", "aria-label": `Reset the password of ${user.username}`, onclick: () => openEditor(tr, user, "password") }, "Reset password"),
        h(
          "button",
          { type: "button", "aria-label": `${user.admin ? "Revoke admin from" : "Make admin"} ${user.username}`, onclick: () => setAdmin(user, !user.admin) },
          user.admin ? "Revoke admin" : "Make admin",
        ),
      ),
    );
    return tr;
  }

  async function setAdmin(user, admin) {
    try {
      await api("PUT", `/admin/users/${encodeURIComponent(user.uuid)}`, { body: { admin }, signal });
      done(admin ? `${user.username} is now an admin.` : `${user.username} is no longer an admin.`);
    } catch (error) {
      if (!signal.aborted) showMessage(tableAlert, error.message);
    }
  }

  /** An editor row under the user's row: a new username or a new password. */
  function openEditor(tr, user, kind) {
    tr.parentElement.querySelector("tr.editor")?.remove();
    const rename = kind === "rename";
    const input = h("input", rename ? { value: user.username, autocomplete: "off" } : { type: "password", autocomplete: "new-password" });
    const key = rename ? "new_username" : "new_password";
    const alert = messageBox("alert");
    const save = h("button", { type: "submit", class: "primary" }, rename ? "Rename" : "Set password");
    const cancel = h("button", { type: "button", onclick: () => editor.remove() }, "Cancel");
    const form = h(
      "form",
      { class: "form-row", novalidate: true },
      field(rename ? `New username for ${user.username}` : `New password for ${user.username}`, input),
      h("div", { class: "actions" }, save, cancel),
    );
    const editor = h("tr", { class: "editor" }, h("td", { colspan: "5" }, form, alert));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      clearErrors({ [key]: input }, alert);
      save.disabled = true;
      try {
        await api("PUT", `/admin/users/${encodeURIComponent(user.uuid)}`, { body: { [key]: input.value }, signal });
        editor.remove();
        done(rename ? `Renamed ${user.username} to ${input.value}.` : `Set a new password for ${user.username}; their sign-ins are revoked.`);
      } catch (error) {
        if (!signal.aborted) showApiError(error, { [key]: input }, alert);
      } finally {
        save.disabled = false;
      }
    });
    tr.after(editor);
    input.focus();
  }

  const started = () => showMessage(status, null);
  root.append(h("h1", { tabindex: "-1" }, "Users"), createForm(signal, started, done), status, tableAlert, table);
  reload();
}

/** The new-user form; `started()` when it is sent, `done(message)` when the user exists. */
function createForm(signal, started, done) {
  const controls = {
    uuid: h("input", { name: "uuid", value: newUuid(), autocomplete: "off", class: "mono", size: "38" }),
    username: h("input", { name: "username", autocomplete: "off" }),
    password: h("input", { name: "password", type: "password", autocomplete: "new-password" }),
  };
  const alert = messageBox("alert");
  const submit = h("button", { type: "submit", class: "primary" }, "Create user");
  const form = h(
    "form",
    { class: "panel", novalidate: true, "aria-labelledby": "create-user-title" },
    h("h2", { id: "create-user-title" }, "New user"),
    h("div", { class: "form-row" }, field("UUID", controls.uuid), field("Username", controls.username), field("Password", controls.password), h("div", { class: "actions" }, submit)),
    alert,
  );
  for (const control of Object.values(controls)) control.addEventListener("input", () => setFieldError(control, null), { signal });
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(controls, alert);
    started();
    submit.disabled = true;
    const user = { uuid: controls.uuid.value, username: controls.username.value, password: controls.password.value };
    try {
      await api("POST", "/admin/users", { body: user, signal });
      controls.uuid.value = newUuid();
      controls.username.value = "";
      controls.password.value = "";
      done(`Created ${user.username}.`);
    } catch (error) {
      if (!signal.aborted) showApiError(error, controls, alert);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}
