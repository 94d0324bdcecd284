// Put the customer chat on any website with one tag:
//   <script src="https://YOUR-CHAT-HOST/web/embed.js" defer></script>
// Optional: data-api="<HttpApiUrl>" data-ws="<WebSocketUrl>" to point at a deployed stack.
// It adds a button that opens the chat in an iframe served by the chat's host, so the
// visitor's conversation lives on that origin and the hosting page's scripts cannot reach it.
// The two speak only by postMessage, each checking the other's origin: the chat says how many
// replies arrived while it was closed (a badge on the button) and asks to close on Escape;
// the page says when it opens or closes the chat.
(function () {
  const script = document.currentScript;
  const origin = new URL(script.src).origin;
  const params = new URLSearchParams();
  if (script.dataset.api) params.set("api", script.dataset.api);
  if (script.dataset.ws) params.set("ws", script.dataset.ws);
  params.set("host", location.origin);

  const frame = document.createElement("iframe");
  frame.src = `${origin}/chat?${params}`;
  frame.title = "Chat with us";
  frame.style.cssText =
    "position:fixed;right:20px;bottom:84px;width:min(380px,calc(100vw - 40px));height:560px;max-height:calc(100vh - 110px);" +
    "border:0;border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.25);z-index:2147483647;display:none;background:#fff";

  const button = document.createElement("button");
  button.type = "button";
  button.setAttribute("aria-expanded", "false");
  button.style.cssText =
    "position:fixed;right:20px;bottom:20px;padding:14px 20px;border:0;border-radius:28px;" +
    "background:#2457d6;color:#fff;font:600 15px system-ui,sans-serif;cursor:pointer;z-index:2147483647";
  const label = document.createElement("span");
  label.textContent = "Chat with us";
  const badge = document.createElement("span");
  badge.style.cssText =
    "display:none;margin-left:8px;min-width:20px;padding:0 6px;border-radius:10px;background:#fff;color:#1c2330;font-size:13px";
  button.append(label, badge);

  const isOpen = () => frame.style.display !== "none";
  function show(open) {
    frame.style.display = open ? "block" : "none";
    button.setAttribute("aria-expanded", String(open));
    frame.contentWindow.postMessage({ type: "chat:shown", shown: open }, origin);
    if (!open) button.focus();
  }
  function setUnread(count) {
    badge.textContent = String(count);
    badge.style.display = count > 0 ? "inline-block" : "none";
    button.setAttribute("aria-label", count > 0 ? `Chat with us, ${count} unread` : "Chat with us");
  }
  setUnread(0);

  button.addEventListener("click", () => show(!isOpen()));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && isOpen()) show(false);
  });
  window.addEventListener("message", (event) => {
    if (event.origin !== origin || event.source !== frame.contentWindow || !event.data) return;
    if (event.data.type === "chat:unread") setUnread(Number(event.data.count) || 0);
    if (event.data.type === "chat:close" && isOpen()) show(false);
  });

  document.body.append(frame, button);
})();
