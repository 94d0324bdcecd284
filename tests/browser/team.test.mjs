// The team inbox in two browsers, with auto-assignment on (local-dev --auto-assign least_busy):
// the admin adds an agent on the Team page and sees her dot turn green when she signs in, new
// rooms go to the less busy agent and show under their Mine, a transfer moves one, going away
// stops new assignments, "Assign to me" takes one.

import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";

import {
  agentToken, api, newPage, pagesCallSlashlessPaths, roomItem, screenshots, seriousViolations,
  signIn, useLocalDev,
} from "./harness.mjs";

useLocalDev(["--auto-assign", "least_busy"]);

const show = async (page, whose, status = "open") => {
  await page.click(`.filters button[data-assignee=${whose}]`);
  await page.click(`.filters button[data-filter=${status}]`);
};
const owner = (page, name) => roomItem(page, name).locator(".owner");
const visitorOpens = (name) => api("POST", "/api/public/chat-rooms", null, { customer_name: name, message: `Hello, ${name} here` });

test("two agents: the second added and online, rooms go to the less busy one and show under Mine, a transfer moves one, away takes none", async () => {
  const token = await agentToken();
  // The admin adds Dana on the Team page; Dana signs in elsewhere and her dot turns green.
  const { page: admin } = await newPage();
  await signIn(admin);
  await admin.click("#team-button");
  await admin.fill("#new-username", "dana");
  await admin.fill("#new-display_name", "Dana");
  await admin.fill("#new-password", "dana's long password");
  await admin.click("#add-agent button[type=submit]");
  const danaListed = admin.locator(".team-member[data-username=dana]");
  await danaListed.locator(".dot:not(.online)").waitFor();
  const { page: dana } = await newPage();
  await signIn(dana, "dana", "dana's long password");
  await danaListed.locator(".dot.online").waitFor();
  await admin.click("#team-back");

  // Both online with no rooms, never assigned: by username, the admin first, then Dana.
  await visitorOpens("Ada");
  await visitorOpens("Bea");
  await show(dana, "me");
  await roomItem(dana, "Bea").waitFor();
  assert.equal(await owner(dana, "Bea").textContent(), "You");
  assert.equal(await roomItem(dana, "Ada").count(), 0, "Ada is the admin's");
  await show(admin, "me");
  await roomItem(admin, "Ada").waitFor();

  // The admin hands Ada to Dana: it leaves the admin's Mine and arrives in Dana's, live.
  await roomItem(admin, "Ada").click();
  await admin.locator(".message", { hasText: "Admin joined the conversation" }).waitFor();
  await admin.selectOption("#assignee", { label: "Dana" });
  await admin.locator(".message", { hasText: "Dana joined the conversation" }).waitFor();
  await roomItem(dana, "Ada").waitFor();
  assert.equal(await owner(dana, "Ada").textContent(), "You");
  assert.equal(await admin.locator("#assign-me").isVisible(), true);
  // Still listed while it is open, it says whose it is now.
  await owner(admin, "Ada").filter({ hasText: "Dana" }).waitFor();

  // Away, the admin takes no new room even with fewer: Cid goes to Dana.
  await admin.click("#away");
  await admin.locator("#away[aria-pressed=true]").waitFor();
  await visitorOpens("Cid");
  await roomItem(dana, "Cid").waitFor();

  // Everyone's shows who has what; "Assign to me" takes one.
  await show(admin, "all");
  await owner(admin, "Cid").filter({ hasText: "Dana" }).waitFor();
  await roomItem(admin, "Cid").click();
  await admin.click("#assign-me");
  await owner(admin, "Cid").filter({ hasText: "You" }).waitFor();
  assert.equal(await admin.inputValue("#assignee"), (await api("GET", "/api/admin/agents", token)).agents.find((a) => a.username === "admin").id);
  assert.equal(await admin.locator("#assign-me").isVisible(), false);
  await roomItem(dana, "Cid").waitFor({ state: "detached" });
  assert.deepEqual(await seriousViolations(admin, "console with an assigned room"), []);
  await admin.screenshot({ path: join(screenshots, "console-assignment.png") });
});

pagesCallSlashlessPaths(10);
