// The agents' console: every room, live. It speaks only API.md's public API.

import { endpoints } from "../lib/endpoints.js";
import { Api, ApiError, clientMsgId, messagesAfter } from "../lib/api.js";
import { Conversation } from "../lib/conversation.js";
import { el, sendFailure, showPlaceholder, timeOf, TypingIndicator, TypingSender, wireSendBox } from "../lib/render.js";
import { LiveSocket, STATUS_TEXT } from "../lib/socket.js";
import { initCannedPage, initPicker } from "./canned.js";
import { initTeam } from "./team.js";

const { apiBase, wsBase } = endpoints();
const $ = (id) => document.getElementById(id);
const SESSION_KEY = "chat.agent.session";
const NOTIFY_KEY = "chat.agent.notify";

const state = {
  session: JSON.parse(localStorage.getItem(SESSION_KEY) || "null"),
  rooms: new Map(), // id -> room
  filter: "open",
  assignee: "all", // "me", "none" or "all"
  agents: [], // the team, for the assignee picker
  next: null,
  openRoom: null, // id
  highlighted: null, // id of the room the list's keys are on
  olderCursor: null,
  loadingOlder: false,
  notify: false,
  audio: null,
  socket: null,
  refreshTimer: null,
  loads: 0, // room list requests made: only the latest one's page is shown
  arriving: null, // rooms events bring while that request is on its way
};

const api = new Api(apiBase, () => state.session && state.session.access);
const typing = new TypingIndicator($("typing"));
const conversation = new Conversation({
  list: $("messages"),
  pill: $("new-messages"),
  announcer: $("announcer"),
  mine: (message) => message.sender_type === "agent",
});
// Writing a private note is nothing the customer hears of: no typing signal for it.
const typingSender = new TypingSender((isTyping) =>
  (!isTyping || !$("mode-note").checked) &&
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

// The Team and Saved replies pages take the conversations' place, one at a time.
const me = () => state.session.agent;
const team = initTeam({ call: (...args) => call(...args), me, beforeOpen: () => canned.hide() });
const canned = initCannedPage({ call: (...args) => call(...args), me, beforeOpen: () => team.hide() });

function signOut() {
  team.hide();
  canned.hide();
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
  $("sign-in-form").elements.username.focus();
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

// The room list: a listbox that keeps the focus while it re-renders (the highlighted room is
// its active descendant), worked with the arrow keys, Home, End, Enter and Space.

// Whether a room fits the list's filters (the server's rule, applied to what events bring).
function fits(room) {
  const status = state.filter === "all" || room.status === state.filter;
  const assignee = room.assignee ? room.assignee.id : null;
  const whose =
    state.assignee === "all" ||
    (state.assignee === "none" && assignee === null) ||
    (state.assignee === "me" && assignee === state.session.agent.id);
  return status && whose;
}

function sortedRooms() {
  return [...state.rooms.values()]
    // The open room stays listed while it is on screen, even once it no longer fits the filter.
    .filter((room) => fits(room) || room.id === state.openRoom)
    .sort((a, b) => (b.updated_at + b.id).localeCompare(a.updated_at + a.id));
}

function assigneeText(room) {
  if (!room.assignee) return "Unassigned";
  return room.assignee.id === state.session.agent.id ? "You" : room.assignee.display_name;
}

function renderRooms() {
  const list = $("room-list");
  const rooms = sortedRooms();
  if (!rooms.some((room) => room.id === state.highlighted)) state.highlighted = rooms.length ? rooms[0].id : null;
  list.replaceChildren(
    ...rooms.map((room) => {
      const last = room.last_message;
      const unread = room.unread_count > 0;
      const item = el("li", {
        class: `room-item${room.id === state.openRoom ? " active" : ""}${room.id === state.highlighted ? " highlighted" : ""}`,
        role: "option",
        id: `room-${room.id}`,
        "data-id": room.id,
        "aria-selected": String(room.id === state.openRoom),
      }, [
        el("div", { class: "line" }, [
          el("span", { class: "name", text: room.customer_name }),
          el("time", { datetime: room.updated_at, text: timeOf(room.updated_at) }),
        ]),
        el("div", { class: "line" }, [
          el("span", { class: "subject", text: room.subject || "" }),
          el("span", { class: `owner${room.assignee ? "" : " none"}`, text: assigneeText(room) }),
        ]),
        el("div", { class: "line" }, [
          el("span", { class: "preview", dir: "auto", text: last ? `${last.private ? "Note: " : ""}${last.content}` : "No messages yet" }),
          unread ? el("span", { class: "badge" }, [String(room.unread_count), el("span", { class: "visually-hidden", text: " unread" })]) : null,
          el("span", { class: `state ${room.status}`, text: room.status }),
        ]),
      ]);
      item.addEventListener("click", () => openRoom(room.id));
      return item;
    }),
  );
  if (state.highlighted) list.setAttribute("aria-activedescendant", `room-${state.highlighted}`);
  else list.removeAttribute("aria-activedescendant");
  const unread = [...state.rooms.values()].reduce((sum, room) => sum + (room.unread_count || 0), 0);
  document.title = unread > 0 ? `(${unread}) Support console` : "Support console";
}

$("room-list").addEventListener("keydown", (event) => {
  const ids = sortedRooms().map((room) => room.id);
  if (!ids.length) return;
  const at = Math.max(0, ids.indexOf(state.highlighted));
  const moves = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: ids.length - 1 };
  if (event.key in moves) {
    event.preventDefault();
    state.highlighted = ids[Math.min(ids.length - 1, Math.max(0, moves[event.key]))];
    renderRooms();
    document.getElementById(`room-${state.highlighted}`)?.scrollIntoView({ block: "nearest" });
  } else if (event.key === "Enter" || event.key === " ") {
    event.preventDefault();
    openRoom(ids[at], { focusComposer: true });
  }
});

// The list's query: its filters, as the server reads them.
function listQuery() {
  const query = new URLSearchParams();
  if (state.filter !== "all") query.set("status", state.filter);
  if (state.assignee !== "all") query.set("assignee", state.assignee);
  return query;
}

// A filter lists what the server lists for it, from its first page. Only the latest request's
// page is shown (filters clicked quickly), and rooms that events brought while it was on its
// way are kept: the page may have been read before they were created or changed.
async function loadRooms() {
  const query = listQuery().toString();
  const mine = ++state.loads;
  const arrived = new Map();
  state.arriving = arrived;
  const page = await call("GET", `/api/admin/chat-rooms${query ? `?${query}` : ""}`);
  if (mine !== state.loads) return;
  state.arriving = null;
  const open = state.rooms.get(state.openRoom);
  state.rooms = new Map(page.rooms.map((room) => [room.id, room]));
  for (const room of arrived.values()) {
    const listed = state.rooms.get(room.id);
    if (!listed || listed.updated_at <= room.updated_at) state.rooms.set(room.id, room);
  }
  if (open && !state.rooms.has(open.id)) state.rooms.set(open.id, open);
  state.next = page.next;
  $("more-rooms").hidden = !state.next;
  renderRooms();
}

$("more-rooms").addEventListener("click", async () => {
  const query = listQuery();
  query.set("cursor", state.next);
  const page = await call("GET", `/api/admin/chat-rooms?${query}`);
  for (const room of page.rooms) state.rooms.set(room.id, room);
  state.next = page.next;
  $("more-rooms").hidden = !state.next;
  renderRooms();
  if (!state.next) $("room-list").focus();
});

// Two groups of filters, whose and which status: a button presses within its group.
for (const [key, attribute] of [["filter", "data-filter"], ["assignee", "data-assignee"]]) {
  const buttons = document.querySelectorAll(`.filters button[${attribute}]`);
  for (const button of buttons) {
    button.addEventListener("click", () => {
      buttons.forEach((b) => b.setAttribute("aria-pressed", String(b === button)));
      state[key] = button.getAttribute(attribute);
      loadRooms();
    });
  }
}

// The open conversation.

function showRoomHeader(room) {
  $("room-name").textContent = room.customer_name;
  const details = [room.subject, room.customer_email].filter(Boolean).join(" · ");
  $("room-details").textContent = details;
  const closed = room.status === "closed";
  const hadFocus = document.activeElement;
  $("close-room").hidden = closed;
  $("reopen-room").hidden = !closed;
  showAssignee(room);
  if (closed) $("confirm-close").hidden = true;
  $("composer-note").hidden = !closed;
  showMode();
  // The button just clicked went away: its counterpart takes the focus.
  if (hadFocus === $("close-room") && closed) $("reopen-room").focus();
  if ((hadFocus === $("reopen-room") || hadFocus === $("confirm-close-yes")) && !closed) $("send-box").focus();
  if (hadFocus === $("confirm-close-yes") && closed) $("reopen-room").focus();
}

async function openRoom(id, { focusComposer = false } = {}) {
  // Every room opens on Reply: a note is chosen for the room it is meant for.
  if (id !== state.openRoom) $("mode-reply").checked = true;
  picker.close();
  state.openRoom = id;
  state.highlighted = id;
  typing.hide();
  $("empty").hidden = true;
  $("room").hidden = false;
  $("panes").classList.add("room-open");
  $("confirm-close").hidden = true;
  conversation.clear();
  renderRooms();
  const room = await call("GET", `/api/admin/chat-rooms/${id}`);
  if (state.openRoom !== id) return; // another room was opened meanwhile
  state.rooms.set(id, room);
  showRoomHeader(room);
  if (focusComposer) ($("send-box").disabled ? $("reopen-room") : $("send-box")).focus();
  const page = await call("GET", `/api/admin/chat-rooms/${id}/get_messages`);
  if (state.openRoom !== id) return;
  state.olderCursor = page.next;
  conversation.place(page.messages, { announce: false });
  conversation.divideUnread(room.unread_count || 0);
  if (!room.unread_count) conversation.toNewest();
  renderRooms();
  markRead();
}

$("back-to-rooms").addEventListener("click", () => {
  $("panes").classList.remove("room-open");
  $("room-list").focus();
});

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

// Scrolling to the top loads the page before; the view stays on what was being read.
$("messages").addEventListener("scroll", async (event) => {
  const list = event.target;
  if (list.scrollTop > 40 || !state.olderCursor || state.loadingOlder) return;
  state.loadingOlder = true;
  const roomId = state.openRoom;
  try {
    const page = await call("GET", `/api/admin/chat-rooms/${roomId}/get_messages?before=${encodeURIComponent(state.olderCursor)}`);
    if (roomId === state.openRoom) {
      conversation.place(page.messages, { announce: false });
      state.olderCursor = page.next;
    }
  } finally {
    state.loadingOlder = false;
  }
});

async function deliver(roomId, content, id, note) {
  conversation.sending({ content, clientMsgId: id, senderName: state.session.agent.display_name, note });
  try {
    const body = { content, client_msg_id: id, ...(note ? { private: true } : {}) };
    const message = await call("POST", `/api/admin/chat-rooms/${roomId}/send_message`, body);
    if (message.room_id === state.openRoom) conversation.place([message]);
  } catch (error) {
    if (roomId === state.openRoom) conversation.failed(id, sendFailure(error), () => deliver(roomId, content, id, note));
  }
}

const noting = () => $("mode-note").checked;

function send() {
  const box = $("send-box");
  const content = box.value.trim();
  if (!content || !state.openRoom) return;
  box.value = "";
  picker.close();
  typingSender.stop();
  deliver(state.openRoom, content, clientMsgId(), noting());
}

// Reply or private note: a note is unmistakable (its colour, its label, its button), and a
// closed room takes notes only.
function showMode() {
  const note = noting();
  const room = state.rooms.get(state.openRoom);
  const closed = room ? room.status === "closed" : false;
  const box = $("send-box");
  $("send-form").classList.toggle("noting", note);
  $("send-box-label").textContent = note ? "Private note" : "Reply";
  box.dataset.placeholder = note ? "Private note: only agents see it…" : "Reply, or / for a saved reply…";
  showPlaceholder(box);
  $("send-button").textContent = note ? "Add note" : "Send";
  box.disabled = closed && !note;
  updateSendBox();
}

for (const mode of [$("mode-reply"), $("mode-note")]) {
  mode.addEventListener("change", () => {
    typingSender.stop();
    showMode();
    if (!$("send-box").disabled) $("send-box").focus();
  });
}

// Typing `/` and a short code offers the saved replies, filled in for this conversation.
const picker = initPicker({
  call: (...args) => call(...args),
  box: $("send-box"),
  form: $("send-form"),
  announcer: $("announcer"),
  context: () => ({ room: state.rooms.get(state.openRoom), agent: state.session.agent }),
});

const updateSendBox = wireSendBox(
  { form: $("send-form"), box: $("send-box"), count: $("send-count"), button: $("send-button") },
  send,
  typingSender,
);

// The assignee picker: any active agent, or nobody; a closed room keeps its assignee, shown
// but not changed.
function showAssignee(room) {
  const picker = $("assignee");
  const current = room.assignee ? room.assignee.id : "";
  const choices = state.agents.filter((agent) => agent.active || agent.id === current);
  if (room.assignee && !choices.some((agent) => agent.id === current)) {
    choices.push({ id: current, display_name: room.assignee.display_name });
  }
  picker.replaceChildren(
    el("option", { value: "", text: "Unassigned" }),
    ...choices.map((agent) =>
      el("option", { value: agent.id, text: agent.id === state.session.agent.id ? `${agent.display_name} (you)` : agent.display_name }),
    ),
  );
  picker.value = current;
  const closed = room.status === "closed";
  picker.disabled = closed;
  $("assign-me").hidden = closed || current === state.session.agent.id;
}

async function assign(agentId) {
  const roomId = state.openRoom;
  try {
    const room = await call("POST", `/api/admin/chat-rooms/${roomId}/assign`, { agent_id: agentId });
    state.rooms.set(room.id, room);
    if (room.id === state.openRoom) showRoomHeader(room);
    renderRooms();
  } catch (error) {
    $("announcer").textContent = `Could not assign: ${error.message}`;
    const room = state.rooms.get(roomId);
    if (room && roomId === state.openRoom) showAssignee(room);
  }
}

$("assignee").addEventListener("change", (event) => assign(event.target.value || null));
$("assign-me").addEventListener("click", async () => {
  await assign(state.session.agent.id);
  $("assignee").focus();
});

async function loadTeam() {
  const { agents } = await call("GET", "/api/admin/agents");
  state.agents = agents;
  const room = state.rooms.get(state.openRoom);
  if (room) showAssignee(room);
  return agents;
}

// Closing asks first: the customer is told at once, and reopening leaves a second notice.
$("close-room").addEventListener("click", () => {
  $("confirm-close").hidden = false;
  $("confirm-close-yes").focus();
});
$("confirm-close-no").addEventListener("click", () => {
  $("confirm-close").hidden = true;
  $("close-room").focus();
});
$("confirm-close").addEventListener("keydown", (event) => {
  if (event.key === "Escape") $("confirm-close-no").click();
});

for (const [button, action] of [["confirm-close-yes", "close"], ["reopen-room", "reopen"]]) {
  $(button).addEventListener("click", async () => {
    const room = await call("POST", `/api/admin/chat-rooms/${state.openRoom}/${action}`);
    state.rooms.set(room.id, room);
    showRoomHeader(room);
    renderRooms();
  });
}

// Notifications: a sound and a desktop notification of a new room or a customer's message,
// once the agent turned them on, and never for the room they are looking at.

function setNotify(on) {
  state.notify = on;
  localStorage.setItem(NOTIFY_KEY, on ? "on" : "off");
  $("notify").setAttribute("aria-pressed", String(on));
  $("notify").textContent = on ? "Notifications on" : "Turn on notifications";
}

$("notify").addEventListener("click", async () => {
  if (state.notify) return setNotify(false);
  state.audio = state.audio || new AudioContext(); // made on a click, so it may play
  if ("Notification" in window && Notification.permission === "default") await Notification.requestPermission();
  setNotify(true);
});

function beep() {
  if (!state.audio) state.audio = new AudioContext();
  const audio = state.audio;
  const tone = audio.createOscillator();
  const gain = audio.createGain();
  tone.frequency.value = 880;
  gain.gain.setValueAtTime(0.08, audio.currentTime);
  gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + 0.25);
  tone.connect(gain).connect(audio.destination);
  tone.start();
  tone.stop(audio.currentTime + 0.25);
}

function notify(roomId, title, body) {
  if (!state.notify) return;
  if (document.hasFocus() && roomId === state.openRoom) return;
  beep();
  if (!("Notification" in window) || Notification.permission !== "granted") return;
  const shown = new Notification(title, { body, tag: roomId });
  shown.onclick = () => {
    window.focus();
    openRoom(roomId, { focusComposer: true });
  };
}

// Real time.

function onEvent(event) {
  switch (event.type) {
    case "room_created":
    case "room_updated": {
      const known = state.rooms.has(event.room.id);
      state.rooms.set(event.room.id, event.room);
      state.arriving?.set(event.room.id, event.room);
      if (event.room.id === state.openRoom) showRoomHeader(event.room);
      if (event.type === "room_created" && !known) {
        const first = event.room.last_message;
        notify(event.room.id, `New conversation: ${event.room.customer_name}`, first ? first.content : event.room.subject || "");
      }
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
          // A note is no activity: the room keeps its place.
          if (!message.private) room.updated_at = message.created_at;
          if (message.sender_type === "customer") room.unread_count = (room.unread_count || 0) + 1;
        }
      } else {
        loadRooms();
      }
      if (message.sender_type === "customer") notify(message.room_id, message.sender_name, message.content);
      if (message.room_id === state.openRoom) {
        conversation.place([message]);
        if (message.sender_type === "customer") {
          typing.hide();
          markRead();
        }
      }
      renderRooms();
      break;
    }
    case "presence":
      if (event.agent.id === state.session.agent.id) showAway(event.agent.availability === "away");
      team.presence(event.agent);
      // A colleague the assignee picker does not know yet (added since it was read).
      if (!state.agents.some((agent) => agent.id === event.agent.id)) loadTeam().catch(() => {});
      break;
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
  await Promise.all([loadRooms(), loadAvailability()]);
  if (state.openRoom) {
    const roomPath = `/api/admin/chat-rooms/${state.openRoom}`;
    const missed = await messagesAfter({ get: (path) => call("GET", path) }, roomPath, conversation.newestId());
    conversation.place(missed);
    markRead();
  }
}

// Away: the agent's own flag, shared by its tabs (API.md "Team"). A first connection clears it,
// and this tab hears no presence event of its own connect: it reads where it stands.
function showAway(away) {
  $("away").setAttribute("aria-pressed", String(away));
}

async function loadAvailability() {
  const agents = await loadTeam();
  const me = agents.find((agent) => agent.id === state.session.agent.id);
  if (me) showAway(me.availability === "away");
}

$("away").addEventListener("click", async () => {
  const away = $("away").getAttribute("aria-pressed") !== "true";
  try {
    const me = await call("POST", "/api/admin/presence", { availability: away ? "away" : "online" });
    showAway(me.availability === "away");
  } catch {
    // The button keeps showing what is stored; the next presence event or reconnect corrects it.
  }
});

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
  setNotify(localStorage.getItem(NOTIFY_KEY) === "on");
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
