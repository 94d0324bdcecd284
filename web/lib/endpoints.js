// Where a page sends its requests: the page's query (?api=&ws=), else config.js, else the
// origin that served the page (its WebSocket at /ws, as local-dev serves it).
import { CONFIG } from "../config.js";

export function endpoints() {
  const params = new URLSearchParams(location.search);
  const apiBase = (params.get("api") || CONFIG.apiBase || location.origin).replace(/\/+$/, "");
  const defaultWs = location.origin.replace(/^http/, "ws") + "/ws";
  const wsBase = (params.get("ws") || CONFIG.wsBase || defaultWs).replace(/\/+$/, "");
  return { apiBase, wsBase };
}
