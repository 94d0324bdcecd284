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

export function timeOf(iso) {
  const date = new Date(iso);
  const today = new Date();
  const sameDay = date.toDateString() === today.toDateString();
  return sameDay
    ? date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })
    : date.toLocaleDateString([], { month: "short", day: "numeric" });
}

// One message bubble; `mine` puts it on the right.
export function messageNode(message, mine) {
  return el("li", { class: `message ${message.sender_type}${mine ? " mine" : ""}`, "data-id": message.id }, [
    el("div", { class: "meta" }, [
      el("span", { class: "sender", text: message.sender_name }),
      el("time", { datetime: message.created_at, text: timeOf(message.created_at) }),
    ]),
    el("div", { class: "content", text: message.content }),
  ]);
}

// Places each message's node in `list` in id order (ULIDs sort as text in creation order),
// once: a history page and the pushes that raced it may arrive in any order, and the
// conversation still reads oldest first. Returns the messages that were new to the list.
export function placeMessages(list, messages, mine) {
  const placed = [];
  for (const message of messages) {
    if (list.querySelector(`[data-id="${message.id}"]`)) continue; // already shown
    const node = messageNode(message, mine(message));
    const later = [...list.children].find((child) => child.dataset.id > message.id);
    list.insertBefore(node, later || null);
    placed.push(message);
  }
  return placed;
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

// A send box: Enter sends, Shift+Enter makes a new line, typing is signalled while typing.
export function wireSendBox(form, box, send, typingSender) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send();
  });
  box.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      send();
    }
  });
  box.addEventListener("input", () => typingSender.input());
}
