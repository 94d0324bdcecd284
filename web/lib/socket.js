// A WebSocket that stays up: it reconnects with exponential backoff (and jitter), reports
// "connected" / "reconnecting", and calls onOpen after every (re)connect so the page can catch
// up with get_messages?after=.

export class LiveSocket {
  constructor({ url, onEvent, onStatus, onOpen }) {
    this.url = url; // a function, so a refreshed token is used on reconnect
    this.onEvent = onEvent;
    this.onStatus = onStatus; // (status, connectionId)
    this.onOpen = onOpen;
    this.attempt = 0;
    this.closed = false;
    this.ws = null;
    this.connectionId = null;
    this.connect();
  }

  connect() {
    if (this.closed) return;
    const ws = new WebSocket(this.url());
    this.ws = ws;
    ws.onopen = () => {
      this.attempt = 0;
      this.onStatus("connected");
      ws.send(JSON.stringify({ action: "ping" }));
      this.keepAlive = setInterval(() => this.send({ action: "ping" }), 5 * 60 * 1000);
      if (this.onOpen) this.onOpen();
    };
    ws.onmessage = (message) => {
      let event;
      try {
        event = JSON.parse(message.data);
      } catch {
        return;
      }
      if (event.type === "pong" && event.connection_id !== this.connectionId) {
        this.connectionId = event.connection_id;
        this.onStatus("connected", this.connectionId);
      }
      this.onEvent(event);
    };
    ws.onclose = () => {
      clearInterval(this.keepAlive);
      if (this.ws !== ws || this.closed) return;
      this.connectionId = null;
      this.onStatus("reconnecting");
      const delay = Math.min(15000, 500 * 2 ** this.attempt) * (0.5 + Math.random() / 2);
      this.attempt += 1;
      setTimeout(() => this.connect(), delay);
    };
  }

  get live() {
    return this.ws && this.ws.readyState === WebSocket.OPEN;
  }

  send(frame) {
    if (this.live) this.ws.send(JSON.stringify(frame));
  }

  close() {
    this.closed = true;
    if (this.ws) this.ws.close();
  }
}

export const STATUS_TEXT = {
  connecting: "Connecting…",
  connected: "Real-time Connected",
  reconnecting: "Reconnecting…",
};
