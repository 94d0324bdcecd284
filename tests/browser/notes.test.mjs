// Private notes in two browsers: the agent switches the composer to Private note and adds one,
// which the thread shows unmistakably (colour and label), then replies; the customer, with the
// chat open all along, sees the reply and never the note, not even a typing signal for it.

import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";

import {
  message, newPage, pagesCallSlashlessPaths, roomItem, say, screenshots, seriousViolations,
  signIn, startChat, useLocalDev,
} from "./harness.mjs";

useLocalDev();

const NOTE = "She ordered twice; refund the second parcel only";

test("a note typed in the console is shown as a note there and never in the customer's open chat", async () => {
  const { page: customer } = await newPage();
  await startChat(customer, "Nora", "My parcel came twice");
  const { page: agent } = await newPage();
  await signIn(agent);
  await roomItem(agent, "Nora").click();
  await message(agent, "My parcel came twice").waitFor();

  await agent.check("#mode-note");
  assert.equal(await agent.locator("#send-button").textContent(), "Add note");
  assert.match(await agent.getAttribute("#send-box", "placeholder"), /only agents see it/);
  await say(agent, NOTE);
  const noted = agent.locator(".message.private", { hasText: NOTE });
  await noted.waitFor();
  await noted.locator(".private-label", { hasText: "Private note" }).waitFor();
  await noted.locator(".delivery").waitFor({ state: "detached" }); // stored, not sending
  // The room list previews it as a note, to agents.
  await roomItem(agent, "Nora").locator(".preview", { hasText: `Note: ${NOTE}` }).waitFor();
  assert.deepEqual(await seriousViolations(agent, "console composing a private note"), []);
  await agent.screenshot({ path: join(screenshots, "console-note.png") });

  await agent.check("#mode-reply");
  assert.equal(await agent.locator("#send-button").textContent(), "Send");
  await say(agent, "We will refund one of them today");
  await message(customer, "We will refund one of them today").waitFor();
  // The reply arrived after the note: had the note been pushed, it would be here by now.
  assert.equal(await customer.locator(".message", { hasText: NOTE }).count(), 0);
  await customer.reload();
  await message(customer, "We will refund one of them today").waitFor();
  assert.equal(await customer.locator(".message", { hasText: NOTE }).count(), 0);
  assert.equal(await customer.locator("text=Private note").count(), 0);

  // The agent's own reload shows the note among the messages, still a note.
  await agent.reload();
  await roomItem(agent, "Nora").click();
  await agent.locator(".message.private", { hasText: NOTE }).waitFor();
  assert.equal(await agent.locator(".message.private").count(), 1);
});

test("a closed room takes a private note but no reply", async () => {
  const { page: customer } = await newPage();
  await startChat(customer, "Otto", "Thanks, all sorted");
  const { page: agent } = await newPage();
  await signIn(agent);
  await roomItem(agent, "Otto").click();
  await agent.click("#close-room");
  await agent.click("#confirm-close-yes");
  await agent.locator("#reopen-room").waitFor();
  assert.equal(await agent.isDisabled("#send-box"), true, "no reply to a closed room");
  await agent.check("#mode-note");
  assert.equal(await agent.isDisabled("#send-box"), false, "a note is taken");
  await say(agent, "Closed after a call");
  await agent.locator(".message.private", { hasText: "Closed after a call" }).waitFor();
  await message(customer, "closed the conversation").waitFor();
  assert.equal(await customer.locator(".message", { hasText: "Closed after a call" }).count(), 0);
});

pagesCallSlashlessPaths(4);
