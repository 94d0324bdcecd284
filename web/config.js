// The one place that says where the chat's API lives. Empty values mean "the origin that
// served this page" (local-dev and a deployed stack serve the pages beside the API; a deployed
// stack writes this file itself with its WebSocket URL). To point pages served elsewhere at a
// deployed stack, set its outputs:
//   apiBase: the HttpApiUrl output, e.g. "https://abc123.execute-api.eu-west-1.amazonaws.com"
//   wsBase:  the WebSocketUrl output, e.g. "wss://def456.execute-api.eu-west-1.amazonaws.com/prod"
// A page may also be given ?api=...&ws=... (the embed script passes its own).
export const CONFIG = {
  apiBase: "",
  wsBase: "",
};
