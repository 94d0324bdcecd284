// A long queue, on a local-dev of its own (room creations per address are rate-limited, and
// this file opens 55).

import { test } from "node:test";
import assert from "node:assert/strict";
import { api, agentToken, base, newPage, roomItem, signIn, useLocalDev } from "./harness.mjs";

useLocalDev();

test("the chat says whether anyone is online to answer", async () => {
  const { page: visitor } = await newPage();
  await visitor.goto(`${base}/chat`);
  await visitor.locator("#availability", { hasText: "We're away" }).waitFor();
  const { page: agent } = await newPage();
  await signIn(agent);
  await visitor.reload();
  await visitor.locator("#availability", { hasText: "We're online" }).waitFor();
  await agent.close();
  await visitor.reload();
  await visitor.locator("#availability", { hasText: "We're away" }).waitFor();
});

test("a queue longer than a page: Load more shows while more remain, never once everything is listed", async () => {
  for (let i = 1; i <= 55; i++) {
    const created = await api("POST", "/api/public/chat-rooms", null, { customer_name: `Queue ${String(i).padStart(2, "0")}`, message: `question ${i}` });
    assert.ok(created.room, JSON.stringify(created));
  }
  const closed = await api("POST", "/api/public/chat-rooms", null, { customer_name: "Closed one", message: "done" });
  await api("POST", `/api/admin/chat-rooms/${closed.room.id}/close`, await agentToken());

  const { page } = await newPage();
  await signIn(page);
  await roomItem(page, "Queue 55").waitFor();
  const rows = () => page.locator(".room-item").count();
  assert.equal(await rows(), 50, "the first page");
  const more = page.locator("#more-rooms");
  assert.ok(await more.isVisible());
  await more.click();
  await roomItem(page, "Queue 01").waitFor();
  assert.equal(await rows(), 55);
  await more.waitFor({ state: "hidden" });
  assert.equal(await page.evaluate(() => document.activeElement.id), "room-list", "the focus moves to the list, not the page");

  // Another filter lists its own rooms, with its own Load more.
  await page.click(".filters button[data-filter=closed]");
  await roomItem(page, "Closed one").waitFor();
  await roomItem(page, "Queue 01").waitFor({ state: "detached" });
  assert.equal(await rows(), 1);
  assert.ok(await more.isHidden());
  assert.equal(await page.getAttribute(".filters button[data-filter=closed]", "aria-pressed"), "true");
  await page.click(".filters button[data-filter=open]");
  await roomItem(page, "Queue 55").waitFor();
  assert.equal(await rows(), 50);
  assert.ok(await more.isVisible());
});
