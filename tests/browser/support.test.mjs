// A support team's first day: keyboard only, a phone, a failed send, a long conversation,
// notifications, the embedded widget, and axe-core over every main state of both pages.

import { after, test } from "node:test";
import { createServer } from "node:http";
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  agentToken, api, base, browser, CONNECTED, message, newPage, pagesCallSlashlessPaths, roomItem, say,
  screenshots, seriousViolations, signIn, startChat, submitSignIn, useLocalDev,
} from "./harness.mjs";

useLocalDev();

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

// A room opened through the API, with its customer's token.
async function openedRoom(name, text = `Hello from ${name}`) {
  const created = await api("POST", "/api/public/chat-rooms", null, { customer_name: name, message: text });
  return { id: created.room.id, token: created.customer_token };
}

const sendAs = (token, room, content) =>
  api("POST", room.token === token ? `/api/public/chat-rooms/${room.id}/send_message` : `/api/admin/chat-rooms/${room.id}/send_message`, token, { content });

const focused = (page) => page.evaluate(() => document.activeElement && (document.activeElement.id || document.activeElement.tagName));

test("a keyboard-only agent signs in, moves through the queue, answers and closes a room without losing focus", async () => {
  const rooms = [await openedRoom("Kay"), await openedRoom("Lou"), await openedRoom("Max")];
  const { page } = await newPage();
  await page.goto(`${base}/admin/chat`);
  await page.locator("#sign-in-form input[name=username]").focus();
  await page.keyboard.type("admin");
  await page.keyboard.press("Tab");
  await page.keyboard.type("admin123");
  await page.keyboard.press("Enter");
  await page.locator("#status", { hasText: CONNECTED }).waitFor();
  await roomItem(page, "Max").waitFor();

  // Tab reaches the room list; the newest room is highlighted, the arrows move it.
  const stops = [];
  for (let i = 0; i < 12 && (await focused(page)) !== "room-list"; i++) {
    await page.keyboard.press("Tab");
    stops.push(await focused(page));
  }
  assert.equal(await focused(page), "room-list", `Tab stops: ${stops}`);
  const active = () => page.getAttribute("#room-list", "aria-activedescendant");
  assert.equal(await active(), `room-${rooms[2].id}`);
  await page.keyboard.press("ArrowDown");
  assert.equal(await active(), `room-${rooms[1].id}`);
  await page.keyboard.press("End");
  await page.keyboard.press("ArrowUp");
  assert.equal(await active(), `room-${rooms[1].id}`);

  // Enter opens it and puts the focus in the composer; Enter sends.
  await page.keyboard.press("Enter");
  await message(page, "Hello from Lou").waitFor();
  assert.equal(await focused(page), "send-box");
  assert.equal(await page.getAttribute(`#room-${rooms[1].id}`, "aria-selected"), "true");
  await page.keyboard.type("On it, Lou");
  await page.keyboard.press("Enter");
  await page.locator(".message.mine[data-id] .content", { hasText: "On it, Lou" }).waitFor();
  assert.equal(await focused(page), "send-box", "the focus stays in the composer after a send");

  // Close by keyboard: it asks first (Escape cancels), then closes; the focus moves to Reopen.
  await page.locator("#close-room").focus();
  await page.keyboard.press("Enter");
  assert.equal(await focused(page), "confirm-close-yes");
  await page.keyboard.press("Escape");
  assert.equal(await focused(page), "close-room");
  assert.ok(await page.locator("#confirm-close").isHidden());
  await page.keyboard.press("Enter");
  await page.keyboard.press("Enter");
  await page.locator("#reopen-room").waitFor({ state: "visible" });
  await page.waitForFunction(() => document.activeElement && document.activeElement.id === "reopen-room");
  assert.ok(await page.locator("#send-box").isDisabled(), "a closed room's composer is disabled");
  assert.ok(await page.locator("#send-button").isDisabled());
  assert.match(await page.textContent("#composer-note"), /closed\. Reopen it to reply/);
  await message(page, "Admin closed the conversation").waitFor();

  // Reopen by keyboard puts the focus back in the composer.
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.activeElement && document.activeElement.id === "send-box");
  assert.ok(await page.locator("#send-box").isEnabled());
});

test("a send that fails stays on screen with its reason and text, and Retry stores it once", async () => {
  const { page: customer, context } = await newPage();
  await startChat(customer, "Nell", "My order is late");
  await context.setOffline(true);
  await say(customer, "Are you there?");
  const failed = customer.locator(".message.failed", { hasText: "Are you there?" });
  await failed.waitFor();
  assert.match(await failed.locator(".delivery").textContent(), /Not sent: no connection\./);
  await context.setOffline(false);
  await customer.locator("#status", { hasText: CONNECTED }).waitFor({ timeout: 20_000 });
  await failed.locator("button.retry").click();
  await customer.locator(".message.mine[data-id] .content", { hasText: "Are you there?" }).waitFor();
  assert.equal(await customer.locator(".message.failed, .message.sending").count(), 0);

  // Retried twice more by hand through the API with the same id: still one message.
  const saved = await customer.evaluate(() => JSON.parse(localStorage.getItem("chat.customer")));
  const page = await api("GET", `/api/public/chat-rooms/${saved.roomId}/get_messages`, saved.token);
  assert.deepEqual(page.messages.filter((m) => m.content === "Are you there?").length, 1);
  const stored = page.messages.find((m) => m.content === "Are you there?");
  assert.ok(stored.client_msg_id, "the send carried a client_msg_id");
  for (let i = 0; i < 2; i++) {
    await api("POST", `/api/public/chat-rooms/${saved.roomId}/send_message`, saved.token, { content: "Are you there?", client_msg_id: stored.client_msg_id });
  }
  const again = await api("GET", `/api/public/chat-rooms/${saved.roomId}/get_messages`, saved.token);
  assert.equal(again.messages.filter((m) => m.content === "Are you there?").length, 1);
  assert.equal(await message(customer, "Are you there?").count(), 1);
});

test("reading history is never interrupted: an unread divider on open, a new-messages pill, jump to newest", async () => {
  const room = await openedRoom("Olga", "first question");
  const agent = await agentToken();
  for (let i = 1; i <= 200; i++) await sendAs(agent, room, `history line ${i}`);
  for (let i = 1; i <= 6; i++) await sendAs(room.token, room, `unread question ${i}`);
  const { page } = await newPage();
  await signIn(page);
  await roomItem(page, "Olga").click();
  await message(page, "unread question 6").waitFor();

  // The divider sits above the first of the 7 unread (the first question is unread too, but
  // is not on the first page: the divider is above the oldest unread one shown).
  const divider = page.locator(".unread-divider");
  await divider.waitFor();
  const next = await divider.evaluate((node) => node.nextElementSibling.textContent);
  assert.match(next, /unread question 1/);
  const inView = await divider.evaluate((node) => {
    const list = node.closest("ol").getBoundingClientRect();
    const box = node.getBoundingClientRect();
    return box.top >= list.top && box.bottom <= list.bottom;
  });
  assert.ok(inView, "the list opens on the divider");

  // Read further up; a message arrives: the view stays, a pill says so.
  const list = page.locator("#messages");
  await list.evaluate((node) => (node.scrollTop = node.scrollHeight / 3));
  const before = await list.evaluate((node) => node.scrollTop);
  await sendAs(room.token, room, "a new one while you read");
  await message(page, "a new one while you read").waitFor({ state: "attached" });
  const pill = page.locator("#new-messages");
  await pill.locator("text=1 new message").waitFor();
  assert.ok(Math.abs((await list.evaluate((node) => node.scrollTop)) - before) <= 2, "the view did not move");

  // The typing line appears without shrinking the conversation.
  const height = await list.evaluate((node) => node.clientHeight);
  const customer = await newPage();
  await customer.page.goto(`${base}/chat`);
  await customer.page.evaluate(({ id, token }) => localStorage.setItem("chat.customer", JSON.stringify({ roomId: id, token })), room);
  await customer.page.reload();
  await customer.page.locator("#status", { hasText: CONNECTED }).waitFor();
  await customer.page.type("#send-box", "typing…");
  await page.locator("#typing", { hasText: "Olga is typing" }).waitFor();
  assert.equal(await list.evaluate((node) => node.clientHeight), height, "the typing line takes no room from the messages");

  // The pill jumps to the newest and goes away.
  await pill.click();
  await pill.waitFor({ state: "hidden" });
  const atBottom = await list.evaluate((node) => node.scrollHeight - node.scrollTop - node.clientHeight < 48);
  assert.ok(atBottom);
  await page.screenshot({ path: join(screenshots, "console-history.png") });
});

test("on a phone the console is two screens and answers; the chat fits its frame and a desktop", async () => {
  await openedRoom("Pia", "Writing from my phone");
  const { page } = await newPage(PHONE);
  await signIn(page);
  const room = roomItem(page, "Pia");
  await room.waitFor();
  const listWidth = await page.locator(".rooms").evaluate((node) => node.getBoundingClientRect().width);
  assert.ok(listWidth >= 380, `the list takes the screen (${listWidth} px)`);
  await page.screenshot({ path: join(screenshots, "console-phone-list.png") });
  await room.click();
  await message(page, "Writing from my phone").waitFor();
  assert.ok(await page.locator(".rooms").isHidden(), "the list gives way to the conversation");
  const width = await page.locator("#messages").evaluate((node) => node.getBoundingClientRect().width);
  assert.ok(width >= 380, `the conversation takes the screen (${width} px)`);
  // On a touch screen Enter makes a new line; the button sends.
  await page.fill("#send-box", "Line one");
  await page.press("#send-box", "Enter");
  await page.type("#send-box", "line two");
  assert.equal(await page.inputValue("#send-box"), "Line one\nline two");
  await page.tap("#send-button");
  await page.locator(".message.mine[data-id] .content", { hasText: "line two" }).waitFor();
  await page.screenshot({ path: join(screenshots, "console-phone.png") });
  await page.click("#back-to-rooms");
  await room.waitFor({ state: "visible" });
  assert.equal(await page.evaluate(() => document.activeElement.id), "room-list");

  const { page: phoneChat } = await newPage(PHONE);
  await startChat(phoneChat, "Quinn", "Hello from a phone");
  const bubble = await message(phoneChat, "Hello from a phone").evaluate((node) => node.closest(".message").getBoundingClientRect());
  assert.ok(bubble.right <= 390 && bubble.left >= 0, "the bubble fits the screen");
  await phoneChat.screenshot({ path: join(screenshots, "chat-phone.png") });

  const { page: desktopChat } = await newPage({ viewport: { width: 1280, height: 800 } });
  await startChat(desktopChat, "Rae", "Hello from a desktop");
  const column = await desktopChat.locator("#chat").evaluate((node) => node.getBoundingClientRect().width);
  assert.ok(column <= 760, `the chat keeps a readable column (${column} px)`);
});

test("input: composing with an input method never sends, text runs in its own direction, long text is counted not cut", async () => {
  const { page } = await newPage();
  await startChat(page, "Sato", "こんにちは");
  // Enter while an IME composes picks the conversion: nothing is sent.
  await page.fill("#send-box", "にほんご");
  await page.dispatchEvent("#send-box", "keydown", { key: "Enter", isComposing: true });
  await page.dispatchEvent("#send-box", "keydown", { key: "Enter", keyCode: 229 });
  assert.equal(await page.inputValue("#send-box"), "にほんご");
  await page.press("#send-box", "Enter");
  await message(page, "にほんご").waitFor();

  // Right-to-left text is laid out right to left.
  await say(page, "שלום, אני צריך עזרה");
  // The stored message (it has its id): the one shown while sending is replaced by it, and a
  // replaced node has no computed style.
  const rtl = page.locator(".message[data-id] .content", { hasText: "שלום" });
  await rtl.waitFor();
  assert.equal(await rtl.getAttribute("dir"), "auto");
  assert.equal(await rtl.evaluate((node) => getComputedStyle(node).direction), "rtl");

  // 4,500 characters: counted, flagged and not sendable, never cut.
  const long = "x".repeat(4500);
  await page.fill("#send-box", long);
  await page.locator("#send-count", { hasText: "4,500 / 4,000: 500 too many" }).waitFor();
  assert.ok(await page.locator("#send-button").isDisabled());
  assert.equal((await page.inputValue("#send-box")).length, 4500);
  await page.press("#send-box", "Enter");
  assert.equal((await page.inputValue("#send-box")).length, 4500, "Enter does not send it either");
});

test("the start form checks its fields as the server does, on the field, before any request", async () => {
  const { page } = await newPage();
  const creates = [];
  page.on("request", (request) => request.url().includes("/api/public/chat-rooms") && request.method() === "POST" && creates.push(request));
  await page.goto(`${base}/chat`);
  await page.click("#start-form button[type=submit]");
  assert.equal(await page.getAttribute("#customer_name", "aria-invalid"), "true");
  assert.equal(await page.getAttribute("#message", "aria-invalid"), "true");
  assert.equal(await page.evaluate(() => document.activeElement.id), "customer_name", "the first field in error takes the focus");
  assert.equal(await page.textContent("#customer_name-error"), "Please tell us your name.");
  assert.equal(await page.textContent("#message-error"), "Please write your question.");
  assert.deepEqual(await seriousViolations(page, "chat start form with errors"), []);

  // An address the browser's own check takes but the server refuses (no dotted domain).
  await page.fill("#customer_name", "Tove");
  await page.fill("#customer_email", "tove@localhost");
  await page.fill("#message", "   ");
  await page.click("#start-form button[type=submit]");
  assert.equal(await page.getAttribute("#customer_name", "aria-invalid"), "false");
  assert.equal(await page.getAttribute("#customer_email", "aria-invalid"), "true");
  assert.match(await page.textContent("#customer_email-error"), /does not look like an email address/);
  assert.equal(await page.textContent("#message-error"), "Please write your question.", "a blank question is no question");

  await page.fill("#message", "y".repeat(4500));
  await page.locator("#message-count", { hasText: "4,500 / 4,000" }).waitFor();
  await page.fill("#customer_email", "");
  await page.click("#start-form button[type=submit]");
  assert.match(await page.textContent("#message-error"), /500 characters too long/);
  assert.equal((await page.inputValue("#message")).length, 4500, "nothing is cut");
  assert.equal(creates.length, 0, "no request was made for a form in error");

  await page.fill("#message", "Now it is fine");
  await page.click("#start-form button[type=submit]");
  await page.locator("#status", { hasText: CONNECTED }).waitFor();
  assert.equal(creates.length, 1);
});

test("messages: links are safe links, days have headings, runs of one sender show one name", async () => {
  const { context, page } = await newPage();
  await startChat(page, "Uma", "see https://example.com/help?q=1. and javascript:alert(1) or http://x.test/a)");
  const links = page.locator("#messages .content a");
  await links.first().waitFor();
  assert.deepEqual(await links.evaluateAll((nodes) => nodes.map((a) => [a.getAttribute("href"), a.textContent, a.rel, a.target])), [
    ["https://example.com/help?q=1", "https://example.com/help?q=1", "noopener noreferrer", "_blank"],
    ["http://x.test/a", "http://x.test/a", "noopener noreferrer", "_blank"],
  ]);
  await say(page, "second in a row");
  await message(page, "second in a row").waitFor();
  // Stored (it has its id), not only shown as sending.
  await page.locator(".message.mine[data-id]").nth(1).waitFor();
  const grouped = await page.locator(".message.mine[data-id]").evaluateAll((nodes) => nodes.map((n) => n.classList.contains("grouped")));
  assert.deepEqual(grouped, [false, true]);
  assert.equal(await page.locator(".day").textContent(), "Today");

  // Three days later on the visitor's clock, the same conversation reads as three days ago,
  // with its times.
  await context.clock.install({ time: Date.now() + 3 * 86_400_000 });
  await page.reload();
  await message(page, "second in a row").waitFor();
  const heading = await page.locator(".day").textContent();
  const expected = await page.evaluate(() => new Date(Date.now() - 3 * 86_400_000).toLocaleDateString([], { weekday: "long", month: "long", day: "numeric" }));
  assert.equal(heading, expected);
  assert.match(await page.locator(".message .meta time").first().textContent(), /\d\d:\d\d/);
});

test("notifications: opted in, a new room and a customer's message ring and notify, never for the room in view", async () => {
  const { context, page } = await newPage();
  await context.grantPermissions(["notifications"], { origin: base });
  // The page's Notification, recorded: headless Chromium shows none on screen.
  await context.addInitScript(() => {
    window.__notifications = [];
    window.Notification = class {
      static permission = "granted";
      static requestPermission = async () => "granted";
      constructor(title, options) {
        window.__notifications.push({ title, body: options.body, tag: options.tag });
      }
    };
  });
  const shown = () => page.evaluate(() => window.__notifications);
  await signIn(page);
  const room = await openedRoom("Vera", "before opting in");
  await roomItem(page, "Vera").waitFor();
  assert.deepEqual(await shown(), [], "nothing before the agent opts in");
  await page.click("#notify");
  assert.equal(await page.getAttribute("#notify", "aria-pressed"), "true");

  const other = await openedRoom("Wim", "a new room");
  await page.waitForFunction(() => window.__notifications.length === 1);
  assert.deepEqual(await shown(), [{ title: "New conversation: Wim", body: "a new room", tag: other.id }]);

  await roomItem(page, "Vera").click();
  await message(page, "before opting in").waitFor();
  await page.bringToFront();
  assert.ok(await page.evaluate(() => document.hasFocus()), "the tab has the focus");
  await sendAs(room.token, room, "in the room you are reading");
  await message(page, "in the room you are reading").waitFor();
  await sendAs(other.token, other, "in another room");
  await page.waitForFunction(() => window.__notifications.length === 2);
  assert.deepEqual((await shown())[1], { title: "Wim", body: "in another room", tag: other.id });

  // The choice is remembered.
  await page.reload();
  await page.locator("#status", { hasText: CONNECTED }).waitFor();
  assert.equal(await page.getAttribute("#notify", "aria-pressed"), "true");
});

test("the embedded chat: Escape closes it, replies that came while closed badge the button", async () => {
  const { page } = await newPage();
  // A shop on another origin, served from this machine as a website would serve it.
  const shop = createServer((request, response) => {
    response.setHeader("Content-Type", "text/html");
    response.end(`<!doctype html><html lang="en"><title>Shop</title><h1>Shop</h1><script src="${base}/web/embed.js"></script></html>`);
  });
  await new Promise((resolve) => shop.listen(0, "127.0.0.1", resolve));
  after(() => shop.close());
  const site = `http://localhost:${shop.address().port}`;
  await page.goto(`${site}/`);
  const button = page.locator("button", { hasText: "Chat with us" });
  await button.click();
  const frame = page.frameLocator("iframe[title='Chat with us']");
  await frame.locator("#customer_name").fill("Xia");
  await frame.locator("#message").fill("Hello from the shop");
  await frame.locator("#start-form button[type=submit]").click();
  await frame.locator("#status", { hasText: CONNECTED }).waitFor();

  // Escape inside the chat closes it and gives the focus back to the button.
  await frame.locator("#send-box").press("Escape");
  await page.locator("iframe").waitFor({ state: "hidden" });
  assert.equal(await button.getAttribute("aria-expanded"), "false");
  assert.ok(await button.evaluate((node) => document.activeElement === node));

  // A reply while it is closed: the button shows it.
  const rooms = await api("GET", "/api/admin/chat-rooms", await agentToken());
  const roomId = rooms.rooms.find((r) => r.customer_name === "Xia").id;
  await api("POST", `/api/admin/chat-rooms/${roomId}/send_message`, await agentToken(), { content: "How can we help?" });
  await page.waitForFunction(() => document.querySelector("button[aria-label]")?.getAttribute("aria-label") === "Chat with us, 1 unread");
  assert.match(await button.textContent(), /Chat with us\s*1/);
  await button.click();
  await frame.locator(".message .content", { hasText: "How can we help?" }).waitFor();
  await page.waitForFunction(() => document.querySelector("button[aria-label]").getAttribute("aria-label") === "Chat with us");
  // Escape on the hosting page closes it too.
  await page.locator("h1").click();
  await page.keyboard.press("Escape");
  await page.locator("iframe").waitFor({ state: "hidden" });
});

test("axe-core finds no serious or critical violation in the main states of the console and the chat", async () => {
  const found = [];
  const { page } = await newPage();
  await page.goto(`${base}/admin/chat`);
  await page.locator("#sign-in").waitFor();
  found.push(...(await seriousViolations(page, "console sign-in")));
  await signIn(page);
  const room = await openedRoom("Yara", "Can you check my account? https://example.com/account");
  await sendAs(await agentToken(), room, "Sure, one moment");
  await roomItem(page, "Yara").click();
  await message(page, "Sure, one moment").waitFor();
  await page.type("#send-box", "typing");
  found.push(...(await seriousViolations(page, "console with a room open")));
  const { page: phone } = await newPage(PHONE);
  await signIn(phone);
  await roomItem(phone, "Yara").click();
  await message(phone, "Sure, one moment").waitFor();
  found.push(...(await seriousViolations(phone, "console on a phone")));

  await page.click("#close-room");
  found.push(...(await seriousViolations(page, "console asking to close")));
  await page.click("#confirm-close-yes");
  await page.locator("#reopen-room").waitFor();
  found.push(...(await seriousViolations(page, "console with a closed room")));

  const { page: chat } = await newPage();
  await chat.goto(`${base}/chat`);
  await chat.locator("#start-form").waitFor();
  found.push(...(await seriousViolations(chat, "chat start form")));
  await startChat(chat, "Zed", "Hello there");
  const rooms = await api("GET", "/api/admin/chat-rooms", await agentToken());
  const zed = rooms.rooms.find((r) => r.customer_name === "Zed");
  await api("POST", `/api/admin/chat-rooms/${zed.id}/send_message`, await agentToken(), { content: "Hi Zed" });
  await message(chat, "Hi Zed").waitFor();
  found.push(...(await seriousViolations(chat, "chat conversation")));
  await api("POST", `/api/admin/chat-rooms/${zed.id}/close`, await agentToken());
  await chat.locator("#closed-note").waitFor({ state: "visible" });
  found.push(...(await seriousViolations(chat, "chat closed")));
  assert.deepEqual(found, []);
  assert.ok(browser.isConnected());
});

test("the Team page: an admin adds an agent, who signs in and shows online; a deactivated one cannot sign in", async () => {
  const { page: admin } = await newPage();
  await signIn(admin);
  await admin.click("#team-button");
  await admin.locator(".team-member[data-username=admin]").waitFor();
  assert.match(await admin.textContent(".team-member[data-username=admin]"), /Admin \(you\)/);

  // The form checks on the field what the server refuses.
  await admin.fill("#new-username", "Bad Name");
  await admin.fill("#new-display_name", "Bea");
  await admin.fill("#new-password", "short");
  await admin.click("#add-agent button[type=submit]");
  await admin.locator("#new-username-error", { hasText: "username" }).waitFor();
  assert.equal(await admin.getAttribute("#new-username", "aria-invalid"), "true");
  await admin.fill("#new-username", "bea");
  await admin.click("#add-agent button[type=submit]");
  await admin.locator("#new-password-error", { hasText: "password" }).waitFor();
  await admin.fill("#new-password", "bea's long password");
  await admin.click("#add-agent button[type=submit]");
  const bea = admin.locator(".team-member[data-username=bea]");
  await bea.waitFor();
  assert.match(await bea.textContent(), /@bea · agent · offline/);
  assert.deepEqual(await seriousViolations(admin, "console team page"), []);

  // Bea signs in elsewhere: the page shows her online (read again while it is open).
  const { page: second } = await newPage();
  await submitSignIn(second, "bea", "bea's long password");
  await second.locator("#status", { hasText: CONNECTED }).waitFor();
  await admin.click("#team-back");
  await admin.click("#team-button");
  await bea.locator(".dot.online").waitFor();
  assert.match(await bea.textContent(), /online/);
  assert.equal(await second.locator("#add-agent").isVisible(), false, "an agent who is not an admin adds no one");
  await admin.screenshot({ path: join(screenshots, "console-team.png") });

  // Deactivated: the button turns to Activate, and her next sign-in is refused.
  await bea.locator("button[data-action=deactivate]").click();
  await bea.locator("button[data-action=activate]").waitFor();
  assert.match(await bea.textContent(), /deactivated/);
  const { page: third } = await newPage();
  await submitSignIn(third, "bea", "bea's long password");
  await third.locator("#sign-in-error", { hasText: "Wrong username or password." }).waitFor();
});

test("presence: an agent's Away switch and sign-in and leaving show on a colleague's Team page at once", async () => {
  const admin = await agentToken();
  await api("POST", "/api/admin/agents", admin, { username: "cyd", password: "cyd's long password", display_name: "Cy", role: "agent" });
  const { page: watcher } = await newPage();
  await signIn(watcher);
  await watcher.click("#team-button");
  const cy = watcher.locator(".team-member[data-username=cyd]");
  await cy.locator(".dot.offline").waitFor();
  // Sooner than the page's own reading (every 60 s): the presence events redraw it.
  const soon = { timeout: 5_000 };

  const { page: own } = await newPage();
  await submitSignIn(own, "cyd", "cyd's long password");
  await own.locator("#status", { hasText: CONNECTED }).waitFor();
  await cy.locator(".dot.online").waitFor(soon);
  assert.equal(await own.getAttribute("#away", "aria-pressed"), "false");

  await own.click("#away");
  await own.locator("#away[aria-pressed=true]").waitFor();
  await cy.locator(".dot.away").waitFor(soon);
  assert.match(await cy.textContent(), /away/);
  assert.deepEqual(await seriousViolations(own, "console set away"), []);

  await own.click("#away");
  await own.locator("#away[aria-pressed=false]").waitFor();
  await cy.locator(".dot.online").waitFor(soon);

  await own.close();
  await cy.locator(".dot.offline").waitFor(soon);
});

pagesCallSlashlessPaths(20);
