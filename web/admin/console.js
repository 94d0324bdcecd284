// The agents' console: every room, live. It speaks only API.md's public API.

import { endpoints } from "../lib/endpoints.js";
import { Api, ApiError, clientMsgId, messagesAfter } from "../lib/api.js";
import { el, placeMessages, timeOf, TypingIndicator, TypingSender, wireSendBox } from "../lib/render.js";
import { LiveSocket, STATUS_TEXT } from "../lib/socket.js";

const { apiBase, wsBase } = endpoints();
const $ = (id) => document.getElementById(id);
const SESSION_KEY = "chat.agent.session";

const state = {
  session: JSON.parse(localStorage.getItem(SESSION_KEY) || "null"),
  rooms: new Map(), // id -> room
  filter: "open",
  next: null,
  openRoom: null, // id
  oldest: null, // id of the oldest message shown
  newest: null, // id of the newest message shown
  olderCursor: null,
  socket: null,
  refreshTimer: null,
};

const api = new Api(apiBase, () => state.session && state.session.access);
const typing = new TypingIndicator($("typing"));
const typingSender = new TypingSender((isTyping) =>
  state.socket && state.openRoom && state.socket.send({ action: "typing", room_id: state.openRoom, is_typing: isTyping }),
);

// Session and token refresh.

function saveSession(session) {
  state.session = session;
  if (session) localStorage.setItem(SESSION_KEY, JSON.stringify(session));
  else localStorage.removeItem(SESSION_KEY);
}

// A token's deadline is kept on this computer's clock: when it arrived plus its lifetime
// (exp − iat). Comparing the server's `exp` with Date.now() would break on a computer whose
// clock is off: a few minutes fast, and every new access token would look due for refresh at
// once, in a loop.
function deadlineOf(token) {
  try {
    const payload = JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
    return Date.now() + (payload.exp - payload.iat) * 1000;
  } catch {
    return 0;
  }
}

function scheduleRefresh() {
  clearTimeout(state.refreshTimer);
  const wait = Math.max(0, state.session.accessUntil - Date.now() - 60_000);
  state.refreshTimer = setTimeout(refreshAccess, wait);
}

async function refreshAccess() {
  try {
    const { access } = await api.request("POST", "/api/auth/refresh", { refresh: state.session.refresh });
    saveSession({ ...state.session, access, accessUntil: deadlineOf(access) });
    scheduleRefresh();
    return true;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) signOut();
    else state.refreshTimer = setTimeout(refreshAccess, 10_000);
    return false;
  }
}

// Every call goes through here: an expired access token is refreshed once and retried.
async function call(method, path, body) {
  try {
    return await api.request(method, path, body);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401 && (await refreshAccess())) {
      return api.request(method, path, body);
    }
    throw error;
  }
}

function signOut() {
  saveSession(null);
  clearTimeout(state.refreshTimer);
  if (state.socket) state.socket.close();
  state.socket = null;
  showSignIn();
}

function showSignIn() {
  $("workspace").hidden = true;
  $("sign-in").hidden = false;
  document.title = "Support console";
}

$("sign-in-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  $("sign-in-error").hidden = true;
  try {
    const session = await api.request("POST", "/api/auth/login", {
      username: form.get("username"),
      password: form.get("password"),
    });
    saveSession({ ...session, accessUntil: deadlineOf(session.access), refreshUntil: deadlineOf(session.refresh) });
    start();
  } catch (error) {
    $("sign-in-error").textContent = error.status === 401 ? "Wrong username or password." : error.message;
    $("sign-in-error").hidden = false;
  }
});

$("sign-out").addEventListener("click", signOut);

// The room list.

function sortedRooms() {
  return [...state.rooms.values()]
    .filter((room) => state.filter === "all" || room.status === state.filter)
    .sort((a, b) => (b.updated_at + b.id).localeCompare(a.updated_at + a.id));
}

function renderRooms() {
  const list = $("room-list");
  list.replaceChildren(
    ...sortedRooms().map((room) => {
      const last = room.last_message;
      const item = el("li", { class: `room-item${room.id === state.openRoom ? " active" : ""}`, "data-id": room.id }, [
        el("div", { class: "line" }, [
          el("span", { class: "name", text: room.customer_name }),
          el("time", { text: timeOf(room.updated_at) }),
        ]),
        el("div", { class: "subject", text: room.subject || "" }),
        el("div", { class: "line" }, [
          el("span", { class: "preview", text: last ? last.content : "No messages yet" }),
          room.unread_count > 0 ? el("span", { class: "badge", text: String(room.unread_count) }) : null,
          el("span", { class: `state ${room.status}`, text: room.status }),
        ]),
      ]);
      item.addEventListener("click", () => openRoom(room.id));
      return item;
    }),
  );
  const unread = [...state.rooms.values()].reduce((sum, room) => sum + (room.unread_count || 0), 0);
  document.title = unread > 0 ? `(${unread}) Support console` : "Support console";
}

async function loadRooms() {
  const query = state.filter === "all" ? "" : `?status=${state.filter}`;
  const page = await call("GET", `/api/admin/chat-rooms${query}`);
  for (const room of page.rooms) state.rooms.set(room.id, room);
  state.next = page.next;
  $("more-rooms").hidden = !state.next;
  renderRooms();
}

$("more-rooms").addEventListener("click", async () => {
  const status = state.filter === "all" ? "" : `status=${state.filter}&`;
  const page = await call("GET", `/api/admin/chat-rooms?${status}cursor=${encodeURIComponent(state.next)}`);
  for (const room of page.rooms) state.rooms.set(room.id, room);
  state.next = page.next;
  $("more-rooms").hidden = !state.next;
  renderRooms();
});

for (const button of document.querySelectorAll(".filters button")) {
  button.addEventListener("click", () => {
    document.querySelectorAll(".filters button").forEach((b) => b.classList.toggle("active", b === button));
    state.filter = button.dataset.filter;
    loadRooms();
  });
}

// The open conversation.

function showRoomHeader(room) {
  $("room-name").textContent = room.customer_name;
  const details = [room.subject, room.customer_email].filter(Boolean).join(" · ");
  $("room-details").textContent = details;
  $("close-room").hidden = room.status !== "open";
  $("reopen-room").hidden = room.status !== "closed";
  $("send-box").disabled = room.status !== "open";
}

const byAgent = (message) => message.sender_type === "agent";

function appendMessages(messages) {
  const list = $("messages");
  for (const message of placeMessages(list, messages, byAgent)) {
    if (!state.newest || message.id > state.newest) state.newest = message.id;
    if (!state.oldest || message.id < state.oldest) state.oldest = message.id;
  }
  list.scrollTop = list.scrollHeight;
}

async function openRoom(id) {
  state.openRoom = id;
  state.oldest = state.newest = null;
  typing.hide();
  $("empty").hidden = true;
  $("room").hidden = false;
  $("messages").replaceChildren();
  const room = await call("GET", `/api/admin/chat-rooms/${id}`);
  state.rooms.set(id, room);
  if (state.openRoom !== id) return; // another room was opened meanwhile
  showRoomHeader(room);
  const page = await call("GET", `/api/admin/chat-rooms/${id}/get_messages`);
  if (state.openRoom !== id) return;
  state.olderCursor = page.next;
  appendMessages(page.messages);
  renderRooms();
  markRead();
}

async function markRead() {
  const room = state.rooms.get(state.openRoom);
  if (!room || document.hidden) return;
  const answer = await call("POST", `/api/admin/chat-rooms/${room.id}/mark_as_read`);
  room.unread_count = answer.unread_count;
  renderRooms();
}

document.addEventListener("visibilitychange", () => {
  const room = state.rooms.get(state.openRoom);
  if (!document.hidden && room && room.unread_count > 0) markRead();
});

// Scrolling to the top loads the page before.
$("messages").addEventListener("scroll", async (event) => {
  const list = event.target;
  if (list.scrollTop > 40 || !state.olderCursor || state.loadingOlder) return;
  state.loadingOlder = true;
  const roomId = state.openRoom;
  const page = await call("GET", `/api/admin/chat-rooms/${roomId}/get_messages?before=${encodeURIComponent(state.olderCursor)}`);
  if (roomId === state.openRoom) {
    const height = list.scrollHeight;
    placeMessages(list, page.messages, byAgent);
    list.scrollTop = list.scrollHeight - height;
    state.olderCursor = page.next;
  }
  state.loadingOlder = false;
});

async function send() {
  const box = $("send-box");
  const content = box.value.trim();
  if (!content || !state.openRoom) return;
  box.value = "";
  typingSender.stop();
  const message = await call("POST", `/api/admin/chat-rooms/${state.openRoom}/send_message`, {
    content,
    client_msg_id: clientMsgId(),
  });
  if (message.room_id === state.openRoom) appendMessages([message]);
}

wireSendBox($("send-form"), $("send-box"), send, typingSender);

for (const [button, action] of [["close-room", "close"], ["reopen-room", "reopen"]]) {
  $(button).addEventListener("click", async () => {
    const room = await call("POST", `/api/admin/chat-rooms/${state.openRoom}/${action}`);
    state.rooms.set(room.id, room);
    showRoomHeader(room);
    renderRooms();
  });
}

// Real time.

function onEvent(event) {
  switch (event.type) {
    case "room_created":
    case "room_updated": {
      state.rooms.set(event.room.id, event.room);
      if (event.room.id === state.openRoom) showRoomHeader(event.room);
      renderRooms();
      break;
    }
    case "message": {
      const message = event.message;
      const room = state.rooms.get(message.room_id);
      if (room) {
        const isNew = !room.last_message || message.id > room.last_message.id;
        if (isNew) {
          room.last_message = message;
          room.updated_at = message.created_at;
          if (message.sender_type === "customer") room.unread_count = (room.unread_count || 0) + 1;
        }
      } else {
        loadRooms();
      }
      if (message.room_id === state.openRoom) {
        appendMessages([message]);
        if (message.sender_type === "customer") {
          typing.hide();
          markRead();
        }
      }
      renderRooms();
      break;
    }
    case "typing":
      if (event.room_id === state.openRoom && event.sender_type === "customer") {
        const room = state.rooms.get(event.room_id);
        if (event.is_typing) typing.show(`${room ? room.customer_name : "The customer"} is typing…`);
        else typing.hide();
      }
      break;
    default:
      break;
  }
}

// After every (re)connect: nothing missed, in the list or in the open conversation.
async function catchUp() {
  await loadRooms();
  if (state.openRoom) {
    const roomPath = `/api/admin/chat-rooms/${state.openRoom}`;
    const missed = await messagesAfter({ get: (path) => call("GET", path) }, roomPath, state.newest);
    appendMessages(missed);
    markRead();
  }
}

// The connection id (from pong) rides along, for support and for the browser tests.
function setStatus(status, connectionId) {
  const node = $("status");
  node.dataset.connectionId = connectionId || "";
  node.textContent = STATUS_TEXT[status];
  node.className = `status ${status}`;
}

function start() {
  $("sign-in").hidden = true;
  $("workspace").hidden = false;
  $("agent-name").textContent = state.session.agent.display_name;
  scheduleRefresh();
  loadRooms().catch(() => {});
  state.socket = new LiveSocket({
    url: () => `${wsBase}?token=${encodeURIComponent(state.session.access)}`,
    onEvent,
    onStatus: setStatus,
    onOpen: () => catchUp().catch(() => {}),
  });
}

// A session saved without deadlines (an older console) signs in again.
if (state.session && state.session.refreshUntil > Date.now()) {
  if (state.session.accessUntil - Date.now() < 60_000) {
    refreshAccess().then((ok) => ok && start());
  } else {
    start();
  }
} else {
  saveSession(null);
  showSignIn();
}
