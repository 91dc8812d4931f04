// Colour arithmetic for WCAG 2.1 contrast: the embedding site picks the primary colour, the widget
// makes sure text and controls drawn with it stay readable (AA: 4.5:1 for text).

export function parseColor(value) {
  const s = String(value || "").trim();
  let m = s.match(/^#([0-9a-f]{3})$/i);
  if (m) return m[1].split("").map((c) => parseInt(c + c, 16));
  m = s.match(/^#([0-9a-f]{6})$/i);
  if (m) return [0, 2, 4].map((i) => parseInt(m[1].slice(i, i + 2), 16));
  m = s.match(/^rgba?\(\s*(\d{1,3})[\s,]+(\d{1,3})[\s,]+(\d{1,3})/i);
  if (m) return [m[1], m[2], m[3]].map((v) => Math.min(255, Number(v)));
  return null;
}

export function toHex(rgb) {
  return `#${rgb.map((v) => Math.round(v).toString(16).padStart(2, "0")).join("")}`;
}

function luminance(rgb) {
  const [r, g, b] = rgb.map((v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrast(a, b) {
  const [x, y] = [luminance(parseColor(a)), luminance(parseColor(b))].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

// Black or white, whichever reads better on `background` (one of them always reaches 4.5:1).
export function readableOn(background) {
  return contrast("#ffffff", background) >= contrast("#000000", background) ? "#ffffff" : "#000000";
}

// Darkens `color` until it reaches `ratio` against every colour of `backgrounds`.
export function ensureContrast(color, backgrounds, ratio = 4.5) {
  let rgb = parseColor(color) || [0, 0, 0];
  for (let i = 0; i < 40; i += 1) {
    const hex = toHex(rgb);
    if (backgrounds.every((bg) => contrast(hex, bg) >= ratio)) return hex;
    rgb = rgb.map((v) => v * 0.9);
  }
  return "#000000";
}
