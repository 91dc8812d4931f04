// What the widget keeps of a message received from Rasa's socket.io channel.

const URGENT_MARK = "\u{1F6A8}"; // 🚨 starts every emergency answer

// Rasa sends {text, quick_replies:[{title, payload}]} on socket.io, {text, buttons} on REST, and
// custom JSON either as {custom: {...}} or as the bare object. Our socket.io channel adds
// {metadata: {utter_action, ask_feedback}}: the answer's name and whether to ask "Cette réponse vous
// a aidé ?" under it (bot/channels.py).
export function normalizeBotMessage(data) {
  if (typeof data === "string") data = { text: data };
  if (!data || typeof data !== "object") return null;
  const text = typeof data.text === "string" ? data.text : "";
  const raw = Array.isArray(data.buttons) ? data.buttons : Array.isArray(data.quick_replies) ? data.quick_replies : [];
  const buttons = raw
    .filter((b) => b && typeof b.title === "string" && b.title.trim())
    .map((b) => ({ title: b.title, payload: typeof b.payload === "string" && b.payload ? b.payload : b.title }));
  const urgent = text.trimStart().startsWith(URGENT_MARK);
  const meta = data.metadata && typeof data.metadata === "object" ? data.metadata : {};
  const answer = typeof meta.utter_action === "string" ? meta.utter_action.slice(0, 120) : "";
  return {
    text,
    buttons,
    urgent,
    answer,
    askFeedback: Boolean(answer) && meta.ask_feedback === true && !urgent,
    empty: !text && buttons.length === 0,
  };
}

// The message the widget sends for a "Oui" / "Non" (and the optional comment): Rasa reads the
// intent and its entities from it (RegexMessageHandler). JSON keeps any comment on one line.
export function feedbackPayload(value, answer, comment) {
  const entities = { feedback_value: value, feedback_answer: answer };
  if (comment) entities.feedback_comment = comment;
  return `/feedback${JSON.stringify(entities)}`;
}

export function newId() {
  const bytes = new Uint8Array(16);
  (globalThis.crypto || window.crypto).getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function formatTime(ts, now = Date.now()) {
  const d = new Date(ts);
  const time = d.toLocaleTimeString("fr-FR", { hour: "2-digit", minute: "2-digit" });
  if (new Date(now).toDateString() === d.toDateString()) return time;
  return `${d.toLocaleDateString("fr-FR", { day: "2-digit", month: "2-digit" })} à ${time}`;
}
