// The one place that says where the chat's API lives. Empty values mean "the origin that
// served this page" (local-dev serves both). For a deployed stack, set the stack's outputs:
//   apiBase: the HttpApiUrl output, e.g. "https://abc123.execute-api.eu-west-1.amazonaws.com"
//   wsBase:  the WebSocketUrl output, e.g. "wss://def456.execute-api.eu-west-1.amazonaws.com/prod"
// A page may also be given ?api=...&ws=... (the embed script passes its own).
export const CONFIG = {
  apiBase: "",
  wsBase: "",
};

export function endpoints() {
  const params = new URLSearchParams(location.search);
  const apiBase = (params.get("api") || CONFIG.apiBase || location.origin).replace(/\/+$/, "");
  const defaultWs = location.origin.replace(/^http/, "ws") + "/ws";
  const wsBase = (params.get("ws") || CONFIG.wsBase || defaultWs).replace(/\/+$/, "");
  return { apiBase, wsBase };
}
