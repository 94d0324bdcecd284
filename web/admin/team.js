// The console's Team page: every agent with whether they are online; admins add agents and
// deactivate or activate them. It speaks only API.md's team routes.

import { ApiError } from "../lib/api.js";
import { showProblems } from "../lib/fields.js";
import { el } from "../lib/render.js";

const $ = (id) => document.getElementById(id);
// Presence events redraw the page at once; this reading covers what sends none (a socket whose
// record expired without a $disconnect).
const REFRESH_MS = 60_000;

export function initTeam({ call, me, beforeOpen }) {
  let timer = null;
  const isAdmin = () => me().role === "admin";

  function member(agent) {
    const self = agent.id === me().id;
    const availability = agent.active ? agent.availability : "deactivated";
    const action = agent.active ? "deactivate" : "activate";
    const button =
      isAdmin() && !self
        ? el("button", { type: "button", class: "secondary", "data-action": action, text: agent.active ? "Deactivate" : "Activate" })
        : null;
    if (button) button.addEventListener("click", () => setActive(agent, action, button));
    return el("li", { class: `team-member${agent.active ? "" : " inactive"}`, "data-username": agent.username }, [
      el("span", { class: `dot ${agent.active ? agent.availability : "inactive"}`, "aria-hidden": "true" }),
      el("div", { class: "who" }, [
        el("div", { class: "name", text: `${agent.display_name}${self ? " (you)" : ""}` }),
        el("div", { class: "username", text: `@${agent.username} · ${agent.role} · ${availability}` }),
      ]),
      button,
    ]);
  }

  async function load() {
    $("team-error").hidden = true;
    try {
      const { agents } = await call("GET", "/api/admin/agents");
      const focusedUser = document.activeElement?.closest?.(".team-member")?.dataset.username;
      $("team-list").replaceChildren(...agents.map(member));
      // A button that was just used keeps the focus on its agent's row after the re-render.
      if (focusedUser) $("team-list").querySelector(`[data-username="${focusedUser}"] button`)?.focus();
    } catch (error) {
      $("team-error").textContent = `The team could not be loaded: ${error.message}`;
      $("team-error").hidden = false;
    }
  }

  async function setActive(agent, action, button) {
    button.disabled = true;
    try {
      await call("POST", `/api/admin/agents/${agent.id}/${action}`);
    } catch (error) {
      $("team-error").textContent = error.message;
      $("team-error").hidden = false;
    }
    await load();
  }

  function show(open, { restoreFocus = true } = {}) {
    if (open) beforeOpen();
    $("team").hidden = !open;
    $("panes").hidden = open;
    $("team-button").setAttribute("aria-expanded", String(open));
    $("add-agent").hidden = !(open && isAdmin());
    clearInterval(timer);
    if (open) {
      load();
      timer = setInterval(load, REFRESH_MS);
      $("team-title").setAttribute("tabindex", "-1");
      $("team-title").focus();
    } else if (restoreFocus) {
      $("team-button").focus();
    }
  }

  $("team-button").addEventListener("click", () => show($("team").hidden));
  $("team-back").addEventListener("click", () => show(false));

  const form = $("add-agent");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = Object.fromEntries(["username", "display_name", "password", "role"].map((name) => [name, form.elements[name].value]));
    const onField = (problems) => showProblems(form, problems, "new-");
    try {
      await call("POST", "/api/admin/agents", body);
      onField({});
      form.reset();
      await load();
      $("new-username").focus();
    } catch (error) {
      if (error instanceof ApiError && error.status === 422 && error.field) onField({ [error.field]: error.message });
      else if (error instanceof ApiError && error.status === 409) onField({ username: "This username is taken." });
      else {
        $("team-error").textContent = error.message;
        $("team-error").hidden = false;
      }
    }
  });

  return {
    hide: () => !$("team").hidden && show(false, { restoreFocus: false }),
    // A `presence` event: the page, if open, shows it.
    presence: () => !$("team").hidden && load(),
  };
}
