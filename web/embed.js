// Put the customer chat on any website with one tag:
//   <script src="https://YOUR-CHAT-HOST/web/embed.js" defer></script>
// Optional: data-api="<HttpApiUrl>" data-ws="<WebSocketUrl>" to point at a deployed stack.
// It adds a button that opens the chat in an iframe served by the chat's host, so the
// visitor's conversation lives on that origin and the hosting page's scripts cannot reach it.
(function () {
  const script = document.currentScript;
  const origin = new URL(script.src).origin;
  const params = new URLSearchParams();
  if (script.dataset.api) params.set("api", script.dataset.api);
  if (script.dataset.ws) params.set("ws", script.dataset.ws);
  const query = params.toString();

  const frame = document.createElement("iframe");
  frame.src = `${origin}/chat${query ? "?" + query : ""}`;
  frame.title = "Chat with us";
  frame.style.cssText =
    "position:fixed;right:20px;bottom:84px;width:360px;height:520px;max-height:calc(100vh - 110px);" +
    "border:0;border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.25);z-index:2147483647;display:none;background:#fff";

  const button = document.createElement("button");
  button.type = "button";
  button.textContent = "Chat with us";
  button.setAttribute("aria-expanded", "false");
  button.style.cssText =
    "position:fixed;right:20px;bottom:20px;padding:14px 20px;border:0;border-radius:28px;" +
    "background:#2457d6;color:#fff;font:600 15px system-ui,sans-serif;cursor:pointer;z-index:2147483647";
  button.addEventListener("click", () => {
    const open = frame.style.display === "none";
    frame.style.display = open ? "block" : "none";
    button.setAttribute("aria-expanded", String(open));
  });

  document.body.append(frame, button);
})();
