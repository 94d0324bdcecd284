// One conversation on screen, shared by both clients: messages in id order and once, whatever
// order history pages and pushes arrive in; sends shown while sending and when they fail;
// days and runs of one sender grouped; and a view that never jumps while someone reads.

import { clockTime, dayOf, el, textWithLinks } from "./render.js";

// Closer than this to the bottom counts as reading the newest.
const AT_BOTTOM_PX = 48;
// Messages of one sender this close together form one run (one name and time shown).
const RUN_MS = 5 * 60 * 1000;

export class Conversation {
  // list: the <ol> that scrolls; pill: the "new messages / jump to newest" button;
  // announcer: a polite live region; mine(message): whether it is on the reader's side.
  constructor({ list, pill, announcer, mine }) {
    this.list = list;
    this.pill = pill;
    this.announcer = announcer;
    this.mine = mine;
    this.unseen = 0;
    list.addEventListener("scroll", () => {
      if (this.atBottom()) this.unseen = 0;
      this.showPill();
    });
    pill.addEventListener("click", () => {
      this.toNewest();
      list.focus();
    });
  }

  clear() {
    this.list.replaceChildren();
    this.unseen = 0;
    this.showPill();
  }

  atBottom() {
    const list = this.list;
    return list.scrollHeight - list.scrollTop - list.clientHeight < AT_BOTTOM_PX;
  }

  toNewest() {
    this.list.scrollTop = this.list.scrollHeight;
    this.unseen = 0;
    this.showPill();
  }

  showPill() {
    const reading = !this.atBottom();
    this.pill.hidden = !reading;
    this.pill.textContent = this.unseen > 0 ? `↓ ${this.unseen} new message${this.unseen > 1 ? "s" : ""}` : "↓ Jump to newest";
  }

  messageNodes() {
    return [...this.list.querySelectorAll(":scope > .message[data-id]")];
  }

  newestId() {
    const nodes = this.messageNodes();
    return nodes.length ? nodes[nodes.length - 1].dataset.id : null;
  }

  oldestId() {
    const nodes = this.messageNodes();
    return nodes.length ? nodes[0].dataset.id : null;
  }

  // Places each message in id order (ULIDs sort as text in creation order), once; a message
  // of a send still on screen as sending or failed takes that bubble's place. The reader's
  // view stays where it is unless they were at the newest or the message is their own.
  // Returns the messages that were new to the list.
  place(messages, { announce = true } = {}) {
    const wasAtBottom = this.atBottom();
    const anchor = this.topVisible();
    const anchorTop = anchor && anchor.getBoundingClientRect().top;
    const placed = [];
    let ownSent = false;
    let newerUnseen = 0;
    const newest = this.newestId();
    for (const message of messages) {
      if (this.list.querySelector(`:scope > [data-id="${message.id}"]`)) continue;
      const pending = message.client_msg_id && this.pendingNode(message.client_msg_id);
      const node = this.messageNode(message);
      if (pending) pending.remove();
      const later = [...this.list.children].find((child) => child.dataset.id > message.id || child.dataset.pending);
      this.list.insertBefore(node, later || null);
      placed.push(message);
      if (pending) ownSent = true;
      else if (!newest || message.id > newest) newerUnseen += 1;
    }
    if (!placed.length) return placed;
    this.regroup();
    if (wasAtBottom || ownSent) {
      this.toNewest();
    } else {
      if (anchor && anchor.isConnected) this.list.scrollTop += anchor.getBoundingClientRect().top - anchorTop;
      this.unseen += newerUnseen;
      this.showPill();
    }
    if (announce) {
      const heard = placed.filter((m) => !this.mine(m) && (!newest || m.id > newest));
      if (heard.length) this.announce(heard.map((m) => `${m.private ? "Private note, " : ""}${m.sender_name}: ${m.content}`).join(". "));
    }
    return placed;
  }

  announce(text) {
    this.announcer.textContent = "";
    // A new text node each time, so a repeated message is announced again.
    requestAnimationFrame(() => (this.announcer.textContent = text));
  }

  topVisible() {
    const top = this.list.getBoundingClientRect().top;
    return [...this.list.children].find((child) => child.getBoundingClientRect().bottom > top) || null;
  }

  messageNode(message) {
    const mine = this.mine(message);
    // A private note (agents only ever get one) says so in words, not only in colour.
    const kind = `${message.sender_type}${message.private ? ":note" : ""}`;
    return el("li", { class: `message ${message.sender_type}${mine ? " mine" : ""}${message.private ? " private" : ""}`, "data-id": message.id, "data-sender": `${kind}:${message.sender_name}`, "data-at": message.created_at }, [
      el("div", { class: "meta" }, [
        message.private ? el("span", { class: "private-label", text: "Private note" }) : null,
        el("span", { class: "sender", text: message.sender_name }),
        el("time", { datetime: message.created_at, text: clockTime(message.created_at) }),
      ]),
      el("div", { class: "content", dir: "auto" }, textWithLinks(message.content)),
    ]);
  }

  pendingNode(clientMsgId) {
    return this.list.querySelector(`:scope > [data-pending="${clientMsgId}"]`);
  }

  // A send on its way: the reader's text at the end of the conversation, marked as sending.
  sending({ content, clientMsgId, senderName, note = false }) {
    let node = this.pendingNode(clientMsgId);
    if (!node) {
      node = el("li", { class: `message mine sending${note ? " private" : ""}`, "data-pending": clientMsgId }, [
        el("div", { class: "meta" }, [
          note ? el("span", { class: "private-label", text: "Private note" }) : null,
          el("span", { class: "sender", text: senderName }),
        ]),
        el("div", { class: "content", dir: "auto", text: content }),
        el("div", { class: "delivery", text: "Sending…" }),
      ]);
      this.list.append(node);
    } else {
      node.classList.replace("failed", "sending");
      node.querySelector(".delivery").replaceChildren("Sending…");
    }
    this.toNewest();
  }

  // A send that failed: its text stays, with the reason and, where trying again can help,
  // a Retry that sends it again under the same client_msg_id (stored once however often).
  failed(clientMsgId, { reason, retry }, onRetry) {
    const node = this.pendingNode(clientMsgId);
    if (!node) return;
    node.classList.replace("sending", "failed");
    const delivery = node.querySelector(".delivery");
    delivery.replaceChildren(el("span", { role: "alert", text: reason }));
    if (retry) {
      const button = el("button", { type: "button", class: "retry", text: "Retry" });
      button.addEventListener("click", () => {
        onRetry();
        this.list.focus();
      });
      delivery.append(" ", button);
    }
  }

  // A "New messages" line above the first of the last `count` messages from the other side.
  divideUnread(count) {
    this.list.querySelector(":scope > .unread-divider")?.remove();
    if (count <= 0) return;
    const theirs = this.messageNodes().filter((node) => !node.classList.contains("mine") && !node.classList.contains("system"));
    const first = theirs[Math.max(0, theirs.length - count)];
    if (!first) return;
    const divider = el("li", { class: "unread-divider", text: "New messages" });
    divider.dataset.id = first.dataset.id.slice(0, -1); // sorts just before it
    this.list.insertBefore(divider, first);
    this.list.scrollTop = Math.max(0, divider.offsetTop - this.list.offsetTop - 8);
    this.showPill();
  }

  // Day headings before the first message of each day; the name and time shown once per run.
  regroup() {
    for (const heading of this.list.querySelectorAll(":scope > .day")) heading.remove();
    let previous = null;
    for (const node of this.messageNodes()) {
      const at = new Date(node.dataset.at);
      const day = dayOf(node.dataset.at);
      if (!previous || dayOf(previous.dataset.at) !== day) {
        const heading = el("li", { class: "day", text: day });
        heading.dataset.id = node.dataset.id.slice(0, -1);
        // Above the unread line when that line opens the day.
        const divider = node.previousElementSibling;
        (divider && divider.classList.contains("unread-divider") ? divider : node).before(heading);
        previous = null;
      }
      const run =
        previous &&
        previous.dataset.sender === node.dataset.sender &&
        at - new Date(previous.dataset.at) < RUN_MS &&
        !node.classList.contains("system");
      node.classList.toggle("grouped", Boolean(run));
      previous = node;
    }
  }
}
