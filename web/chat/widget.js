// The customer's side: start a chat, keep it across reloads (token and room in web storage),
// talk live with the agents. It speaks only API.md's public API.

import { endpoints } from "../lib/endpoints.js";
import { Api, ApiError, clientMsgId, messagesAfter } from "../lib/api.js";
import { Conversation } from "../lib/conversation.js";
import { storage } from "../lib/storage.js";
import { newChatProblems, showProblems } from "../lib/fields.js";
import { length, MAX_CONTENT, sendFailure, TypingIndicator, TypingSender, wireSendBox } from "../lib/render.js";
import { LiveSocket, STATUS_TEXT } from "../lib/socket.js";

const { apiBase, wsBase } = endpoints();
const $ = (id) => document.getElementById(id);
const STORE_KEY = "chat.customer";

const state = {
  saved: JSON.parse(storage.getItem(STORE_KEY) || "null"), // {token, roomId}
  room: null,
  readUpTo: null,
  socket: null,
  unread: 0, // agent messages that arrived while the embedded chat was closed
  shown: true, // whether the chat is open: a page of its own always is, an embedded one when told
};

// Embedded by embed.js: the hosting page's origin, to tell it the unread count and hear
// whether the chat is open; nothing else crosses.
const host = new URLSearchParams(location.search).get("host");
if (host) state.shown = false;
function tellHost(message) {
  if (host && window.parent !== window) window.parent.postMessage(message, host);
}
window.addEventListener("message", (event) => {
  if (!host || event.origin !== host || event.source !== window.parent) return;
  if (event.data && event.data.type === "chat:shown") {
    state.shown = Boolean(event.data.shown);
    if (state.shown) {
      state.unread = 0;
      tellHost({ type: "chat:unread", count: 0 });
      ($("chat").hidden ? $("customer_name") : $("send-box")).focus();
    }
  }
});
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") tellHost({ type: "chat:close" });
});

const api = new Api(apiBase, () => state.saved && state.saved.token);
const typing = new TypingIndicator($("typing"));
const conversation = new Conversation({
  list: $("messages"),
  pill: $("new-messages"),
  announcer: $("announcer"),
  mine: (message) => message.sender_type === "customer",
});
const typingSender = new TypingSender((isTyping) => state.socket && state.socket.send({ action: "typing", is_typing: isTyping }));
const roomPath = () => `/api/public/chat-rooms/${state.saved.roomId}`;

function save(saved) {
  state.saved = saved;
  storage.setItem(STORE_KEY, JSON.stringify(saved));
}

function showStart() {
  $("chat").hidden = true;
  $("status").hidden = true;
  $("start-form").hidden = false;
}

const startForm = $("start-form");
const fieldsOf = () => Object.fromEntries(["customer_name", "customer_email", "subject", "message"].map((name) => [name, startForm.elements[name].value]));

startForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  $("start-error").hidden = true;
  const fields = fieldsOf();
  if (!showProblems(startForm, newChatProblems(fields))) return;
  const optional = (value) => value.trim() || null;
  try {
    // A returning visitor's token files the new room under the same visitor.
    const created = await api.post("/api/public/chat-rooms", {
      customer_name: fields.customer_name.trim(),
      customer_email: optional(fields.customer_email),
      subject: optional(fields.subject),
      message: fields.message.trim(),
    });
    save({ token: created.customer_token, roomId: created.room.id });
    startForm.reset();
    await resume();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      storage.removeItem(STORE_KEY); // an expired visitor token: start afresh
      state.saved = null;
    }
    // The server's word on a field goes on that field; anything else above the form.
    if (error instanceof ApiError && error.field && startForm.elements[error.field]) {
      showProblems(startForm, { [error.field]: error.message });
      return;
    }
    $("start-error").textContent = error instanceof ApiError ? error.message : "We could not reach the chat. Check your connection and try again.";
    $("start-error").hidden = false;
  }
});

// The question's count shows near the limit; nothing pasted is cut silently.
startForm.elements.message.addEventListener("input", () => {
  const used = length(startForm.elements.message.value);
  const count = $("message-count");
  count.hidden = used < MAX_CONTENT - 500;
  count.textContent = `${used.toLocaleString()} / ${MAX_CONTENT.toLocaleString()}`;
  count.classList.toggle("over", used > MAX_CONTENT);
});

$("new-chat").addEventListener("click", () => {
  if (state.socket) state.socket.close();
  state.socket = null;
  showStart();
});

function showRoom(room) {
  state.room = room;
  const closed = room.status === "closed";
  $("closed-note").hidden = !closed;
  $("send-box").disabled = closed;
  updateSendBox();
}

function placeMessages(messages, options) {
  const placed = conversation.place(messages, options);
  const fromAgents = placed.filter((message) => message.sender_type === "agent").length;
  if (fromAgents && !state.shown) {
    state.unread += fromAgents;
    tellHost({ type: "chat:unread", count: state.unread });
  }
  renderSeen();
}

// "Seen" under the conversation once the agents have read up to my newest message.
function renderSeen() {
  const mine = [...$("messages").querySelectorAll(".message.mine[data-id]")];
  const last = mine.length ? mine[mine.length - 1].dataset.id : null;
  $("seen").hidden = !(last && state.readUpTo && state.readUpTo >= last);
}

function onEvent(event) {
  switch (event.type) {
    case "message":
      placeMessages([event.message]);
      if (event.message.sender_type === "agent") typing.hide();
      // A system message tells of a close or a reopen: read the room's status again.
      if (event.message.sender_type === "system") api.get(roomPath()).then(showRoom, () => {});
      break;
    case "typing":
      if (event.sender_type === "agent") {
        if (event.is_typing) typing.show("Support is typing…");
        else typing.hide();
      }
      break;
    case "read":
      state.readUpTo = event.read_up_to;
      renderSeen();
      break;
    default:
      break;
  }
}

async function catchUp() {
  const room = await api.get(roomPath());
  showRoom(room);
  placeMessages(await messagesAfter(api, roomPath(), conversation.newestId()));
}

// The connection id (from pong) rides along, for support and for the browser tests.
function setStatus(status, connectionId) {
  const node = $("status");
  node.dataset.connectionId = connectionId || "";
  node.hidden = false;
  node.textContent = STATUS_TEXT[status];
  node.className = `status ${status}`;
}

async function resume() {
  $("start-form").hidden = true;
  $("chat").hidden = false;
  conversation.clear();
  try {
    const room = await api.get(roomPath());
    showRoom(room);
    const page = await api.get(`${roomPath()}/get_messages`);
    placeMessages(page.messages, { announce: false });
    conversation.toNewest();
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 404)) {
      storage.removeItem(STORE_KEY);
      state.saved = null;
      showStart();
      return;
    }
    throw error;
  }
  if (state.socket) state.socket.close();
  state.socket = new LiveSocket({
    url: () => `${wsBase}?room_id=${encodeURIComponent(state.saved.roomId)}&token=${encodeURIComponent(state.saved.token)}`,
    onEvent,
    onStatus: setStatus,
    onOpen: () => catchUp().catch(() => {}),
  });
}

async function deliver(content, id) {
  conversation.sending({ content, clientMsgId: id, senderName: state.room ? state.room.customer_name : "You" });
  try {
    placeMessages([await api.post(`${roomPath()}/send_message`, { content, client_msg_id: id })]);
  } catch (error) {
    conversation.failed(id, sendFailure(error), () => deliver(content, id));
  }
}

function send() {
  const box = $("send-box");
  const content = box.value.trim();
  if (!content) return;
  box.value = "";
  typingSender.stop();
  deliver(content, clientMsgId());
}

const updateSendBox = wireSendBox(
  { form: $("send-form"), box: $("send-box"), count: $("send-count"), button: $("send-button") },
  send,
  typingSender,
);

// Whether someone is there to answer, read at start and now and then.
async function showAvailability() {
  try {
    const { online } = await api.get("/api/public/availability");
    const node = $("availability");
    node.textContent = online ? "We're online" : "We're away: leave a message and we'll reply here";
    node.className = `availability ${online ? "online" : "away"}`;
    node.hidden = false;
  } catch {
    // Not knowing is not worth a word.
  }
}
showAvailability();
setInterval(showAvailability, 60_000);

if (state.saved) resume();
else showStart();
