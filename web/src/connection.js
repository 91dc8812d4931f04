// Rasa's socket.io channel: session_request → session_confirm, then user_uttered / bot_uttered.
// socket.io-client reconnects on its own; every reconnection asks for the same session again.
// The server issues the conversation: it answers session_request with a signed token (bot/channels.py),
// which the widget keeps and sends back to rejoin its conversation; an unknown token gets a new one.

import { io } from "socket.io-client";

const READY_WAIT_MS = 6000;
const ACK_TIMEOUT_MS = 30000;

export class Connection {
  constructor({ url, path, onMessage, onStatus, onSession = () => {} }) {
    this.onMessage = onMessage;
    this.onStatus = onStatus;
    this.onSession = onSession;
    this.sessionId = null;
    this.ready = false;
    this.status = "connecting";
    this.waiters = [];
    this.socket = io(url, {
      path,
      autoConnect: false,
      reconnection: true,
      reconnectionAttempts: Infinity,
      reconnectionDelay: 1000,
      reconnectionDelayMax: 8000,
      timeout: 8000,
    });
    this.socket.on("connect", () => this.socket.emit("session_request", { session_id: this.sessionId }));
    this.socket.on("session_confirm", (data) => {
      if (!this.confirmSession(data)) return;
      this.ready = true;
      this.status = "online";
      this.onStatus("online");
      this.waiters.splice(0).forEach((w) => w.resolve());
    });
    this.socket.on("bot_uttered", (data) => this.onMessage(data));
    this.socket.on("connect_error", () => this.offline());
    this.socket.on("disconnect", (reason) => {
      if (reason === "io client disconnect") return;
      this.offline();
      if (reason === "io server disconnect") setTimeout(() => this.socket.connect(), 2000);
    });
    if (typeof window !== "undefined") {
      window.addEventListener("online", () => {
        if (this.sessionId && !this.socket.connected) this.socket.connect();
      });
    }
  }

  // Adopts the token the server confirmed (ours, or a new one when ours was unknown to it).
  confirmSession(data) {
    const token = typeof data === "string" ? data : data && data.session_id;
    if (!token || typeof token !== "string") return false;
    if (token !== this.sessionId) {
      this.sessionId = token;
      this.onSession(token);
    }
    return true;
  }

  offline() {
    this.ready = false;
    this.status = "offline";
    this.onStatus("offline");
    this.waiters.splice(0).forEach((w) => w.reject(new Error("offline")));
  }

  start(sessionId) {
    this.sessionId = sessionId;
    if (this.socket.connected) this.socket.emit("session_request", { session_id: sessionId });
    else this.socket.connect();
  }

  // A new conversation: a fresh session id and a fresh socket room.
  restart(sessionId) {
    this.ready = false;
    this.status = "connecting";
    this.sessionId = sessionId;
    this.socket.disconnect();
    this.socket.connect();
  }

  whenReady() {
    if (this.ready) return Promise.resolve();
    if (this.status === "offline") return Promise.reject(new Error("offline"));
    return new Promise((resolve, reject) => {
      const waiter = { resolve, reject };
      this.waiters.push(waiter);
      setTimeout(() => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) {
          this.waiters.splice(i, 1);
          reject(new Error("not connected"));
        }
      }, READY_WAIT_MS);
    });
  }

  // Resolves once the server has handled the message (its answers arrive before the ack).
  async send(message) {
    await this.whenReady();
    await this.socket
      .timeout(ACK_TIMEOUT_MS)
      .emitWithAck("user_uttered", { message, session_id: this.sessionId });
  }
}
