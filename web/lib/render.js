// DOM helpers. User text only ever goes in as text: nothing a user wrote is parsed as HTML.

export function el(tag, attributes = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "text") node.textContent = value;
    else if (name === "class") node.className = value;
    else if (value !== undefined && value !== null && value !== false) node.setAttribute(name, value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

const sameDay = (a, b) => a.toDateString() === b.toDateString();

export function clockTime(iso) {
  return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

// For the room list: the time today, the date before.
export function timeOf(iso) {
  const date = new Date(iso);
  return sameDay(date, new Date())
    ? clockTime(iso)
    : date.toLocaleDateString([], { month: "short", day: "numeric" });
}

// The heading of a day in a conversation.
export function dayOf(iso) {
  const date = new Date(iso);
  const today = new Date();
  const yesterday = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1);
  if (sameDay(date, today)) return "Today";
  if (sameDay(date, yesterday)) return "Yesterday";
  const options = { weekday: "long", month: "long", day: "numeric" };
  if (date.getFullYear() !== today.getFullYear()) options.year = "numeric";
  return date.toLocaleDateString([], options);
}

// http(s) addresses in a message; trailing punctuation is the sentence's, not the link's.
const URL_PATTERN = /\bhttps?:\/\/[^\s<>"]+/gi;
const TRAILING = /[.,;:!?)\]}'"]+$/;

// A message's text with its web addresses as links. Each piece goes in as a text node; a link
// is made only of an address that parses as http or https, and opens apart from this page.
export function textWithLinks(text) {
  const nodes = [];
  let at = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const address = match[0].replace(TRAILING, "");
    let url = null;
    try {
      url = new URL(address);
    } catch {
      continue;
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") continue;
    nodes.push(document.createTextNode(text.slice(at, match.index)));
    nodes.push(el("a", { href: url.href, target: "_blank", rel: "noopener noreferrer", text: address }));
    at = match.index + address.length;
  }
  nodes.push(document.createTextNode(text.slice(at)));
  return nodes;
}

// Typing signals: shown while fresh, hidden after a few silent seconds.
export class TypingIndicator {
  constructor(node) {
    this.node = node;
    this.timer = null;
  }

  show(text) {
    this.node.textContent = text;
    this.node.hidden = false;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.hide(), 6000);
  }

  hide() {
    this.node.hidden = true;
    this.node.textContent = "";
    clearTimeout(this.timer);
  }
}

// Sends typing true/false at most every few seconds while the user types.
export class TypingSender {
  constructor(send) {
    this.send = send;
    this.lastSent = 0;
    this.stopTimer = null;
  }

  input() {
    const now = Date.now();
    if (now - this.lastSent > 2500) {
      this.send(true);
      this.lastSent = now;
    }
    clearTimeout(this.stopTimer);
    this.stopTimer = setTimeout(() => this.stop(), 3000);
  }

  stop() {
    clearTimeout(this.stopTimer);
    if (this.lastSent) this.send(false);
    this.lastSent = 0;
  }
}

// API.md: message content is 1–4000 characters after trimming, counted in code points.
export const MAX_CONTENT = 4000;
export const length = (text) => [...text.trim()].length;
const COUNT_FROM = MAX_CONTENT - 500;

// On a touch screen Enter makes a new line and the button sends; elsewhere Enter sends and
// Shift+Enter makes a new line.
export const enterSends = () => !matchMedia("(pointer: coarse)").matches;

// A send box: Enter (or the button) sends unless the text is too long, never while an input
// method is composing (Chinese, Japanese: Enter there picks the conversion); a count shows
// near the limit, and typing is signalled while typing.
// The box's placeholder (its `data-placeholder`), with how Enter works where it sends.
export function showPlaceholder(box) {
  box.placeholder = enterSends() ? `${box.dataset.placeholder} (Enter sends, Shift+Enter for a new line)` : box.dataset.placeholder;
}

export function wireSendBox({ form, box, count, button }, send, typingSender) {
  const update = () => {
    const used = length(box.value);
    const over = used > MAX_CONTENT;
    count.hidden = used < COUNT_FROM;
    count.textContent = over
      ? `${used.toLocaleString()} / ${MAX_CONTENT.toLocaleString()}: ${(used - MAX_CONTENT).toLocaleString()} too many`
      : `${used.toLocaleString()} / ${MAX_CONTENT.toLocaleString()}`;
    count.classList.toggle("over", over);
    box.setAttribute("aria-invalid", String(over));
    button.disabled = box.disabled || over;
  };
  const trySend = () => {
    if (box.disabled || length(box.value) > MAX_CONTENT) return;
    send();
    update();
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    trySend();
  });
  showPlaceholder(box);
  box.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.shiftKey || event.isComposing || event.keyCode === 229) return;
    if (!enterSends()) return;
    event.preventDefault();
    trySend();
  });
  box.addEventListener("input", () => {
    typingSender.input();
    update();
  });
  return update;
}

// What a failed send says, and whether trying again can help.
export function sendFailure(error) {
  if (!("status" in error)) return { reason: "Not sent: no connection.", retry: true };
  if (error.status === 409) return { reason: "Not sent: this conversation is closed.", retry: false };
  if (error.status === 429) return { reason: "Not sent: too many messages at once. Try again in a moment.", retry: true };
  if (error.status >= 500) return { reason: "Not sent: the server had a problem.", retry: true };
  return { reason: `Not sent: ${error.message}`, retry: false };
}
