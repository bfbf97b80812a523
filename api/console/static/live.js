// A small graphql-transport-ws client (written here, no library): one WebSocket to /graphql,
// signed in with the hub token in `connection_init`, carrying any number of subscriptions.
// The hub pushes; nothing here polls. A dropped socket is reopened after a pause that grows
// (1 s to 30 s), its subscriptions sent again, and `onReconnect` told so the page can re-read
// what it may have missed. A refused token (close 4403) is not retried.

"use strict";

const LIVE_PROTOCOL = "graphql-transport-ws";
const LIVE_REFUSED = 4403; // connection_init without a token the hub accepts
const LIVE_RETRY_FIRST_MS = 1000;
const LIVE_RETRY_MOST_MS = 30000;

class LiveSocket {
  constructor(token, { onState = () => {}, onReconnect = () => {} } = {}) {
    this.token = token;
    this.onState = onState;
    this.onReconnect = onReconnect;
    this.operations = new Map(); // id -> { payload, onNext, onError }
    this.nextId = 1;
    this.retryMs = LIVE_RETRY_FIRST_MS;
    this.closed = false;
    this.acknowledged = false;
    this.everOpened = false;
    this.open();
  }

  // Returns a function that ends the subscription (a `complete` message to the hub).
  subscribe(query, variables, onNext, onError = () => {}) {
    const id = String(this.nextId++);
    this.operations.set(id, { payload: { query, variables }, onNext, onError });
    if (this.acknowledged) this.send({ type: "subscribe", id, payload: { query, variables } });
    return () => {
      if (this.operations.delete(id) && this.acknowledged) this.send({ type: "complete", id });
    };
  }

  close() {
    this.closed = true;
    clearTimeout(this.retry);
    if (this.socket) this.socket.close(1000, "signed out");
  }

  open() {
    const url = new URL("graphql", document.baseURI);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(url, LIVE_PROTOCOL);
    this.socket = socket;
    this.acknowledged = false;
    this.onState("connecting");
    socket.addEventListener("open", () => {
      const authorization = `Bearer ${this.token}`;
      this.send({ type: "connection_init", payload: { authorization } });
    });
    socket.addEventListener("message", (event) => this.received(JSON.parse(event.data)));
    socket.addEventListener("close", (event) => this.dropped(socket, event.code));
  }

  received(message) {
    if (message.type === "connection_ack") {
      this.acknowledged = true;
      this.retryMs = LIVE_RETRY_FIRST_MS;
      for (const [id, operation] of this.operations) {
        this.send({ type: "subscribe", id, payload: operation.payload });
      }
      this.onState("live");
      if (this.everOpened) this.onReconnect();
      this.everOpened = true;
    } else if (message.type === "ping") {
      this.send({ type: "pong" });
    } else if (message.type === "next" || message.type === "error") {
      const operation = this.operations.get(message.id);
      if (!operation) return;
      const errors = message.type === "error" ? message.payload : message.payload.errors;
      if (errors && errors.length) operation.onError(errors.map((e) => e.message).join("; "));
      else operation.onNext(message.payload.data);
    } else if (message.type === "complete") {
      this.operations.delete(message.id);
    }
  }

  dropped(socket, code) {
    if (socket !== this.socket || this.closed) return;
    this.acknowledged = false;
    if (code === LIVE_REFUSED) {
      this.onState("refused");
      return;
    }
    this.onState("reconnecting");
    this.retry = setTimeout(() => this.open(), this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, LIVE_RETRY_MOST_MS);
  }

  send(message) {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }
}
