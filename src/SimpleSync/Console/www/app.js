// The console's shell: sign-in or the page named by the hash (#/users, #/acl?…), the navigation
// and the sign-out button. Each page is a module with mount(root, {signal, params}); the signal
// aborts when the page is left, which cancels its requests, streams and timers.
import { onSessionEnded, session } from "./api.js";
import * as acl from "./pages/acl.js";
import * as devices from "./pages/devices.js";
import * as explain from "./pages/explain.js";
import * as historyPage from "./pages/history.js";
import * as overview from "./pages/overview.js";
import * as signin from "./pages/signin.js";
import * as users from "./pages/users.js";

const pages = {
  overview: { title: "Overview", mount: overview.mount },
  users: { title: "Users", mount: users.mount },
  acl: { title: "ACL", mount: acl.mount },
  explain: { title: "Explain", mount: explain.mount },
  history: { title: "History", mount: historyPage.mount },
  devices: { title: "Devices", mount: devices.mount },
};
const firstPage = "overview";

const main = document.getElementById("main");
const nav = document.getElementById("nav");
const account = document.getElementById("account");
let leave = new AbortController();
let signInMessage = null;

function route() {
  const match = /^#\/([a-z-]+)(?:\?(.*))?$/.exec(location.hash);
  return { name: match?.[1] ?? "", params: new URLSearchParams(match?.[2] ?? "") };
}

/** Shows what the hash and the session say, leaving the page shown before. */
function show({ focus = false } = {}) {
  leave.abort();
  leave = new AbortController();
  main.replaceChildren();
  if (!session.token) {
    nav.hidden = true;
    account.hidden = true;
    document.title = "Sign in · SimpleSync console";
    signin.mount(main, { signal: leave.signal, message: signInMessage, done: () => show({ focus: true }) });
    signInMessage = null;
    return;
  }
  const { name, params } = route();
  const page = pages[name];
  if (!page) {
    location.replace(`#/${firstPage}`); // a hashchange follows
    return;
  }
  nav.hidden = false;
  account.hidden = false;
  document.getElementById("who").textContent = session.username ?? "";
  for (const link of nav.querySelectorAll("a")) {
    if (link.getAttribute("href") === `#/${name}`) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  document.title = `${page.title} · SimpleSync console`;
  page.mount(main, { signal: leave.signal, params });
  // Keyboard and screen-reader users land on the new page's heading.
  if (focus) main.querySelector("h1")?.focus();
}

window.addEventListener("hashchange", () => show({ focus: true }));
document.getElementById("sign-out").addEventListener("click", () => {
  session.clear();
  signInMessage = "Signed out.";
  show({ focus: true });
});
onSessionEnded((message) => {
  signInMessage = message;
  show({ focus: true });
});
show();
