// Turns a message's plain text into text and link segments. Never produces HTML: the widget builds
// DOM nodes from these segments with textContent, so markup in a message is always shown as text.

const UNITS =
  "h|heures?|min|minutes?|jours?|semaines?|mois|ans?|e|er|ème|du|de|des|janvier|février|mars|avril|mai|juin|" +
  "juillet|août|septembre|octobre|novembre|décembre";

const PATTERN = new RegExp(
  [
    // 1: web address
    "(https?:\\/\\/[^\\s<>\"']+|\\bwww\\.[^\\s<>\"']+)",
    // 2: e-mail address
    "([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,})",
    // 3: French phone number: 01 23 45 67 89, 01.23.45.67.89, 0123456789, +33 1 23 45 67 89
    "((?:\\+33[\\s.]?|\\b0)[1-9](?:[\\s.-]?\\d{2}){4})(?!\\d)",
    // 4 + 5: emergency short numbers, only where they read as a number to call ("appelez le 15")
    `((?:\\b(?:le|au|ou|appelez|composez|num[ée]ro)|:)\\s+)(3114|112|114|15)(?![.,]?\\d)(?!\\s*(?:%|(?:${UNITS})\\b))`,
  ].join("|"),
  "gi",
);

const TRAILING = /[.,;:!?)\]»"']+$/;

export function telHref(number) {
  const digits = number.replace(/\D/g, "");
  if (digits.length <= 4) return digits === "114" ? "sms:114" : `tel:${digits}`;
  if (digits.startsWith("33")) return `tel:+${digits}`;
  if (digits.startsWith("0")) return `tel:+33${digits.slice(1)}`;
  return `tel:${digits}`;
}

export function segmentText(text) {
  const out = [];
  const push = (seg) => {
    if (seg.type === "text") {
      if (!seg.text) return;
      const last = out[out.length - 1];
      if (last && last.type === "text") {
        last.text += seg.text;
        return;
      }
    }
    out.push(seg);
  };
  let index = 0;
  PATTERN.lastIndex = 0;
  for (let m = PATTERN.exec(text); m; m = PATTERN.exec(text)) {
    push({ type: "text", text: text.slice(index, m.index) });
    if (m[1]) {
      const trail = (m[1].match(TRAILING) || [""])[0];
      const url = m[1].slice(0, m[1].length - trail.length);
      const href = /^https?:/i.test(url) ? url : `https://${url}`;
      push({ type: "link", text: url, href, external: true });
      push({ type: "text", text: trail });
    } else if (m[2]) {
      push({ type: "link", text: m[2], href: `mailto:${m[2]}` });
    } else if (m[3]) {
      push({ type: "link", text: m[3], href: telHref(m[3]) });
    } else {
      push({ type: "text", text: m[4] });
      push({ type: "link", text: m[5], href: telHref(m[5]) });
    }
    index = m.index + m[0].length;
  }
  push({ type: "text", text: text.slice(index) });
  return out;
}

// Only these schemes may become a link target, whatever the text contains.
export function isSafeHref(href) {
  return /^(https?:|mailto:|tel:|sms:)/i.test(href);
}
