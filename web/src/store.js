// The conversation kept in the browser (sessionStorage: this tab, across reloads and pages of the
// site). Reading is always allowed; the widget writes only once the patient has opened it.

const KEY = "assistant-vertebroplastie";
const MAX_MESSAGES = 200;

function sessionStore() {
  try {
    return window.sessionStorage;
  } catch {
    return null; // storage disabled by the browser: the widget still works, without history
  }
}

export function createStore(storage = sessionStore()) {
  return {
    load() {
      try {
        const raw = storage && storage.getItem(KEY);
        const state = raw ? JSON.parse(raw) : null;
        const session = state && (state.sessionId === null || typeof state.sessionId === "string");
        return session && Array.isArray(state.messages) ? state : null;
      } catch {
        return null;
      }
    },
    save(state) {
      try {
        const messages = state.messages.slice(-MAX_MESSAGES);
        if (storage) storage.setItem(KEY, JSON.stringify({ ...state, messages }));
      } catch {
        /* quota or privacy mode: keep going without history */
      }
    },
    clear() {
      try {
        if (storage) storage.removeItem(KEY);
      } catch {
        /* nothing to clear */
      }
    },
  };
}
