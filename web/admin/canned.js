// Saved replies (API.md "canned responses"): the page where every agent reads them and admins
// write them, and the composer's `/` picker that inserts one with the conversation's names
// filled in. The search and its order are the server's (`?q=`), never redone here.

import { ApiError } from "../lib/api.js";
import { showProblems } from "../lib/fields.js";
import { el } from "../lib/render.js";

const $ = (id) => document.getElementById(id);
const PATH = "/api/admin/canned-responses";
const search = (q) => `${PATH}${q ? `?q=${encodeURIComponent(q)}` : ""}`;
// The picker shows the best few; typing more narrows them.
const PICKER_SIZE = 8;

// The placeholders API.md names, filled in from the open conversation and the agent; one the
// room has no value for (no email given) becomes empty.
export function expand(content, { room, agent }) {
  const values = {
    "customer.name": room?.customer_name ?? "",
    "customer.email": room?.customer_email ?? "",
    "agent.name": agent?.display_name ?? "",
  };
  return content.replace(/\{\{\s*(customer\.name|customer\.email|agent\.name)\s*\}\}/g, (_, name) => values[name]);
}

// The page: the list (searched as the agent types), and for admins a form that adds a reply
// or, after Edit, replaces one; Delete asks first, in the row.
export function initCannedPage({ call, me, beforeOpen }) {
  let editing = null; // the reply the form replaces, or null to add one
  let loaded = 0; // answers come back in any order: only the latest request's is shown
  const isAdmin = () => me().role === "admin";
  const form = $("canned-form");

  function row(reply) {
    const actions = isAdmin()
      ? [
          el("button", { type: "button", class: "secondary", "data-action": "edit", text: "Edit", "aria-label": `Edit /${reply.short_code}` }),
          el("button", { type: "button", class: "secondary", "data-action": "delete", text: "Delete", "aria-label": `Delete /${reply.short_code}` }),
        ]
      : [];
    const item = el("li", { class: "team-member canned-reply", "data-code": reply.short_code }, [
      el("div", { class: "who" }, [
        el("div", { class: "name", text: `/${reply.short_code}` }),
        el("div", { class: "canned-content", dir: "auto", text: reply.content }),
      ]),
      ...actions,
    ]);
    if (actions.length) {
      actions[0].addEventListener("click", () => edit(reply));
      actions[1].addEventListener("click", () => confirmDelete(item, reply));
    }
    return item;
  }

  async function load() {
    const q = $("canned-search").value.trim();
    const mine = ++loaded;
    $("canned-error").hidden = true;
    try {
      const { canned_responses: replies } = await call("GET", search(q));
      if (mine !== loaded) return;
      $("canned-list").replaceChildren(...replies.map(row));
      $("canned-list").hidden = replies.length === 0;
      $("canned-none").hidden = replies.length > 0;
      $("canned-none").textContent = q ? `No saved reply matches “${q}”.` : "No saved replies yet.";
    } catch (error) {
      showError(`The saved replies could not be loaded: ${error.message}`);
    }
  }

  function showError(text) {
    $("canned-error").textContent = text;
    $("canned-error").hidden = false;
  }

  function edit(reply) {
    editing = reply;
    form.elements.short_code.value = reply.short_code;
    form.elements.content.value = reply.content;
    $("canned-form-title").textContent = `Edit /${reply.short_code}`;
    $("canned-save").textContent = "Save changes";
    $("canned-cancel").hidden = false;
    showProblems(form, {}, "canned-");
    form.elements.short_code.focus();
  }

  function stopEditing() {
    editing = null;
    form.reset();
    $("canned-form-title").textContent = "Add a saved reply";
    $("canned-save").textContent = "Add saved reply";
    $("canned-cancel").hidden = true;
    showProblems(form, {}, "canned-");
  }

  // Deleting asks in the row itself: the reply is named, and Cancel puts the row back.
  function confirmDelete(item, reply) {
    const yes = el("button", { type: "button", text: `Delete /${reply.short_code}` });
    const no = el("button", { type: "button", class: "secondary", text: "Cancel" });
    const question = el("div", { class: "canned-confirm", role: "group", "aria-label": `Delete /${reply.short_code}?` }, [
      el("span", { text: `Delete /${reply.short_code}?` }),
      yes,
      no,
    ]);
    const restore = () => {
      question.replaceWith(item);
      item.querySelector("[data-action=delete]").focus();
    };
    no.addEventListener("click", restore);
    question.addEventListener("keydown", (event) => event.key === "Escape" && restore());
    yes.addEventListener("click", async () => {
      yes.disabled = true;
      try {
        await call("DELETE", `${PATH}/${reply.id}`);
        if (editing && editing.id === reply.id) stopEditing();
      } catch (error) {
        // Already deleted (404) is what was asked for; anything else is said.
        if (!(error instanceof ApiError && error.status === 404)) showError(error.message);
      }
      await load();
      $("canned-search").focus();
    });
    item.replaceWith(question);
    no.focus();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { short_code: form.elements.short_code.value.trim(), content: form.elements.content.value };
    const onField = (problems) => showProblems(form, problems, "canned-");
    try {
      if (editing) await call("PUT", `${PATH}/${editing.id}`, body);
      else await call("POST", PATH, body);
      stopEditing();
      await load();
      form.elements.short_code.focus();
    } catch (error) {
      if (error instanceof ApiError && error.status === 422 && error.field) onField({ [error.field]: error.message });
      else if (error instanceof ApiError && error.status === 409) onField({ short_code: `Another saved reply is /${body.short_code}.` });
      else if (error instanceof ApiError && error.status === 404) {
        stopEditing();
        showError("That saved reply was deleted meanwhile.");
        await load();
      } else showError(error.message);
    }
  });
  $("canned-cancel").addEventListener("click", () => {
    stopEditing();
    form.elements.short_code.focus();
  });
  $("canned-search").addEventListener("input", load);

  function show(open, { restoreFocus = true } = {}) {
    if (open) beforeOpen();
    $("canned").hidden = !open;
    $("panes").hidden = open;
    $("canned-button").setAttribute("aria-expanded", String(open));
    form.hidden = !(open && isAdmin());
    if (open) {
      load();
      $("canned-title").setAttribute("tabindex", "-1");
      $("canned-title").focus();
    } else if (restoreFocus) {
      $("canned-button").focus();
    }
  }

  $("canned-button").addEventListener("click", () => show($("canned").hidden));
  $("canned-back").addEventListener("click", () => show(false));

  return { hide: () => !$("canned").hidden && show(false, { restoreFocus: false }) };
}

// The composer's picker: `/` at the start of the box or after a space, then letters of a short
// code, opens it; it lists the server's matches of what follows the `/`, best first. Up and
// Down choose, Enter or Tab insert (in place of the `/code` typed), Escape closes; a click
// inserts too. While it is open, Enter inserts rather than sends.
export function initPicker({ call, box, form, announcer, context }) {
  const picker = $("canned-picker");
  const options = $("canned-options");
  let shown = []; // the replies listed
  let active = 0;
  let token = null; // { start, q }: where the `/code` being typed starts, and its code
  let dismissed = null; // the start of a token Escape closed: it stays closed
  let asked = 0;

  // The `/code` right before the caret, if the agent is typing one.
  function typedToken() {
    if (box.selectionStart !== box.selectionEnd) return null;
    const before = box.value.slice(0, box.selectionStart);
    const match = before.match(/(^|\s)\/([a-z0-9_-]{0,32})$/i);
    return match ? { start: before.length - match[2].length - 1, q: match[2].toLowerCase() } : null;
  }

  function close() {
    token = null;
    shown = [];
    picker.hidden = true;
    box.removeAttribute("aria-activedescendant");
  }

  function render() {
    options.replaceChildren(
      ...shown.map((reply, index) => {
        const option = el("li", { role: "option", id: `canned-option-${index}`, class: "canned-option", "aria-selected": String(index === active) }, [
          el("span", { class: "code", text: `/${reply.short_code}` }),
          el("span", { class: "canned-content", dir: "auto", text: reply.content }),
        ]);
        // Pressing keeps the focus in the box; releasing inserts.
        option.addEventListener("mousedown", (event) => event.preventDefault());
        option.addEventListener("click", () => insert(reply));
        return option;
      }),
    );
    options.hidden = shown.length === 0;
    $("canned-picker-empty").hidden = shown.length > 0;
    $("canned-picker-empty").textContent = `No saved reply starts with or contains “${token.q}”.`;
    picker.hidden = false;
    if (shown.length) {
      box.setAttribute("aria-activedescendant", `canned-option-${active}`);
      $(`canned-option-${active}`).scrollIntoView({ block: "nearest" });
    } else box.removeAttribute("aria-activedescendant");
  }

  async function update() {
    const typed = box.disabled ? null : typedToken();
    if (!typed) dismissed = null;
    if (!typed || typed.start === dismissed) return close();
    const changed = !token || token.q !== typed.q || token.start !== typed.start;
    token = typed;
    if (!changed) return;
    const mine = ++asked;
    try {
      const { canned_responses: replies } = await call("GET", search(typed.q));
      if (mine !== asked || !token) return;
      shown = replies.slice(0, PICKER_SIZE);
      active = 0;
      render();
      announcer.textContent = shown.length
        ? `${shown.length} saved ${shown.length === 1 ? "reply" : "replies"}: up and down to choose, Enter to insert.`
        : "No saved reply matches.";
    } catch {
      if (mine === asked) close();
    }
  }

  function insert(reply) {
    const text = expand(reply.content, context());
    const end = box.selectionStart;
    box.setRangeText(text, token.start, end, "end");
    close();
    // The box's own listeners (its count, the typing signal) hear of the new text.
    box.dispatchEvent(new Event("input", { bubbles: true }));
    box.focus();
  }

  // Captured on the form, so that Enter reaches the picker before the box's send.
  form.addEventListener(
    "keydown",
    (event) => {
      if (event.target !== box || picker.hidden || event.isComposing) return;
      const moves = { ArrowDown: 1, ArrowUp: -1 };
      if (event.key in moves && shown.length) {
        active = (active + moves[event.key] + shown.length) % shown.length;
        render();
      } else if ((event.key === "Enter" || event.key === "Tab") && !event.shiftKey && shown.length) {
        insert(shown[active]);
      } else if (event.key === "Escape") {
        dismissed = token.start;
        close();
      } else return;
      event.preventDefault();
      event.stopPropagation();
    },
    true,
  );
  box.addEventListener("input", update);
  box.addEventListener("click", update);
  box.addEventListener("keyup", (event) => ["ArrowLeft", "ArrowRight", "Home", "End"].includes(event.key) && update());
  box.addEventListener("blur", close);

  return { close };
}
