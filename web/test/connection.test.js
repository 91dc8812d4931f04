// The widget adopts the conversation token the server confirms (bot/channels.py issues it).
import assert from "node:assert/strict";
import { test } from "node:test";

import { Connection } from "../src/connection.js";

function connection(sessions) {
  // autoConnect is off: nothing is sent anywhere.
  return new Connection({ url: "http://127.0.0.1:9", path: "/socket.io", onMessage() {}, onStatus() {}, onSession: (t) => sessions.push(t) });
}

test("the token the server confirms becomes the session, once", () => {
  const sessions = [];
  const c = connection(sessions);
  assert.equal(c.confirmSession("web-0123abcd.signature"), true);
  assert.equal(c.sessionId, "web-0123abcd.signature");
  assert.equal(c.confirmSession({ session_id: "web-0123abcd.signature" }), true);
  assert.deepEqual(sessions, ["web-0123abcd.signature"]);
});

test("a token the server replaced is replaced in the widget too", () => {
  const sessions = [];
  const c = connection(sessions);
  c.sessionId = "web-old.forged";
  assert.equal(c.confirmSession("web-new.signature"), true);
  assert.equal(c.sessionId, "web-new.signature");
  assert.deepEqual(sessions, ["web-new.signature"]);
});

test("a confirmation without a token is ignored", () => {
  const sessions = [];
  const c = connection(sessions);
  for (const data of [null, undefined, "", {}, { session_id: 42 }]) assert.equal(c.confirmSession(data), false);
  assert.equal(c.sessionId, null);
  assert.deepEqual(sessions, []);
});
