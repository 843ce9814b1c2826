// The ACL editor and explain: an invalid ACL is refused whole with each problem at its rule and
// field, a valid one is saved by one PUT, every version's changes are listed, and explain shows
// which rule decides.
import assert from "node:assert/strict";
import { test } from "node:test";
import { consoleSuite, errorOf, screenshot, signInAsAdmin } from "./harness.mjs";


const suite = consoleSuite(async (stack) => {
  await stack.server.newUser("alice");
});

const timeout = 120_000;
const acl = async () => (await (await suite.stack.server.admin("GET", "/acl")).json()).rules;

test("an ACL with an error is refused and the error shown at its rule and field; fixed, it is saved and its change listed", { timeout }, async () => {
  const page = await suite.stack.open("#/acl");
  await signInAsAdmin(page, suite.stack);
  await page.getByText("No rules: every push is denied.").waitFor();

  await page.getByRole("button", { name: "Add rule" }).click();
  await page.getByLabel("Item of rule 0").fill("task-*");
  await page.getByRole("button", { name: "Add rule" }).click();
  await page.getByLabel("User of rule 1").fill("user-alice");
  await page.getByLabel("Effect of rule 1").selectOption("deny");
  await page.getByText("Unsaved changes").waitFor();
  await page.getByRole("button", { name: "Save" }).click();

  await (await errorOf(page, "Item of rule 1")).getByText("must not be empty").waitFor();
  await page.getByRole("alert").getByText("Not saved: 1 problem").waitFor();
  assert.equal(await page.getByLabel("Item of rule 0").getAttribute("aria-invalid"), null);
  assert.deepEqual(await acl(), [], "nothing of an invalid ACL is stored");

  // The error moves with its rule.
  await page.getByRole("button", { name: "Move rule 1 up" }).click();
  await (await errorOf(page, "Item of rule 0")).getByText("must not be empty").waitFor();
  await page.getByLabel("Item of rule 0").fill("secret-*");
  assert.equal(await page.getByLabel("Item of rule 0").getAttribute("aria-invalid"), null);
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByRole("status").getByText("Saved as version 1.").waitFor();
  assert.deepEqual(await acl(), [
    { user: "user-alice", item: "secret-*", action: "*", allow: false },
    { user: "*", item: "task-*", action: "*", allow: true },
  ]);
  const v1 = page.getByRole("list", { name: "Changes in version 1" });
  await v1.getByText("+ rule 0 added: user user-alice · item secret-* · action * → deny").waitFor();
  await v1.getByText("+ rule 1 added: user * · item task-* · action * → allow").waitFor();

  await page.getByLabel("Action of rule 1").fill("create");
  await page.getByRole("button", { name: "Add rule" }).click();
  await page.getByLabel("Item of rule 2").fill("note-*");
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByRole("status").getByText("Saved as version 2.").waitFor();
  const v2 = page.getByRole("list", { name: "Changes in version 2" });
  await v2.getByText("~ rule 1 changed: action * → create").waitFor();
  await v2.getByText("+ rule 2 added: user * · item note-* · action * → allow").waitFor();
  // Newest first.
  const versions = await page.locator("article[data-version]").evaluateAll((els) => els.map((e) => e.dataset.version));
  assert.deepEqual(versions, ["2", "1"]);

  // A second mistake, left on screen for the screenshot.
  await page.getByLabel("Action of rule 2").fill("");
  await page.getByRole("button", { name: "Save" }).click();
  await (await errorOf(page, "Action of rule 2")).getByText("must not be empty").waitFor();
  await screenshot(page, "acl");
});

test("explain shows the decision, its reason and the deciding rule, and each skipped rule's failed fields", { timeout }, async () => {
  await suite.stack.server.setAcl([
    { user: "user-alice", item: "secret-*", action: "*", allow: false },
    { user: "*", item: "task-*", action: "create", allow: true },
  ]);
  const page = await suite.stack.open("#/explain");
  await signInAsAdmin(page, suite.stack);

  await page.getByLabel("User uuid").fill("user-alice");
  await page.getByLabel("Item", { exact: true }).fill("secret-1");
  await page.getByLabel("Action").fill("create");
  await page.getByRole("button", { name: "Explain" }).click();
  await page.getByText("Denied", { exact: true }).waitFor();
  await page.getByText('rule 0 (user "user-alice", item "secret-*", action "*") is the first that matches: deny').waitFor();
  const deciding = page.locator('tr[aria-current="true"]');
  assert.equal(await deciding.getAttribute("data-rule"), "0");
  await deciding.getByText("decides: deny").waitFor();

  await page.getByLabel("Item", { exact: true }).fill("task-1");
  await page.getByRole("button", { name: "Explain" }).click();
  await page.getByText("Allowed", { exact: true }).waitFor();
  await page.locator('tr[aria-current="true"][data-rule="1"]').getByText("decides: allow").waitFor();
  await page.locator('tr[data-rule="0"]').getByText("skipped: item does not match").waitFor();
  await screenshot(page, "explain");

  // The question is in the address: reloaded, the page asks it again.
  assert.match(page.url(), /#\/explain\?user=user-alice&item=task-1&action=create$/);
  await page.reload();
  await page.getByText("Allowed", { exact: true }).waitFor();

  await page.getByLabel("Action").fill("delete");
  await page.getByRole("button", { name: "Explain" }).click();
  await page.getByText("No rule matches: the default denies.").waitFor();

  await page.getByLabel("Item", { exact: true }).fill("");
  await page.getByRole("button", { name: "Explain" }).click();
  await (await errorOf(page, "Item")).getByText("must not be empty").waitFor();
  assert.equal(await page.getByText("Allowed", { exact: true }).count(), 0);
});
