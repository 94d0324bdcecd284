// The REST API of API.md, with its error body turned into an exception.

export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || `HTTP ${status}`);
    this.status = status;
    this.code = error.code || "unknown";
    this.field = error.field || null;
  }
}

export class Api {
  // token() returns the bearer token to send, or null.
  constructor(base, token) {
    this.base = base;
    this.token = token;
  }

  async request(method, path, body) {
    const headers = { Accept: "application/json" };
    const token = this.token();
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(this.base + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const json = text ? JSON.parse(text) : null;
    if (!response.ok) throw new ApiError(response.status, json);
    return json;
  }

  get(path) {
    return this.request("GET", path);
  }

  post(path, body) {
    return this.request("POST", path, body === undefined ? {} : body);
  }
}

// A fresh idempotency key for a send, so a retry never stores a message twice.
export function clientMsgId() {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return "c-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// Every message after `afterId`, page by page (catch-up after a reconnect).
export async function messagesAfter(api, roomPath, afterId) {
  const all = [];
  let after = afterId;
  for (;;) {
    const query = after ? `?limit=200&after=${encodeURIComponent(after)}` : "?limit=200";
    const page = await api.get(`${roomPath}/get_messages${query}`);
    all.push(...page.messages);
    if (!page.next || !after) return all;
    after = page.next;
  }
}
