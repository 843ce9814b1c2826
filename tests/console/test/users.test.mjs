// Users: create, rename, reset a password, grant and revoke admin, each error of the API shown
// at the field it names, or beside the form when it names none.
import assert from "node:assert/strict";
import { test } from "node:test";
import { consoleSuite, errorOf, screenshot, signInAsAdmin } from "./harness.mjs";


const suite = consoleSuite();

const timeout = 120_000;
const userRow = (page, name) => page.getByRole("row").filter({ has: page.getByRole("cell", { name, exact: true }) });

test("an admin creates a user, after a too-short password is shown at its field and a taken name beside the form", { timeout }, async () => {
  const page = await suite.stack.open("#/users");
  await signInAsAdmin(page, suite.stack);
  const form = page.getByRole("form", { name: "New user" });
  const uuid = await form.getByLabel("UUID").inputValue();
  assert.match(uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

  await form.getByLabel("Username").fill("carol");
  await form.getByLabel("Password").fill("short");
  await form.getByRole("button", { name: "Create user" }).click();
  await (await errorOf(page, "Password")).getByText("must be at least 8 characters").waitFor();
  assert.equal(await form.getByLabel("Username").getAttribute("aria-invalid"), null);
  assert.equal(await userRow(page, "carol").count(), 0);

  await form.getByLabel("Password").fill("carol-password");
  await form.getByRole("button", { name: "Create user" }).click();
  await userRow(page, "carol").waitFor();
  await userRow(page, "carol").getByRole("cell", { name: uuid }).waitFor();
  assert.equal(await form.getByLabel("Password").getAttribute("aria-invalid"), null);
  assert.notEqual(await form.getByLabel("UUID").inputValue(), uuid, "a fresh uuid for the next user");

  await form.getByLabel("Username").fill("carol");
  await form.getByLabel("Password").fill("another-password");
  await form.getByRole("button", { name: "Create user" }).click();
  await form.getByRole("alert").getByText("the username 'carol' is already taken").waitFor();
  await screenshot(page, "users");
});

test("an admin renames a user and resets a password, each error at the field of its row", { timeout }, async () => {
  await suite.stack.server.newUser("dave");
  const page = await suite.stack.open("#/users");
  await signInAsAdmin(page, suite.stack);

  await page.getByRole("button", { name: "Rename dave" }).click();
  await page.getByLabel("New username for dave").fill("");
  await page.getByRole("button", { name: "Rename", exact: true }).click();
  await (await errorOf(page, "New username for dave")).getByText("must be 1 to 64 characters").waitFor();
  await page.getByLabel("New username for dave").fill("david");
  await page.getByRole("button", { name: "Rename", exact: true }).click();
  await userRow(page, "david").waitFor();
  await page.getByRole("status").getByText("Renamed dave to david.").waitFor();

  await page.getByRole("button", { name: "Reset the password of david" }).click();
  await page.getByLabel("New password for david").fill("x");
  await page.getByRole("button", { name: "Set password" }).click();
  await (await errorOf(page, "New password for david")).getByText("must be at least 8 characters").waitFor();
  await page.getByLabel("New password for david").fill("davids-new-password");
  await page.getByRole("button", { name: "Set password" }).click();
  await page.getByRole("status").getByText("Set a new password for david").waitFor();
  assert.ok(await suite.stack.server.token("david", "davids-new-password"));
});

test("an admin grants and revokes admin, and the last admin cannot be revoked", { timeout }, async () => {
  await suite.stack.server.newUser("erin");
  const page = await suite.stack.open("#/users");
  await signInAsAdmin(page, suite.stack);

  await page.getByRole("button", { name: "Make admin erin" }).click();
  await userRow(page, "erin").getByText("admin", { exact: true }).waitFor();
  await page.getByRole("button", { name: "Revoke admin from erin" }).click();
  await page.getByRole("button", { name: "Make admin erin" }).waitFor();
  assert.equal(await userRow(page, "erin").getByText("admin", { exact: true }).count(), 0);

  // Every other admin of this server's tests revoked first, so that "admin" is the last one.
  const users = await (await suite.stack.server.admin("GET", "/admin/users")).json();
  for (const u of users.filter((u) => u.admin && u.username !== "admin")) await suite.stack.server.admin("PUT", `/admin/users/${u.uuid}`, { admin: false });
  await page.reload();
  await page.getByRole("button", { name: "Revoke admin from admin" }).click();
  await page.getByRole("alert").getByText("last admin").waitFor();
  const after = await (await suite.stack.server.admin("GET", "/admin/users")).json();
  assert.equal(after.find((u) => u.username === "admin").admin, true);
});
