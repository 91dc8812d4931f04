// The text an answer is read aloud with: the same conversion as the phone channel's (bot/voice.py),
// ported line by line; both are checked against one table, tests/data/voice_cases.json.
// No emoji, links or e-mail addresses; phone numbers read two digits at a time; "h" and "%" as words.
// Unicode-aware boundaries are written as character classes (JavaScript's \b and \w are ASCII-only)
// and without lookbehind (Safari before 16.4 does not know it).

const UNITS = ["zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix", "onze",
  "douze", "treize", "quatorze", "quinze", "seize"];
const TENS = { 2: "vingt", 3: "trente", 4: "quarante", 5: "cinquante", 6: "soixante", 8: "quatre-vingt" };

const W = "\\p{L}\\p{N}_"; // Python's \w
const PHONE = /(^|\D)((?:\+33\s?|0)[1-9](?:[\s.]?\d{2}){4})(?!\d)/gu;
const EMAIL = new RegExp(`\\s*(?:E-mail\\s*:\\s*)?[${W}.+-]+@[${W}-]+(?:\\.[${W}-]+)+\\.?`, "giu");
const URL = /https?:\/\/\S+/gu;
const EMOJI = /[\u{1F300}-\u{1FAFF}\u{2600}-\u{27BF}\u{FE0F}]/gu;
const HOURS = new RegExp(`(^|[^${W}])(\\d{1,2})\\s?h\\s?(\\d{2})(?![${W}])`, "gu");
const HOUR = new RegExp(`(^|[^${W}])(\\d{1,2})\\s?h(?![${W}])(?!\\s?\\/)`, "gu");
const PER_DAY = new RegExp(`(^|[^${W}])24\\s?h\\s?\\/\\s?24(?![${W}])`, "gu");

export function numberWords(n) {
  if (n < 17) return UNITS[n];
  if (n < 20) return `dix-${UNITS[n - 10]}`;
  const tens = Math.floor(n / 10);
  const unit = n % 10;
  if (tens === 7 || tens === 9) {
    const rest = n - (tens - 1) * 10;
    const joiner = rest === 11 && tens === 7 ? " et " : "-";
    return TENS[tens - 1] + joiner + numberWords(rest);
  }
  const base = TENS[tens];
  if (unit === 0) return base + (tens === 8 ? "s" : "");
  if (unit === 1 && tens !== 8) return `${base} et un`;
  return `${base}-${UNITS[unit]}`;
}

export function speakPhone(number) {
  let digits = number.replace(/\D/g, "");
  if (digits.startsWith("33")) digits = `0${digits.slice(2)}`;
  const pairs = digits.match(/.{1,2}/g) || [];
  return pairs.map((p) => (p.startsWith("0") ? `zéro ${UNITS[Number(p[1])]}` : numberWords(Number(p)))).join(", ");
}

const plural = (hours) => (Number(hours) > 1 ? "s" : "");

export function toSpeech(text) {
  let t = String(text || "");
  t = t.replace(EMOJI, "");
  t = t.replace(URL, "");
  t = t.replace(EMAIL, "");
  t = t.replace(PHONE, (_, before, number) => before + speakPhone(number));
  t = t.replace(PER_DAY, (_, before) => `${before}vingt-quatre heures sur vingt-quatre`);
  t = t.replace(HOURS, (_, before, h, m) => `${before}${h} heure${plural(h)} ${m}`);
  t = t.replace(HOUR, (_, before, h) => `${before}${h} heure${plural(h)}`);
  t = t.split("%").join(" pour cent").split("…").join(",").split("«").join("").split("»").join("");
  t = t.replace(/\s+([,.])/gu, "$1");
  return t.split(/\s+/u).filter(Boolean).join(" ");
}
