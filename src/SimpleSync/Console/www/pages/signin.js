// Sign-in: a token from POST /auth/token, kept only once GET /admin/users shows it is an admin's.
import { ApiError, request, session } from "../api.js";
import { field, h, messageBox, showMessage } from "../dom.js";

export function mount(root, { signal, message, done }) {
  const username = h("input", { id: "signin-username", name: "username", autocomplete: "username", required: true });
  const password = h("input", { id: "signin-password", name: "password", type: "password", autocomplete: "current-password", required: true });
  const submit = h("button", { type: "submit", class: "primary" }, "Sign in");
  const alert = messageBox("alert");
  const notice = messageBox("status");
  showMessage(notice, message);
  const form = h(
    "form",
    { class: "signin", novalidate: true },
    field("Username", username),
    field("Password", password),
    submit,
    alert,
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    showMessage(alert, null);
    showMessage(notice, null);
    if (!username.value || !password.value) {
      showMessage(alert, "Enter a username and a password.");
      return;
    }
    submit.disabled = true;
    try {
      const token = await signIn(username.value, password.value, signal);
      session.start(token, username.value);
      done();
    } catch (error) {
      if (signal.aborted) return;
      showMessage(alert, explain(error));
      password.select();
    } finally {
      submit.disabled = false;
    }
  });
  root.append(h("section", { class: "page narrow" }, h("h1", { tabindex: "-1" }, "Sign in"), h("p", { class: "muted" }, "with an admin account of this server."), notice, form));
  username.focus();
}

/** The token, once the server has shown that it is an admin's; throws otherwise. */
async function signIn(username, password, signal) {
  const response = await request("POST", "/auth/token", { body: { username, password }, token: null, signal });
  const { token } = await response.json();
  try {
    await request("GET", "/admin/users", { token, signal });
  } catch (error) {
    if (error instanceof ApiError && error.status === 403) {
      throw new ApiError(403, { detail: "This account is not an admin: the console is for admins only." });
    }
    throw error;
  }
  return token;
}

function explain(error) {
  if (!(error instanceof ApiError)) return String(error.message ?? error);
  switch (error.status) {
    case 401:
      return "Wrong username or password.";
    case 429:
      return `Too many failed sign-ins: try again in ${error.retryAfter ?? "a few"} seconds.`;
    case 503:
      return `The server is busy: try again in ${error.retryAfter ?? "a few"} seconds.`;
    default:
      return error.message;
  }
}
