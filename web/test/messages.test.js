import assert from "node:assert/strict";
import { test } from "node:test";
import { feedbackPayload, formatTime, newId, normalizeBotMessage } from "../src/messages.js";
import { createStore } from "../src/store.js";

test("socket.io quick_replies and REST buttons both become buttons", () => {
  const qr = normalizeBotMessage({ text: "Voulez-vous ?", quick_replies: [{ content_type: "text", title: "Oui", payload: "/affirm" }] });
  assert.deepEqual(qr.buttons, [{ title: "Oui", payload: "/affirm" }]);
  const rest = normalizeBotMessage({ text: "x", buttons: [{ title: "Non", payload: "/deny" }, { nope: 1 }] });
  assert.deepEqual(rest.buttons, [{ title: "Non", payload: "/deny" }]);
});

test("emergency answers are recognised by their mark", () => {
  assert.equal(normalizeBotMessage({ text: "🚨 Appelez le 15" }).urgent, true);
  assert.equal(normalizeBotMessage({ text: "Bonjour" }).urgent, false);
  assert.equal(normalizeBotMessage({ custom: { anything: 1 } }).empty, true);
  assert.equal(normalizeBotMessage(null), null);
});

test("ids and times", () => {
  assert.match(newId(), /^[0-9a-f]{32}$/);
  const now = new Date(2025, 0, 10, 14, 5).getTime();
  assert.equal(formatTime(now, now), "14:05");
  assert.equal(formatTime(now, now + 86400000 * 2), "10/01 à 14:05");
});

test("store reads nothing, writes only on save, and clears", () => {
  const data = new Map();
  const storage = { getItem: (k) => data.get(k) ?? null, setItem: (k, v) => data.set(k, v), removeItem: (k) => data.delete(k) };
  const store = createStore(storage);
  assert.equal(store.load(), null);
  assert.equal(data.size, 0);
  store.save({ sessionId: "abc", messages: [{ text: "x" }], open: true });
  assert.equal(store.load().sessionId, "abc");
  store.clear();
  assert.equal(data.size, 0);
  data.set("assistant-vertebroplastie", "{broken");
  assert.equal(store.load(), null);
});

test("an informational answer asks for feedback, an emergency answer never does", () => {
  const answer = normalizeBotMessage({ text: "Oui, il faut venir à jeun.", metadata: { utter_action: "utter_ask_fasting", ask_feedback: true } });
  assert.equal(answer.answer, "utter_ask_fasting");
  assert.equal(answer.askFeedback, true);
  const emergency = normalizeBotMessage({ text: "🚨 URGENCE", metadata: { utter_action: "utter_red_flag_a", ask_feedback: true } });
  assert.equal(emergency.askFeedback, false);
  assert.equal(normalizeBotMessage({ text: "Quel nom ?", metadata: { utter_action: "utter_ask_cb_name", ask_feedback: false } }).askFeedback, false);
  assert.equal(normalizeBotMessage({ text: "x", metadata: "nope" }).askFeedback, false);
  assert.equal(normalizeBotMessage({ text: "x" }).answer, "");
});

test("feedback payload: intent and entities on one line, whatever the comment holds", () => {
  assert.equal(feedbackPayload("oui", "utter_ask_fasting"), '/feedback{"feedback_value":"oui","feedback_answer":"utter_ask_fasting"}');
  const payload = feedbackPayload("non", "utter_ask_fasting", 'les "heures"\n{exactes}');
  assert.ok(!payload.includes("\n"));
  assert.deepEqual(JSON.parse(payload.slice("/feedback".length)).feedback_comment, 'les "heures"\n{exactes}');
});
