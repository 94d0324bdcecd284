// The customer's side: start a chat, keep it across reloads (token and room in localStorage),
// talk live with the agents. It speaks only API.md's public API.

import { endpoints } from "../lib/endpoints.js";
import { Api, ApiError, clientMsgId, messagesAfter } from "../lib/api.js";
import { placeMessages, TypingIndicator, TypingSender, wireSendBox } from "../lib/render.js";
import { LiveSocket, STATUS_TEXT } from "../lib/socket.js";

const { apiBase, wsBase } = endpoints();
const $ = (id) => document.getElementById(id);
const STORE_KEY = "chat.customer";

const state = {
  saved: JSON.parse(localStorage.getItem(STORE_KEY) || "null"), // {token, roomId}
  room: null,
  newest: null,
  readUpTo: null,
  socket: null,
};

const api = new Api(apiBase, () => state.saved && state.saved.token);
const typing = new TypingIndicator($("typing"));
const typingSender = new TypingSender((isTyping) => state.socket && state.socket.send({ action: "typing", is_typing: isTyping }));
const roomPath = () => `/api/public/chat-rooms/${state.saved.roomId}`;

function save(saved) {
  state.saved = saved;
  localStorage.setItem(STORE_KEY, JSON.stringify(saved));
}

function showStart() {
  $("chat").hidden = true;
  $("status").hidden = true;
  $("start-form").hidden = false;
}

$("start-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const optional = (name) => (form.get(name) || "").trim() || null;
  $("start-error").hidden = true;
  try {
    // A returning visitor's token files the new room under the same visitor.
    const created = await api.post("/api/public/chat-rooms", {
      customer_name: form.get("customer_name"),
      customer_email: optional("customer_email"),
      subject: optional("subject"),
      message: optional("message"),
    });
    save({ token: created.customer_token, roomId: created.room.id });
    event.target.reset();
    await resume();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      localStorage.removeItem(STORE_KEY); // an expired visitor token: start afresh
      state.saved = null;
    }
    $("start-error").textContent = error.message;
    $("start-error").hidden = false;
  }
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
}

function appendMessages(messages) {
  const list = $("messages");
  const byCustomer = (message) => message.sender_type === "customer";
  for (const message of placeMessages(list, messages, byCustomer)) {
    if (!state.newest || message.id > state.newest) state.newest = message.id;
  }
  list.scrollTop = list.scrollHeight;
  renderSeen();
}

// "Seen" under the conversation once the agents have read up to my newest message.
function renderSeen() {
  const mine = [...$("messages").querySelectorAll(".message.mine")];
  const last = mine.length ? mine[mine.length - 1].dataset.id : null;
  $("seen").hidden = !(last && state.readUpTo && state.readUpTo >= last);
}

function onEvent(event) {
  switch (event.type) {
    case "message":
      appendMessages([event.message]);
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
  appendMessages(await messagesAfter(api, roomPath(), state.newest));
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
  $("messages").replaceChildren();
  state.newest = null;
  try {
    const room = await api.get(roomPath());
    showRoom(room);
    const page = await api.get(`${roomPath()}/get_messages`);
    appendMessages(page.messages);
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 404)) {
      localStorage.removeItem(STORE_KEY);
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

async function send() {
  const box = $("send-box");
  const content = box.value.trim();
  if (!content) return;
  box.value = "";
  typingSender.stop();
  const message = await api.post(`${roomPath()}/send_message`, { content, client_msg_id: clientMsgId() });
  appendMessages([message]);
}

wireSendBox($("send-form"), $("send-box"), send, typingSender);

if (state.saved) resume();
else showStart();
