// Saved replies, on local-dev's DynamoDB store: an admin writes them on their page (an agent
// only reads them there), and in a conversation `/` and a few letters offer them, filtered as
// typed; the arrow keys choose, Enter inserts with the customer's and agent's names filled in,
// the agent edits and sends; a colleague leaves a note, and the customer, chat open all along,
// sees the reply and never the note.

import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";

import {
  agentToken, api, base, message, newPage, pagesCallSlashlessPaths, roomItem, say, screenshots,
  seriousViolations, signIn, useLocalDev, CONNECTED,
} from "./harness.mjs";

// A table of its own on each run: local-dev creates it (on the test script's DynamoDB Local,
// or on one it starts itself when DYNAMODB_ENDPOINT is unset).
useLocalDev(["--store", "dynamodb", "--table", `browser-canned-${Date.now()}`]);

const PASSWORD = "a long password for dana";
const codesListed = (page, list) => page.locator(`${list} .code, ${list} .name`).allTextContents();

async function addAgent(token, username, display_name) {
  await api("POST", "/api/admin/agents", token, { username, password: PASSWORD, display_name, role: "agent" });
}

async function save(page, code, content) {
  await page.fill("#canned-short_code", code);
  await page.fill("#canned-content", content);
  await page.click("#canned-save");
}

test("an admin adds, edits, searches and deletes saved replies on their page; an agent reads them there", async () => {
  const { page: admin } = await newPage();
  await signIn(admin);
  await admin.click("#canned-button");
  await admin.locator("#canned-none", { hasText: "No saved replies yet." }).waitFor();
  for (const [code, content] of [
    ["hello", "Hello {{customer.name}}, {{agent.name}} here."],
    ["hello-again", "Welcome back!"],
    ["shipping", "Parcels leave in two days."],
    ["temp", "To be deleted"],
  ]) {
    await save(admin, code, content);
    await admin.locator(`.canned-reply[data-code=${code}]`).waitFor();
    assert.equal(await admin.inputValue("#canned-short_code"), "", "the form is cleared for the next one");
  }
  assert.deepEqual(await codesListed(admin, "#canned-list"), ["/hello", "/hello-again", "/shipping", "/temp"]);

  // Refused input is said on its field and adds nothing.
  await save(admin, "hello", "A second hello");
  await admin.locator("#canned-short_code-error", { hasText: "Another saved reply is /hello." }).waitFor();
  await save(admin, "Bad Code", "Upper case and a space");
  await admin.locator("#canned-short_code-error:not([hidden])").waitFor();
  assert.equal(await admin.getAttribute("#canned-short_code", "aria-invalid"), "true");
  assert.deepEqual(await seriousViolations(admin, "saved replies page with a refused field"), []);
  assert.equal(await admin.locator(".canned-reply").count(), 4);

  // Edit replaces the reply in place; the list follows.
  await admin.click(".canned-reply[data-code=shipping] [data-action=edit]");
  assert.equal(await admin.textContent("#canned-form-title"), "Edit /shipping");
  assert.equal(await admin.inputValue("#canned-content"), "Parcels leave in two days.");
  await admin.fill("#canned-content", "Parcels leave in two days; hello to {{customer.name}}.");
  await admin.click("#canned-save");
  await admin.locator(".canned-reply[data-code=shipping]", { hasText: "hello to" }).waitFor();
  assert.equal(await admin.textContent("#canned-save"), "Add saved reply");

  // Delete asks in the row; Cancel keeps it, Delete removes it.
  await admin.click(".canned-reply[data-code=temp] [data-action=delete]");
  await admin.click(".canned-confirm button.secondary");
  await admin.locator(".canned-reply[data-code=temp]").waitFor();
  await admin.click(".canned-reply[data-code=temp] [data-action=delete]");
  await admin.click(".canned-confirm button:not(.secondary)");
  await admin.locator(".canned-reply[data-code=temp]").waitFor({ state: "detached" });

  // The search is the server's order: codes starting with it, codes containing it, contents.
  await admin.fill("#canned-search", "hello");
  await admin.locator(".canned-reply").nth(2).waitFor();
  assert.deepEqual(await codesListed(admin, "#canned-list"), ["/hello", "/hello-again", "/shipping"]);
  await admin.fill("#canned-search", "zebra");
  await admin.locator("#canned-none", { hasText: "No saved reply matches “zebra”." }).waitFor();
  await admin.fill("#canned-search", "");
  await admin.locator(".canned-reply").nth(2).waitFor();
  assert.deepEqual(await seriousViolations(admin, "saved replies page"), []);
  await admin.screenshot({ path: join(screenshots, "console-canned.png") });

  // An agent without the admin role reads them, with nothing to change them.
  await addAgent(await agentToken(), "dana", "Dana");
  const { page: dana } = await newPage();
  await signIn(dana, "dana", PASSWORD);
  await dana.click("#canned-button");
  await dana.locator(".canned-reply[data-code=hello]").waitFor();
  assert.equal(await dana.isHidden("#canned-form"), true);
  assert.equal(await dana.locator(".canned-reply button").count(), 0);
  await dana.click("#canned-back");
  await dana.locator("#room-list").waitFor();
});

test("/refund, Enter, edit, send: the customer gets the filled-in reply, and never the colleague's note", async () => {
  const token = await agentToken();
  for (const [short_code, content] of [
    ["refund", "Hi {{customer.name}}, this is {{agent.name}}. Your refund to {{customer.email}} is on its way."],
    ["refund-late", "Late refunds take up to a week."],
    ["greeting", "Good morning!"],
  ]) {
    await api("POST", "/api/admin/canned-responses", token, { short_code, content });
  }

  const { page: customer } = await newPage();
  await customer.goto(`${base}/chat`);
  await customer.fill("input[name=customer_name]", "Rita");
  await customer.fill("input[name=customer_email]", "rita@example.com");
  await customer.fill("textarea[name=message]", "Where is my refund?");
  await customer.click("#start-form button");
  await customer.locator("#status", { hasText: CONNECTED }).waitFor();

  const { page: agent } = await newPage();
  await signIn(agent);
  const agentName = (await agent.textContent("#agent-name")).trim();
  await roomItem(agent, "Rita").click();
  await message(agent, "Where is my refund?").waitFor();

  // `/` lists them all; each letter narrows the list.
  const options = agent.locator("#canned-options [role=option]");
  await agent.click("#send-box");
  await agent.keyboard.type("/");
  await options.nth(2).waitFor();
  await agent.keyboard.type("ref");
  await agent.locator("#canned-options [role=option]", { hasText: "/greeting" }).waitFor({ state: "detached" });
  assert.deepEqual(await options.locator(".code").allTextContents(), ["/refund", "/refund-late"]);
  assert.equal(await options.nth(0).getAttribute("aria-selected"), "true");
  assert.equal(await agent.getAttribute("#send-box", "aria-activedescendant"), "canned-option-0");
  assert.deepEqual(await seriousViolations(agent, "composer with the saved replies picker"), []);
  await agent.screenshot({ path: join(screenshots, "console-canned-picker.png") });
  await agent.keyboard.press("ArrowDown");
  assert.equal(await options.nth(1).getAttribute("aria-selected"), "true");
  await agent.keyboard.press("ArrowUp");
  assert.equal(await options.nth(0).getAttribute("aria-selected"), "true");

  // Enter inserts in place of `/ref`, filled in, and sends nothing; the agent edits and sends.
  await agent.keyboard.press("Enter");
  const filled = `Hi Rita, this is ${agentName}. Your refund to rita@example.com is on its way.`;
  assert.equal(await agent.inputValue("#send-box"), filled);
  assert.equal(await agent.isHidden("#canned-picker"), true);
  assert.equal(await agent.locator(".message", { hasText: "is on its way" }).count(), 0, "nothing sent yet");
  await agent.keyboard.type(" Sorry for the wait!");
  await agent.keyboard.press("Enter");
  const reply = `${filled} Sorry for the wait!`;
  await message(agent, reply).waitFor();
  await message(customer, reply).waitFor();

  // Mid-sentence too, Tab inserts like Enter; Escape closes the picker and keeps the text.
  await agent.keyboard.type("Also: /gre");
  await options.first().waitFor();
  await agent.keyboard.press("Tab");
  assert.equal(await agent.inputValue("#send-box"), "Also: Good morning!");
  await agent.fill("#send-box", "");
  await agent.keyboard.type("/zebra");
  await agent.locator("#canned-picker-empty", { hasText: "zebra" }).waitFor();
  await agent.keyboard.press("Escape");
  assert.equal(await agent.isHidden("#canned-picker"), true);
  assert.equal(await agent.inputValue("#send-box"), "/zebra");
  await agent.fill("#send-box", "");

  // A colleague, in another browser, leaves a note in the same room.
  await addAgent(token, "eli", "Eli");
  const { page: eli } = await newPage();
  await signIn(eli, "eli", PASSWORD);
  await roomItem(eli, "Rita").click();
  await message(eli, reply).waitFor();
  await eli.check("#mode-note");
  await say(eli, "Finance approved the refund on Monday");
  await agent.locator(".message.private", { hasText: "Finance approved" }).waitFor();
  await say(agent, "Anything else I can do?");
  await message(customer, "Anything else I can do?").waitFor();
  assert.equal(await customer.locator(".message", { hasText: "Finance approved" }).count(), 0);
  await customer.reload();
  await message(customer, "Anything else I can do?").waitFor();
  assert.equal(await customer.locator(".message", { hasText: "Finance approved" }).count(), 0);
  assert.equal(await customer.locator("text=Private note").count(), 0);
});

pagesCallSlashlessPaths(10);
