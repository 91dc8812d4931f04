// The chat widget: one <script src=".../widget/widget.js" data-server-url="..."> on the page.
// All message content goes into the page through textContent / text nodes, never as HTML.

import css from "./widget.css";
import { CENTRE_PHONE } from "./centre.js";
import { Connection } from "./connection.js";
import { createStore } from "./store.js";
import { feedbackPayload, formatTime, newId, normalizeBotMessage } from "./messages.js";
import { isSafeHref, segmentText } from "./text.js";
import { ensureContrast, parseColor, readableOn } from "./color.js";
import { Reader } from "./speech.js";
import { toSpeech } from "./voice.js";
import { DISCLAIMER, FEEDBACK_HINT, STARTERS, T, offlineText, privacyText, unansweredText } from "./strings.js";

const SIZES = [18, 20, 23, 26, 30]; // px; the default is already large
const DEFAULT_SIZE = 1;
const DEFAULT_PRIMARY = "#1d4f91";

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) el.append(child);
  }
  return el;
}

function chatIcon() {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  svg.setAttribute("class", "launcher-icon");
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z");
  path.setAttribute("fill", "currentColor");
  svg.append(path);
  return svg;
}

// Text with clickable links, phone numbers (tel:) and e-mail addresses.
function richText(text) {
  return segmentText(text).map((seg) => {
    if (seg.type !== "link" || !isSafeHref(seg.href)) return document.createTextNode(seg.text);
    const a = h("a", { href: seg.href }, seg.text);
    if (seg.external) {
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      a.append(h("span", { class: "sr", text: " (nouvel onglet)" }));
    }
    return a;
  });
}

function readConfig(script) {
  const data = (script && script.dataset) || {};
  const base = new URL(script && script.src ? script.src : "/", window.location.href);
  const privacy = data.privacyUrl ? new URL(data.privacyUrl, window.location.href) : new URL("/confidentialite", base);
  return {
    serverUrl: data.serverUrl || "http://localhost:5005",
    socketPath: data.socketPath || "/socket.io",
    title: data.title || T.defaultTitle,
    primary: parseColor(data.primaryColor) ? data.primaryColor : DEFAULT_PRIMARY,
    privacyUrl: /^https?:$/.test(privacy.protocol) ? privacy.href : "about:blank",
    phone: data.centrePhone || CENTRE_PHONE,
    retentionDays: Number(data.retentionDays) > 0 ? Number(data.retentionDays) : 90,
  };
}

class ChatWidget {
  constructor(shadow, config, store) {
    this.config = config;
    this.store = store;
    const saved = store.load();
    // Nothing is written to the browser before the patient opens the widget (CNIL).
    this.activated = Boolean(saved);
    // The session token comes from the server once connected (Connection.confirmSession).
    this.state = saved || { sessionId: null, messages: [], open: false, size: DEFAULT_SIZE };
    for (const m of this.state.messages) if (m.status === "sending") m.status = "failed";
    this.connection = null;
    this.reader = null; // read-aloud, created when the widget is first opened
    this.inFlight = 0;
    this.answers = 0; // bot messages received since the page loaded
    this.turnUrgent = false;
    this.elements = new Map();
    this.build(shadow);
    this.applySize();
    this.renderAll();
    if (saved && saved.open) this.open({ focus: false });
  }

  // ---- structure -------------------------------------------------------------------------------

  build(shadow) {
    const { config } = this;
    const primary = config.primary;
    this.root = h("div", { class: "root", lang: "fr" });
    this.root.style.setProperty("--primary", primary);
    this.root.style.setProperty("--on-primary", readableOn(primary));
    this.root.style.setProperty("--accent", ensureContrast(primary, ["#ffffff", "#eef1f4", "#fdecea"], 4.5));

    this.launcher = h(
      "button",
      { class: "launcher", type: "button", "aria-expanded": "false", "aria-controls": "chat-panel", onclick: () => this.toggle() },
      chatIcon(),
      h("span", { class: "launcher-text", text: T.launcher }),
    );

    this.title = h("h2", { id: "chat-title", class: "title", text: config.title });
    const header = h(
      "div",
      { class: "head" },
      this.title,
      h("button", { class: "close", type: "button", "aria-label": T.closeLabel, onclick: () => this.close() }, h("span", { "aria-hidden": "true", text: "✕ " }), T.close),
    );

    // The visible "A−" stays part of the accessible name (WCAG 2.5.3), the rest is for screen readers.
    this.smaller = h("button", { type: "button", class: "tool", onclick: () => this.resize(-1) }, T.smaller, h("span", { class: "sr", text: ` (${T.smallerLabel})` }));
    this.larger = h("button", { type: "button", class: "tool", onclick: () => this.resize(1) }, T.larger, h("span", { class: "sr", text: ` (${T.largerLabel})` }));
    this.restartButton = h("button", { type: "button", class: "tool restart", "aria-label": T.restartLabel, onclick: () => this.askRestart() }, T.restart);
    const toolbar = h(
      "div",
      { class: "toolbar", role: "group", "aria-label": T.toolbarLabel },
      h("span", { class: "tool-label", "aria-hidden": "true", text: T.textSize }),
      this.smaller,
      this.larger,
      this.restartButton,
    );

    this.confirmYes = h("button", { type: "button", class: "danger", onclick: () => this.restart() }, T.restartYes);
    this.confirmNo = h("button", { type: "button", class: "secondary", onclick: () => this.cancelRestart() }, T.restartNo);
    this.confirmBox = h("div", { class: "confirm", role: "group", "aria-labelledby": "confirm-text", hidden: true },
      h("p", { id: "confirm-text", text: T.restartConfirm }), this.confirmYes, this.confirmNo);

    this.banner = h("div", { class: "banner", role: "alert", hidden: true });

    this.starters = h("div", { class: "replies", role: "group", "aria-label": T.suggestionsLabel },
      STARTERS.map((q) => h("button", { type: "button", class: "reply", onclick: () => this.choose(q) }, q)));
    const welcome = h(
      "div",
      { class: "welcome" },
      h("p", { class: "welcome-hello", text: T.welcome }),
      h("p", {}, richText(DISCLAIMER)),
      h("p", { class: "privacy" }, privacyText(config.retentionDays), " ",
        h("a", { href: config.privacyUrl, target: "_blank", rel: "noopener noreferrer" }, T.privacyLink)),
      this.starters,
    );
    this.list = h("ol", { class: "messages" });
    this.log = h("div", { class: "log", role: "log", "aria-live": "polite", "aria-label": T.logLabel, tabindex: "0" }, welcome, this.list);

    this.typing = h("div", { class: "typing", role: "status" });
    this.notice = h("div", { class: "sr", role: "status" });

    this.input = h("textarea", { id: "chat-input", class: "input", rows: "2", maxlength: "1000", placeholder: T.inputPlaceholder, autocomplete: "off" });
    this.input.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        this.submit();
      }
    });
    const form = h("form", { class: "composer", onsubmit: (e) => { e.preventDefault(); this.submit(); } },
      h("label", { for: "chat-input", class: "sr", text: T.inputLabel }),
      this.input,
      h("button", { type: "submit", class: "send" }, T.send));

    this.panel = h("section", { id: "chat-panel", class: "panel", role: "dialog", "aria-labelledby": "chat-title", hidden: true },
      header, toolbar, this.confirmBox, this.banner, this.log, this.typing, this.notice, form);
    this.panel.addEventListener("keydown", (e) => {
      if (e.key !== "Escape") return;
      e.preventDefault();
      if (!this.confirmBox.hidden) this.cancelRestart();
      else this.close();
    });

    this.root.append(this.panel, this.launcher);
    shadow.append(this.root);
  }

  // ---- opening, closing, settings ------------------------------------------------------------

  persist() {
    if (this.activated) this.store.save(this.state);
  }

  toggle() {
    if (this.state.open) this.close();
    else this.open();
  }

  open({ focus = true } = {}) {
    this.activated = true;
    this.state.open = true;
    this.persist();
    this.panel.hidden = false;
    this.root.classList.add("is-open");
    this.launcher.setAttribute("aria-expanded", "true");
    if (!this.connection) {
      this.connection = new Connection({
        url: this.config.serverUrl,
        path: this.config.socketPath,
        onMessage: (data) => this.receive(data),
        onStatus: (status) => this.setStatus(status),
        onSession: (token) => this.adoptSession(token),
      });
      this.connection.start(this.state.sessionId);
    }
    if (!this.reader) {
      this.reader = new Reader(window, () => this.refreshListen());
      this.refreshListen(); // the voices may already be there
    }
    this.scrollDown();
    if (focus) this.input.focus();
  }

  adoptSession(token) {
    this.state.sessionId = token;
    this.persist();
  }

  close() {
    if (this.reader) this.reader.stop();
    this.state.open = false;
    this.persist();
    this.panel.hidden = true;
    this.root.classList.remove("is-open");
    this.launcher.setAttribute("aria-expanded", "false");
    this.launcher.focus();
  }

  resize(step) {
    const next = Math.min(SIZES.length - 1, Math.max(0, (this.state.size ?? DEFAULT_SIZE) + step));
    this.state.size = next;
    this.persist();
    this.applySize();
    this.notice.textContent = `${T.textSize} : ${SIZES[next]} pixels`;
  }

  applySize() {
    const i = this.state.size ?? DEFAULT_SIZE;
    this.root.style.setProperty("--fs", `${SIZES[i]}px`);
    const focused = this.root.getRootNode().activeElement;
    this.smaller.disabled = i === 0;
    this.larger.disabled = i === SIZES.length - 1;
    if (focused && focused.disabled) (focused === this.smaller ? this.larger : this.smaller).focus();
    this.scrollDown();
  }

  askRestart() {
    this.confirmBox.hidden = false;
    this.confirmNo.focus();
  }

  cancelRestart() {
    this.confirmBox.hidden = true;
    this.restartButton.focus();
  }

  restart() {
    if (this.reader) this.reader.stop();
    this.confirmBox.hidden = true;
    this.state.sessionId = null; // the server issues a new conversation
    this.state.messages = [];
    this.turnUrgent = false;
    this.persist();
    if (this.connection) this.connection.restart(this.state.sessionId);
    this.renderAll();
    this.notice.textContent = T.restarted;
    this.input.focus();
  }

  setStatus(status) {
    if (status === "offline") {
      if (this.offline) return;
      this.offline = true;
      this.banner.replaceChildren(h("p", {}, richText(offlineText(this.config.phone))));
      this.banner.classList.remove("ok");
      this.banner.hidden = false;
      this.scrollDown();
    } else if (status === "online" && this.offline) {
      this.offline = false;
      this.banner.replaceChildren(h("p", { text: T.reconnected }));
      this.banner.classList.add("ok");
      clearTimeout(this.bannerTimer);
      this.bannerTimer = setTimeout(() => { if (!this.offline) this.banner.hidden = true; }, 4000);
    }
  }

  // ---- messages -------------------------------------------------------------------------------

  submit() {
    const text = this.input.value.trim();
    if (!text) return;
    this.input.value = "";
    this.send(text);
  }

  // A quick reply: shows its title, sends its payload; the buttons go away, the focus goes to the text box.
  choose(title, payload) {
    this.send(title, payload);
    this.input.focus();
  }

  send(text, payload) {
    const msg = { id: newId(), from: "user", text, ts: Date.now(), status: "sending" };
    if (payload && payload !== text) msg.payload = payload;
    this.turnUrgent = false;
    this.add(msg);
    this.deliver(msg);
  }

  async deliver(msg) {
    msg.status = "sending";
    this.refreshStatus(msg);
    const answersBefore = this.answers;
    this.inFlight += 1;
    this.showTyping(true);
    let ok = true;
    try {
      await this.connection.send(msg.payload || msg.text);
    } catch {
      ok = false;
    }
    const answered = this.answers > answersBefore;
    // An answer proves the message arrived, even when the server's acknowledgement was lost.
    if (ok || answered) msg.status = answered ? "sent" : "unanswered";
    else msg.status = "failed";
    this.inFlight -= 1;
    if (this.inFlight === 0) this.showTyping(false);
    this.persist();
    this.refreshStatus(msg);
  }

  receive(data) {
    const m = normalizeBotMessage(data);
    if (!m) return;
    if (m.empty) return; // custom JSON or an empty text: nothing to show
    if (m.urgent) this.turnUrgent = true;
    this.answers += 1;
    this.showTyping(false);
    const msg = { id: newId(), from: "bot", text: m.text, buttons: m.buttons, ts: Date.now(), urgent: this.turnUrgent, badge: m.urgent };
    if (m.answer) msg.answer = m.answer;
    if (m.askFeedback && !this.turnUrgent) msg.feedback = "ask";
    this.add(msg);
  }

  add(msg) {
    if (msg.from === "user") this.expireFeedback();
    this.state.messages.push(msg);
    this.persist();
    for (const old of this.list.querySelectorAll(".replies")) old.remove();
    this.starters.hidden = true;
    this.list.append(this.renderMessage(msg, true, true));
    this.scrollDown();
  }

  replace(msg, live) {
    const old = this.elements.get(msg.id);
    const isLast = this.state.messages[this.state.messages.length - 1] === msg;
    if (old) old.replaceWith(this.renderMessage(msg, live, isLast));
  }

  renderAll() {
    this.elements.clear();
    const msgs = this.state.messages;
    this.list.replaceChildren(...msgs.map((m, i) => this.renderMessage(m, false, i === msgs.length - 1)));
    this.starters.hidden = msgs.length > 0;
    this.scrollDown();
  }

  renderMessage(msg, live, isLast) {
    const who = msg.from === "user" ? T.you : T.bot;
    const li = h("li", { class: `msg msg--${msg.from}${msg.urgent ? " msg--urgent" : ""}` });
    const bubble = h("div", { class: "bubble" });
    if (msg.urgent && live) bubble.setAttribute("role", "alert"); // announced at once by screen readers
    if (msg.badge) bubble.append(h("strong", { class: "badge" }, h("span", { "aria-hidden": "true", text: "⚠ " }), T.urgent));
    bubble.append(h("p", { class: "text" }, msg.from === "bot" ? richText(msg.text) : msg.text));
    const time = h("time", { datetime: new Date(msg.ts).toISOString(), text: formatTime(msg.ts) });
    const meta = h("p", { class: "meta" }, `${who}, `, time);
    li.append(bubble, meta);
    if (msg.from === "bot") li.append(h("div", { class: "tools" }, this.listenButton(msg), this.renderFeedback(msg)));
    if (msg.from === "user") li.append(h("div", { class: "status" }));
    if (msg.from === "bot" && isLast && msg.buttons && msg.buttons.length) {
      li.append(h("div", { class: "replies", role: "group", "aria-label": T.suggestionsLabel },
        msg.buttons.map((b) => h("button", { type: "button", class: "reply", onclick: () => this.choose(b.title, b.payload) }, b.title))));
    }
    this.elements.set(msg.id, li);
    if (msg.from === "user") this.fillStatus(li.querySelector(".status"), msg);
    return li;
  }

  // ---- read aloud ---------------------------------------------------------------------------

  listenButton(msg) {
    const reading = Boolean(this.reader && this.reader.current === msg.id);
    const button = h("button", { type: "button", class: "listen", hidden: !(this.reader && this.reader.available), onclick: () => this.toggleListen(msg) });
    button.append(h("span", { "aria-hidden": "true", text: reading ? "■ " : "▶ " }));
    if (reading) button.append(T.listenStop);
    else button.append(T.listen, h("span", { class: "sr", text: ` ${T.listenLabel}` }));
    return button;
  }

  toggleListen(msg) {
    if (!this.reader) return;
    if (this.reader.current === msg.id) this.reader.stop();
    else this.reader.speak(msg.id, toSpeech(msg.text));
  }

  // The voice appeared or went, or a reading started or ended: redraw every "Écouter" button.
  refreshListen() {
    for (const msg of this.state.messages) {
      const li = this.elements.get(msg.id);
      const old = li && li.querySelector(".listen");
      if (!old) continue;
      const hadFocus = old.getRootNode().activeElement === old;
      const button = this.listenButton(msg);
      old.replaceWith(button);
      if (hadFocus) button.focus();
    }
  }

  // ---- "Cette réponse vous a aidé ?" -----------------------------------------------------------
  // msg.feedback: "ask" (buttons), "non" (the optional comment box), "done" (thanks), "expired".

  renderFeedback(msg) {
    if (msg.feedback === "ask") {
      const question = `fbq-${msg.id}`;
      return h("div", { class: "feedback", role: "group", "aria-labelledby": question },
        h("span", { id: question, class: "feedback-q", text: T.feedbackQuestion }),
        h("button", { type: "button", class: "fb", onclick: () => this.giveFeedback(msg, "oui") }, T.feedbackYes),
        h("button", { type: "button", class: "fb", onclick: () => this.giveFeedback(msg, "non") }, T.feedbackNo));
    }
    if (msg.feedback === "non") {
      const box = `fbc-${msg.id}`;
      const hint = `fbh-${msg.id}`;
      const comment = h("textarea", { id: box, class: "input", rows: "2", maxlength: "500", "aria-describedby": hint, autocomplete: "off" });
      return h("form", { class: "feedback feedback-more", onsubmit: (e) => { e.preventDefault(); this.sendComment(msg, comment.value); } },
        h("label", { for: box, text: T.feedbackMissing }),
        comment,
        h("p", { id: hint, class: "hint" }, richText(FEEDBACK_HINT)),
        h("div", { class: "feedback-actions" },
          h("button", { type: "submit", class: "fb" }, T.feedbackSend),
          h("button", { type: "button", class: "fb secondary", onclick: () => this.sendComment(msg, "") }, T.feedbackClose)));
    }
    if (msg.feedback === "done") return h("p", { class: "feedback-done", text: T.feedbackThanks });
    return null;
  }

  refreshFeedback(msg) {
    const li = this.elements.get(msg.id);
    const old = li && li.querySelector(".tools");
    if (!old) return;
    old.replaceChildren(this.listenButton(msg), ...[this.renderFeedback(msg)].filter(Boolean));
  }

  async giveFeedback(msg, value) {
    const before = msg.feedback;
    msg.feedback = value === "non" ? "non" : "done";
    this.persist();
    this.refreshFeedback(msg);
    if (value === "non") {
      const form = this.elements.get(msg.id).querySelector(".feedback-more");
      if (form) {
        form.scrollIntoView({ block: "nearest" }); // the whole box, with its reminder and buttons
        form.querySelector("textarea").focus({ preventScroll: true });
      }
    } else {
      this.notice.textContent = T.feedbackThanks;
      this.input.focus();
    }
    if (!(await this.sendQuietly(feedbackPayload(value, msg.answer || "")))) {
      msg.feedback = before;
      this.persist();
      this.refreshFeedback(msg);
      this.notice.textContent = T.feedbackFailed;
    }
  }

  async sendComment(msg, text) {
    const comment = text.trim();
    msg.feedback = "done";
    this.persist();
    this.refreshFeedback(msg);
    this.notice.textContent = T.feedbackThanks;
    this.input.focus();
    if (comment && !(await this.sendQuietly(feedbackPayload("non", msg.answer || "", comment)))) {
      this.notice.textContent = T.feedbackFailed;
    }
  }

  // A feedback goes through Rasa like any message, but shows no bubble and no typing indicator:
  // the patient can ask the next question at once.
  async sendQuietly(message) {
    if (!this.connection) return false;
    this.turnUrgent = false;
    try {
      await this.connection.send(message);
      return true;
    } catch {
      return false;
    }
  }

  // The patient asked something else: the unanswered "Cette réponse vous a aidé ?" go, like the quick replies.
  expireFeedback() {
    for (const m of this.state.messages) {
      if (m.feedback !== "ask") continue;
      m.feedback = "expired";
      const li = this.elements.get(m.id);
      const group = li && li.querySelector(".feedback");
      if (group) group.remove();
    }
  }

  fillStatus(box, msg) {
    if (msg.status === "failed") {
      box.replaceChildren(
        h("span", { class: "failed", text: T.failed }), " ",
        h("button", { type: "button", class: "retry", onclick: () => this.deliver(msg) }, T.retry),
      );
    } else if (msg.status === "unanswered") {
      box.replaceChildren(h("span", { class: "unanswered" }, richText(unansweredText(this.config.phone))));
    } else if (msg.status === "sending") {
      box.replaceChildren(h("span", { class: "sending", text: T.sending }));
    } else {
      box.replaceChildren();
    }
  }

  refreshStatus(msg) {
    const li = this.elements.get(msg.id);
    const box = li && li.querySelector(".status");
    if (!box) return;
    const hadFocus = box.contains(box.getRootNode().activeElement);
    this.fillStatus(box, msg);
    if (hadFocus) this.input.focus();
    if (this.state.messages[this.state.messages.length - 1] === msg) this.scrollDown();
  }

  showTyping(on) {
    this.typing.classList.toggle("is-on", on);
    this.typing.replaceChildren(...(on ? [h("span", { class: "dots", "aria-hidden": "true" }, h("span"), h("span"), h("span")), h("span", { class: "typing-text", text: T.typing })] : []));
    if (on) this.scrollDown();
  }

  scrollDown() {
    requestAnimationFrame(() => { this.log.scrollTop = this.log.scrollHeight; });
  }
}

const currentScript = document.currentScript;

function mount() {
  if (window.__assistantWidget) return;
  const script = currentScript || document.querySelector("script[data-server-url]");
  const host = document.createElement("div");
  host.id = "assistant-vertebroplastie-widget";
  document.body.append(host);
  const shadow = host.attachShadow({ mode: "open" });
  shadow.append(h("style", { text: css }));
  window.__assistantWidget = new ChatWidget(shadow, readConfig(script), createStore());
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mount);
else mount();
