// What every browser test file shares: a local-dev started on a free port, Debian's headless
// Chromium, and helpers that drive the pages as a person would.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
export const screenshots = join(root, "target/screenshots");
export const CONNECTED = "Real-time Connected";
export const RECONNECTING = "Reconnecting…";

let server;
export let base;
export let browser;
// Every REST path the pages requested: deployed, only the slash-less forms are routes.
export const apiPaths = [];

// Registers the hooks that start local-dev (with `flags` beside its zero config) and the
// browser before a file's tests, and stop them.
export function useLocalDev(flags = []) {
  before(async () => {
    const binary = process.env.LOCAL_DEV_BIN || join(root, "target/debug/local-dev");
    server = spawn(binary, ["--port", "0", ...flags], { env: { ...process.env, RUST_LOG: "info", NO_COLOR: "1" } });
    base = await new Promise((resolve, reject) => {
      let seen = "";
      const onData = (chunk) => {
        seen += chunk;
        const match = seen.match(/local-dev serving on (http:\/\/127\.0\.0\.1:\d+)/);
        if (match) resolve(match[1]);
      };
      server.stdout.on("data", onData);
      server.stderr.on("data", onData);
      server.on("exit", (code) => reject(new Error(`local-dev exited (${code}): ${seen}`)));
      setTimeout(() => reject(new Error(`local-dev did not start: ${seen}`)), 30_000);
    });
    // Listening is not serving: wait until the health route says the store answers.
    for (let tries = 0; ; tries++) {
      const health = await fetch(`${base}/api/health`).then((r) => r.status, () => 0);
      if (health === 200) break;
      if (tries > 300) throw new Error(`local-dev at ${base} never became healthy (last status ${health})`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
      args: [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
      ],
    });
    mkdirSync(screenshots, { recursive: true });
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) server.kill();
  });
}

// Last in a file, over what its tests made the pages request: deployed, only the slash-less
// forms are routes.
export function pagesCallSlashlessPaths(atLeast) {
  test("the pages call only the slash-less paths that a deployed API routes", () => {
    assert.ok(apiPaths.length > atLeast, `the pages made ${apiPaths.length} API requests`);
    assert.deepEqual(apiPaths.filter((path) => path.endsWith("/")), []);
  });
}

export async function api(method, path, token, body) {
  const headers = { "Content-Type": "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(base + path, { method, headers, body: body && JSON.stringify(body) });
  const answer = await response.json();
  // A test's own setup call that is refused would otherwise surface as a timeout much later.
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(answer)}`);
  return answer;
}

export async function agentToken() {
  return (await api("POST", "/api/auth/login", null, { username: "admin", password: "admin123" })).access;
}

/** A page in a context of its own (its own localStorage), failing the test on any dialog. */
export async function newPage(options = {}) {
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 }, ...options });
  const page = await context.newPage();
  page.on("request", (request) => {
    const path = new URL(request.url()).pathname;
    if (path.startsWith("/api/")) apiPaths.push(path);
  });
  page.on("dialog", (dialog) => {
    throw new Error(`a dialog opened: ${dialog.message()}`);
  });
  return { context, page };
}

/** Submits the console's sign-in form; what follows (connected, or an error) is the caller's. */
export async function submitSignIn(page, username, password) {
  await page.goto(`${base}/admin/chat`);
  await page.fill("#sign-in-form input[name=username]", username);
  await page.fill("#sign-in-form input[name=password]", password);
  await page.click("#sign-in-form button");
}

export async function signIn(page, username = "admin", password = "admin123") {
  await submitSignIn(page, username, password);
  await page.locator("#status", { hasText: CONNECTED }).waitFor();
}

export async function startChat(page, name, message, subject = "Billing question") {
  await page.goto(`${base}/chat`);
  await page.fill("input[name=customer_name]", name);
  await page.fill("input[name=subject]", subject);
  await page.fill("textarea[name=message]", message);
  await page.click("#start-form button");
  await page.locator("#status", { hasText: CONNECTED }).waitFor();
}

export const roomItem = (page, name) => page.locator(".room-item", { has: page.locator(".name", { hasText: name }) });
export const message = (page, text) => page.locator(".message .content", { hasText: text });

export async function say(page, text) {
  await page.fill("#send-box", text);
  await page.press("#send-box", "Enter");
}


const axeSource = readFileSync(join(root, "tests/browser/node_modules/axe-core/axe.min.js"), "utf8");

// axe-core's serious and critical findings on the page as it is now (WCAG 2.1 A and AA, and
// axe's best practices), one line each; empty when there is none.
export async function seriousViolations(page, state) {
  // Evaluated over DevTools, which the pages' CSP (script-src 'self') does not govern.
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(axeSource);
  const { violations } = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } }),
  );
  return violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => {
      const nodes = violation.nodes.slice(0, 3).map((node) => `${node.target.join(" ")}: ${node.failureSummary.split("\n")[1] || ""}`);
      return `${state}: ${violation.id} (${violation.impact}, ${violation.nodes.length} nodes) ${nodes.join("; ")}`;
    });
}
