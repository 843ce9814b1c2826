// A to-do list on the SimpleSync TypeScript SDK. Every change is an event on an item:
//   create {text, done: false}   update {text} or {done}   delete {deleted: true}
// and the list is the SDK's jsonMerge of each item's payloads in history order (the same
// model as samples/TodoCli, so both can share a server). User text is only ever set with
// textContent.
import { SyncClient, IndexedDbStore, SyncError } from "simplesync";

const $ = (testid, root = document) => root.querySelector(`[data-testid="${testid}"]`);

const config = await (await fetch("/config.json")).json();
registerServiceWorker();

// One store per user name, so that what a user recorded offline waits for that user: pushed
// under someone else's login it would be refused (user_mismatch) and lost. localStorage names
// the user of this browser; every tab follows it (see "storage" below).
const SESSION_KEY = "web-demo:user";
let session = null; // {username, store, client} of the current user
let client = null; // session.client

async function openSession(username) {
  const store = await IndexedDbStore.open(`web-demo:${username}`);
  try {
    const c = await SyncClient.open({ server: config.server, store, allowInsecureHttp: config.allowInsecureHttp, appName: "web-demo" });
    c.onChange(onClientChange);
    session = { username, store, client: c };
    client = c;
  } catch (error) {
    store.close();
    throw error; // a server address the SDK refuses (plain http:// to another machine)
  }
}

function closeSession() {
  stopWatching();
  session?.client.close();
  session?.store.close();
  session = client = null;
}

let watcher = null; // the live stream while logged in and online
let editing = null; // the item whose text is being edited: the list is not rebuilt meanwhile
let lastResult = "";
let duplicatesSeen = 0; // over every sync of this page: pushing an event twice would show here

// --- syncing --------------------------------------------------------------------------

/**
 * Runs `task` one at a time: a call while it runs shares that run, and asks for one more run
 * after it, so that whatever changed meanwhile is seen too.
 */
function oneAtATime(task) {
  let running = null;
  let again = false;
  return function run() {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await task();
      } while (again);
    })().finally(() => {
      running = null;
    });
    return running;
  };
}

// One sync at a time in this tab; a request during a sync runs one more after it, so an edit
// made while a sync is in flight is pushed too. Failures are not thrown: status().lastError
// holds them, and the edits stay pending until the next sync. Automatic syncs wait for the
// browser to be online; the Sync button always tries (navigator.onLine can be wrong).
function requestSync({ evenOffline = false } = {}) {
  if (!client?.loggedIn || (!navigator.onLine && !evenOffline)) return Promise.resolve();
  return syncInTurn();
}

const syncInTurn = oneAtATime(async () => {
  const c = client; // the user logged in now, who may not be the one who asked
  if (!c?.loggedIn) return;
  try {
    const r = await c.sync();
    lastResult =
      `last sync: ${r.accepted.length} accepted, ${r.duplicates.length} duplicate, ${r.rejected.length} refused, ` +
      `${r.pulled} pulled` + (r.epochChanged ? " (the server was restored: re-synced)" : "");
    duplicatesSeen += r.duplicates.length;
  } catch (e) {
    if (!(e instanceof SyncError)) throw e;
  } finally {
    render();
  }
});

function startWatching() {
  if (watcher || !client?.loggedIn || !navigator.onLine) return;
  watcher = { stop() {} }; // watch() may notify onChange, which calls this again, before it returns
  const w = client.watch();
  watcher = w;
  w.done
    .catch(() => {}) // the reason is in status().lastError
    .finally(() => {
      if (watcher === w) watcher = null;
      renderStatus();
    });
  renderStatus();
}

function stopWatching() {
  watcher?.stop();
  watcher = null;
}

// --- recording changes ------------------------------------------------------------------

async function change(itemUuid, action, fields) {
  await client.record(itemUuid, action, JSON.stringify(fields));
  render();
  requestSync();
}

function newItemUuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  // crypto.randomUUID exists only in secure contexts (https, localhost); a v4 uuid by hand.
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// --- rendering --------------------------------------------------------------------------

// Renders are asynchronous (the store is IndexedDB); a render requested while one runs
// happens once after it, so the screen never shows an older state than the store.
const render = oneAtATime(renderOnce);

async function renderOnce() {
  const c = client;
  const loggedIn = c?.loggedIn ?? false;
  document.getElementById("login").hidden = loggedIn;
  document.getElementById("todos").hidden = !loggedIn;
  document.getElementById("account").hidden = !loggedIn;
  $("username").textContent = c?.username ?? "";
  // A 401 during a sync or a live stream logs out (keeping the pending edits): say so.
  if (c && !loggedIn && c.status().lastError?.code === "login_required" && !$("login-error").textContent) {
    $("login-username").value = session.username;
    $("login-error").textContent = "The server ended this session: log in again. Your unsynced changes are kept.";
  }
  renderStatus();
  if (!loggedIn) return;

  const [items, pending, rejected] = await Promise.all([c.items(), c.pending(), c.rejected()]);
  if (c !== client) return; // logged out meanwhile
  const todos = [...items].filter(([, s]) => s && typeof s === "object" && !s.deleted && typeof s.text === "string");
  if (editing === null) renderTodos(todos, new Set(pending.map((e) => e.itemUuid)));
  renderRejected(rejected, items);
}

function renderTodos(todos, pendingItems) {
  const list = document.getElementById("list");
  const template = document.getElementById("todo-template");
  list.replaceChildren(
    ...todos.map(([itemUuid, todo]) => {
      const li = template.content.firstElementChild.cloneNode(true);
      li.dataset.item = itemUuid;
      li.classList.toggle("done", todo.done === true);
      const done = $("todo-done", li);
      done.checked = todo.done === true;
      done.addEventListener("change", () => change(itemUuid, "update", { done: done.checked }));
      $("todo-text", li).textContent = todo.text;
      $("todo-pending", li).hidden = !pendingItems.has(itemUuid);
      $("todo-rename", li).addEventListener("click", () => beginRename(li, itemUuid, todo.text));
      $("todo-delete", li).addEventListener("click", () => change(itemUuid, "delete", { deleted: true }));
      return li;
    }),
  );
  $("empty").hidden = todos.length > 0;
}

function beginRename(li, itemUuid, text) {
  editing = itemUuid;
  const input = document.createElement("input");
  input.dataset.testid = "todo-rename-input";
  input.value = text;
  input.maxLength = 500;
  let finished = false;
  const finish = async (save) => {
    if (finished) return;
    finished = true;
    editing = null;
    const next = input.value.trim();
    if (save && next && next !== text) await change(itemUuid, "update", { text: next });
    else render();
  };
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter") finish(true);
    if (e.key === "Escape") finish(false);
  });
  input.addEventListener("blur", () => finish(true));
  $("todo-text", li).replaceWith(input);
  input.focus();
  input.select();
}

function renderRejected(rejections, items) {
  const template = document.getElementById("rejected-template");
  document.getElementById("rejections").hidden = rejections.length === 0;
  document.getElementById("rejected").replaceChildren(
    ...rejections.map(({ event, reason, detail }) => {
      const li = template.content.firstElementChild.cloneNode(true);
      li.dataset.event = event.uuid;
      $("rejected-reason", li).textContent = reason;
      const text = items.get(event.itemUuid)?.text ?? textOf(event.payload) ?? event.itemUuid;
      $("rejected-what", li).textContent = `${event.action} of “${text}”`;
      $("rejected-detail", li).textContent = detail ?? "";
      $("rejected-dismiss", li).addEventListener("click", async () => {
        await client.dismissRejected(event.uuid);
        render();
      });
      return li;
    }),
  );
}

function textOf(payload) {
  try {
    return JSON.parse(payload)?.text;
  } catch {
    return undefined;
  }
}

const loggedOut = { pendingCount: 0, oldestPendingAgeMs: null, lastSync: null, lastError: null, syncing: false, watching: false };

function renderStatus() {
  const s = client?.status() ?? loggedOut;
  const online = navigator.onLine;
  setStatus("status-network", online ? "online" : "offline", online ? "online" : "offline");
  setStatus("status-live", s.watching ? "live" : "not live", s.watching ? "watching" : "idle");
  const age = s.oldestPendingAgeMs == null ? "" : `, oldest ${Math.round(s.oldestPendingAgeMs / 1000)} s`;
  setStatus("status-pending", `${s.pendingCount} pending${age}`, String(s.pendingCount));
  $("status-pending").dataset.count = String(s.pendingCount);
  setStatus(
    "status-last-sync",
    s.syncing ? "syncing…" : s.lastSync ? `synced ${s.lastSync.toLocaleTimeString()}` : "never synced",
    s.syncing ? "syncing" : s.lastSync ? "synced" : "never",
  );
  $("status-last-result").textContent = lastResult;
  $("status-last-result").dataset.duplicatesSeen = String(duplicatesSeen);
  const error = s.lastError;
  setStatus("status-error", error ? `${error.code}: ${error.message}` : "", error ? error.code : "");
}

function setStatus(testid, text, state) {
  const el = $(testid);
  el.textContent = text;
  el.dataset.state = state;
}

// --- offline support ----------------------------------------------------------------------

// The service worker keeps a copy of the app (and the SDK) so that a reload works offline;
// the data itself is in IndexedDB. <html data-offline-ready> says the copy is complete.
function registerServiceWorker() {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register("/sw.js").catch((e) => console.warn("no offline copy of the app:", e));
  navigator.serviceWorker.ready.then(() => {
    document.documentElement.dataset.offlineReady = "true";
  });
}

// --- wiring -------------------------------------------------------------------------------

document.getElementById("login").addEventListener("submit", async (e) => {
  e.preventDefault();
  const form = e.currentTarget;
  const error = $("login-error");
  const username = form.username.value.trim();
  error.textContent = "";
  try {
    if (session?.username !== username) {
      closeSession();
      await openSession(username);
    }
    await client.login(username, form.password.value);
    form.reset();
  } catch (err) {
    error.textContent =
      err instanceof SyncError && err.code === "unauthenticated" ? "Wrong user name or password." : `${err.code ?? err.name}: ${err.message}`;
    return;
  }
  localStorage.setItem(SESSION_KEY, username);
  await render();
  requestSync();
  startWatching();
});

$("logout").addEventListener("click", async () => {
  stopWatching();
  lastResult = "";
  await client.logout();
  localStorage.removeItem(SESSION_KEY);
  closeSession();
  render();
});

$("sync").addEventListener("click", () => requestSync({ evenOffline: true }));

document.getElementById("add").addEventListener("submit", async (e) => {
  e.preventDefault();
  const input = e.currentTarget.text;
  const text = input.value.trim();
  if (!text) return;
  input.value = "";
  await change(newItemUuid(), "create", { text, done: false });
});

window.addEventListener("online", () => {
  requestSync();
  startWatching();
});
window.addEventListener("offline", () => {
  stopWatching();
  renderStatus();
});
window.addEventListener("pagehide", () => stopWatching());
window.addEventListener("pageshow", (e) => {
  if (e.persisted) startWatching(); // back from the back/forward cache
});
// Another tab logged in or out: start again as the user it names.
window.addEventListener("storage", (e) => {
  if (e.key === SESSION_KEY) location.reload();
});

function onClientChange(reason) {
  if (reason === "status") {
    renderStatus(); // syncing, watching, an error: nothing in the list changed
    return;
  }
  render();
  if (client?.loggedIn) startWatching();
  else stopWatching(); // the server refused the token (401)
}
setInterval(renderStatus, 1000); // keeps "oldest … s" current

const savedUser = localStorage.getItem(SESSION_KEY);
if (savedUser !== null) await openSession(savedUser);
await render();
if (client?.loggedIn) {
  requestSync();
  startWatching();
}
document.documentElement.dataset.ready = "true";
