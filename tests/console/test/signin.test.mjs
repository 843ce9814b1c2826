// Sign-in: only admins get in, the token stays in the tab's sessionStorage (never in the page or
// its address), and a token the server stops taking sends the console back to sign-in.
import assert from "node:assert/strict";
import { test } from "node:test";
import { consoleSuite, passwordOf, screenshot, signIn, signInAsAdmin } from "./harness.mjs";


const suite = consoleSuite(async (stack) => {
  await stack.server.newUser("alice");
});

const timeout = 120_000;
const token = (page) => page.evaluate(() => sessionStorage.getItem("simplesync-console.token"));

test("an admin signs in, moves between the pages by their links, and signs out", { timeout }, async () => {
  const page = await suite.stack.open();
  await page.getByRole("heading", { name: "Sign in" }).waitFor();
  await screenshot(page, "signin");

  await signInAsAdmin(page, suite.stack);
  await page.getByRole("heading", { name: "Overview", level: 1 }).waitFor();
  assert.match(page.url(), /#\/overview$/);
  for (const name of ["Users", "ACL", "Explain", "History", "Devices", "Overview"]) {
    await page.getByRole("link", { name, exact: true }).click();
    await page.getByRole("heading", { name, exact: true, level: 1 }).waitFor();
    assert.equal(await page.getByRole("link", { name, exact: true }).getAttribute("aria-current"), "page");
  }
  const kept = await token(page);
  assert.ok(kept?.startsWith("eyJ"), "the token is in sessionStorage");
  assert.ok(!(await page.content()).includes(kept), "the token is not in the page");
  assert.ok(!page.url().includes(kept), "the token is not in the address");

  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByRole("heading", { name: "Sign in" }).waitFor();
  await page.getByText("Signed out.").waitFor();
  assert.equal(await token(page), null);
});

test("a wrong password is refused with a message, and a second try gets in", { timeout }, async () => {
  const page = await suite.stack.open();
  await signIn(page, "admin", "not-the-password");
  await page.getByRole("alert").getByText("Wrong username or password.").waitFor();
  assert.equal(await token(page), null);
  await signInAsAdmin(page, suite.stack);
});

test("a user who is not an admin is refused at sign-in and no token is kept", { timeout }, async () => {
  const page = await suite.stack.open();
  await signIn(page, "alice", passwordOf("alice"));
  await page.getByRole("alert").getByText("This account is not an admin").waitFor();
  assert.equal(await token(page), null);
  assert.equal(await page.getByRole("navigation", { name: "Pages" }).isVisible(), false);
});

test("when the server stops taking the token, the console asks to sign in again", { timeout }, async () => {
  const uuid = await suite.stack.server.newUser("ops");
  assert.equal((await suite.stack.server.admin("PUT", `/admin/users/${uuid}`, { admin: true })).status, 204);
  const page = await suite.stack.open("#/acl");
  await signIn(page, "ops", passwordOf("ops"));
  await page.getByRole("heading", { name: "ACL", level: 1 }).waitFor();

  // A new password revokes every token issued before it.
  assert.equal((await suite.stack.server.admin("PUT", `/admin/users/${uuid}`, { new_password: "a-brand-new-password" })).status, 204);
  await page.getByRole("link", { name: "Users" }).click();
  await page.getByRole("heading", { name: "Sign in" }).waitFor();
  await page.getByText("Sign in again").waitFor();
  assert.equal(await token(page), null);

  await signIn(page, "ops", "a-brand-new-password");
  await page.getByRole("heading", { name: "Users", level: 1 }).waitFor();
});

test("the browser enforces the console's Content-Security-Policy: an injected inline script does not run", { timeout }, async () => {
  const page = await suite.stack.open("", { allowErrors: /Content Security Policy/ });
  await page.getByRole("heading", { name: "Sign in" }).waitFor();
  const ran = await page.evaluate(async () => {
    const violation = new Promise((resolve) => document.addEventListener("securitypolicyviolation", (e) => resolve(e.violatedDirective), { once: true }));
    const script = document.createElement("script");
    script.textContent = "window.injected = true";
    document.body.append(script);
    return { injected: window.injected === true, violated: await violation };
  });
  assert.deepEqual(ran, { injected: false, violated: "script-src-elem" });
});
