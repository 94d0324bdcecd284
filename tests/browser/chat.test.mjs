// The console and the customer chat, driven in Debian's headless Chromium against a local-dev
// started on a free port. Run by infra/test.sh (after infra/install-browser.sh).

import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  agentToken, api, base, CONNECTED, message, newPage, pagesCallSlashlessPaths, RECONNECTING, roomItem, say,
  screenshots, seriousViolations, signIn, startChat, useLocalDev,
} from "./harness.mjs";

useLocalDev();

test("an agent and a customer chat live, with typing, receipts, unread badges and close/reopen", async () => {
  const { page: agent } = await newPage();
  await signIn(agent);
  assert.equal(await agent.textContent("#status"), CONNECTED);

  const { page: customer } = await newPage();
  await startChat(customer, "Ada", "Hello, my invoice is wrong");

  // The room appears without a reload, with its unread badge.
  const room = roomItem(agent, "Ada");
  await room.waitFor();
  assert.equal(await room.locator(".badge").textContent(), "1 unread", "the badge says what it counts");
  assert.match(await room.locator(".preview").textContent(), /invoice is wrong/);
  assert.equal(await agent.title(), "(1) Support console");

  // Opening it marks it read: the badge goes, the customer sees "Seen".
  await room.click();
  await message(agent, "Hello, my invoice is wrong").waitFor();
  await room.locator(".badge").waitFor({ state: "detached" });
  await customer.locator("#seen").waitFor({ state: "visible" });
  assert.equal(await agent.title(), "Support console");

  // Typing shows on the other side, both ways.
  await agent.type("#send-box", "Let me");
  await customer.locator("#typing", { hasText: "Support is typing" }).waitFor();
  await agent.fill("#send-box", "");
  await customer.type("#send-box", "Also");
  await agent.locator("#typing", { hasText: "Ada is typing" }).waitFor();
  await customer.fill("#send-box", "");

  // Messages both ways, in both pages; Shift+Enter makes a new line, Enter sends.
  await agent.fill("#send-box", "Let me check that");
  await agent.press("#send-box", "Shift+Enter");
  await agent.type("#send-box", "for you");
  await agent.press("#send-box", "Enter");
  await message(customer, "for you").waitFor();
  assert.equal(await message(customer, "for you").textContent(), "Let me check that\nfor you");
  await say(customer, "Thanks!");
  await message(agent, "Thanks!").waitFor();
  await message(customer, "Thanks!").waitFor();

  // Another customer's messages raise the badge of a room that is not open.
  const { page: other } = await newPage();
  await startChat(other, "Grace", "First question");
  const graceRoom = roomItem(agent, "Grace");
  await graceRoom.locator(".badge", { hasText: "1" }).waitFor();
  await say(other, "Second question");
  await graceRoom.locator(".badge", { hasText: "2" }).waitFor();
  assert.equal(await agent.title(), "(2) Support console");

  // Close and reopen, seen on both sides.
  await agent.click("#close-room");
  await agent.click("#confirm-close-yes");
  await customer.locator("#closed-note").waitFor({ state: "visible" });
  // Still listed under "Open" while it is on screen, marked closed.
  await room.locator(".state", { hasText: "closed" }).waitFor();
  await agent.click(".filters button[data-filter=all]");
  await room.locator(".state", { hasText: "closed" }).waitFor();
  await agent.click("#reopen-room");
  await customer.locator("#closed-note").waitFor({ state: "hidden" });
  await room.locator(".state", { hasText: "open" }).waitFor();

  await agent.screenshot({ path: join(screenshots, "console.png") });
  await customer.screenshot({ path: join(screenshots, "chat.png") });
});

test("a reload keeps the conversation, and a cut connection reconnects and catches up", async () => {
  const { page: agent, context: agentContext } = await newPage();
  await signIn(agent);
  const { page: customer, context: customerContext } = await newPage();
  await startChat(customer, "Linus", "Is the service down?");
  await roomItem(agent, "Linus").click();
  await message(agent, "Is the service down?").waitFor();
  await say(agent, "Checking now");
  await message(customer, "Checking now").waitFor();

  // A reload resumes the same conversation.
  await customer.reload();
  await customer.locator("#status", { hasText: CONNECTED }).waitFor();
  await message(customer, "Is the service down?").waitFor();
  await message(customer, "Checking now").waitFor();

  // Cut both sockets through local-dev's Management API, and keep them down while messages
  // are sent: both pages say so, then come back and show what they missed.
  const ids = [
    await agent.getAttribute("#status", "data-connection-id"),
    await customer.getAttribute("#status", "data-connection-id"),
  ];
  assert.ok(ids.every(Boolean), `connection ids: ${ids}`);
  await agentContext.setOffline(true);
  await customerContext.setOffline(true);
  for (const id of ids) {
    const response = await fetch(`${base}/@connections/${encodeURIComponent(id)}`, { method: "DELETE" });
    assert.equal(response.status, 204);
  }
  await agent.locator("#status", { hasText: RECONNECTING }).waitFor();
  await customer.locator("#status", { hasText: RECONNECTING }).waitFor();

  const roomId = await customer.evaluate(() => JSON.parse(localStorage.getItem("chat.customer")).roomId);
  const token = await customer.evaluate(() => JSON.parse(localStorage.getItem("chat.customer")).token);
  await api("POST", `/api/admin/chat-rooms/${roomId}/send_message`, await agentToken(), { content: "Sent while you were away" });
  await api("POST", `/api/public/chat-rooms/${roomId}/send_message`, token, { content: "Customer wrote while away" });

  await agentContext.setOffline(false);
  await customerContext.setOffline(false);
  await agent.locator("#status", { hasText: CONNECTED }).waitFor({ timeout: 20_000 });
  await customer.locator("#status", { hasText: CONNECTED }).waitFor({ timeout: 20_000 });
  await message(customer, "Sent while you were away").waitFor();
  await message(agent, "Customer wrote while away").waitFor();
  await message(agent, "Sent while you were away").waitFor();
});

test("an agent stays signed in past the access token's lifetime, even on a clock 20 minutes fast; a refused refresh signs out", async () => {
  const { context, page } = await newPage();
  // The page's clock runs 20 minutes ahead of the server's, and its timers are in the test's hands.
  await context.clock.install({ time: Date.now() + 20 * 60_000 });
  const refreshes = [];
  page.on("response", (response) => {
    if (response.url().endsWith("/api/auth/refresh")) refreshes.push(response.status());
  });
  const quiet = () => page.waitForTimeout(1_000); // real time, for any request in flight to land
  const session = () => page.evaluate(() => JSON.parse(localStorage.getItem("chat.agent.session")));

  await api("POST", "/api/public/chat-rooms", null, { customer_name: "Hedy", message: "Still there?" });
  await signIn(page);
  const signedIn = await session();
  await quiet();
  assert.deepEqual(refreshes, [], "a fresh access token is not refreshed, whatever the computer's clock says");

  // A minute before the access token's 15 minutes are up, one refresh, then quiet again.
  await page.clock.fastForward("13:30");
  await quiet();
  assert.deepEqual(refreshes, []);
  const refreshed = page.waitForResponse((response) => response.url().endsWith("/api/auth/refresh"));
  await page.clock.fastForward("00:40");
  const { access } = await (await refreshed).json();
  await quiet();
  assert.deepEqual(refreshes, [200]);
  assert.equal((await session()).access, access);
  assert.equal((await session()).refresh, signedIn.refresh);

  // The next one comes a token lifetime later, and the console works on the new token.
  await page.clock.fastForward("13:00");
  await quiet();
  assert.deepEqual(refreshes, [200]);
  await page.clock.fastForward("01:30");
  await quiet();
  assert.deepEqual(refreshes, [200, 200]);
  await roomItem(page, "Hedy").click();
  await message(page, "Still there?").waitFor();
  await say(page, "Yes, right here");
  await message(page, "Yes, right here").waitFor();
  assert.equal(await page.textContent("#status"), CONNECTED);

  // A refresh token the server refuses (here: its signature is not the server's) ends the
  // session: back to the sign-in form, nothing kept.
  await page.evaluate(() => {
    const saved = JSON.parse(localStorage.getItem("chat.agent.session"));
    const [header, payload] = saved.refresh.split(".");
    saved.refresh = `${header}.${payload}.not-the-signature`;
    localStorage.setItem("chat.agent.session", JSON.stringify(saved));
  });
  await page.reload();
  await page.locator("#status", { hasText: CONNECTED }).waitFor();
  await page.clock.fastForward("15:00");
  await page.locator("#sign-in").waitFor({ state: "visible" });
  assert.deepEqual(refreshes.slice(2), [401]);
  assert.equal(await session(), null);
});

test("a conversation reads in id order, once, when a push overtakes the history it belongs to", async () => {
  const { page: agent } = await newPage();
  await signIn(agent);
  const created = await api("POST", "/api/public/chat-rooms", null, { customer_name: "Orla", message: "first, from the history" });
  const customer = created.customer_token;
  const room = roomItem(agent, "Orla");
  await room.waitFor();

  // Hold the room's history until a later message has been pushed to the open room.
  let release;
  const released = new Promise((resolve) => (release = resolve));
  let held = false;
  await agent.route("**/api/admin/chat-rooms/*/get_messages*", async (route) => {
    held = true;
    await released;
    await route.continue();
  });
  await room.click();
  for (let i = 0; i < 100 && !held; i++) await new Promise((resolve) => setTimeout(resolve, 50));
  assert.ok(held, "the console asked for the room's history");
  await api("POST", `/api/public/chat-rooms/${created.room.id}/send_message`, customer, { content: "second, pushed" });
  await message(agent, "second, pushed").waitFor();
  release();
  await message(agent, "first, from the history").waitFor();
  await agent.unroute("**/api/admin/chat-rooms/*/get_messages*");

  const shown = await agent.locator("#messages .message .content").allTextContents();
  assert.deepEqual(shown, ["first, from the history", "second, pushed"]);
});

test("message text is always text: markup from a user is never interpreted", async () => {
  const attack = "<img src=x onerror=alert(1)>";
  const { page: agent } = await newPage();
  await signIn(agent);
  const { page: customer } = await newPage();
  await startChat(customer, "<b>Mallory</b>", attack, "<script>alert(2)</script>");
  const room = roomItem(agent, "<b>Mallory</b>");
  await room.waitFor();
  assert.equal(await room.locator(".preview").textContent(), attack);
  assert.equal(await room.locator(".subject").textContent(), "<script>alert(2)</script>");
  await room.click();
  await message(agent, attack).waitFor();
  assert.equal(await message(agent, attack).textContent(), attack);
  assert.equal(await agent.locator("#messages img, .room-list img, .room-list b").count(), 0);
  assert.equal(await customer.locator("#messages img").count(), 0);
  assert.equal(await message(customer, attack).textContent(), attack);
});

test("pages forbid inline script", async () => {
  for (const path of ["/", "/admin/chat", "/chat"]) {
    const response = await fetch(base + path);
    assert.equal(response.status, 200);
    const csp = response.headers.get("content-security-policy");
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline/);
  }
});

test("the start page names the store, and its links open the console (signed in with what it says) and the chat", async () => {
  const { page } = await newPage();
  await page.goto(`${base}/`);
  assert.match(await page.textContent("#store"), /^memory \(embedded/);
  assert.deepEqual(await seriousViolations(page, "start page"), []);
  const hint = await page.textContent("li:has(#console-link)");
  const [, username, password] = hint.match(/Sign in as (\S+) \/ (\S+) on a fresh local-dev/);
  await page.click("#console-link");
  await page.fill("#sign-in-form input[name=username]", username);
  await page.fill("#sign-in-form input[name=password]", password);
  await page.click("#sign-in-form button");
  await page.locator("#status", { hasText: CONNECTED }).waitFor();
  await page.goto(`${base}/`);
  await page.click("#chat-link");
  await page.locator("#start-form").waitFor();
  assert.equal(new URL(page.url()).pathname, "/chat");
});

pagesCallSlashlessPaths(20);
