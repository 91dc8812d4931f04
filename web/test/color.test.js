import assert from "node:assert/strict";
import { test } from "node:test";
import { contrast, ensureContrast, parseColor, readableOn } from "../src/color.js";

test("parseColor", () => {
  assert.deepEqual(parseColor("#fff"), [255, 255, 255]);
  assert.deepEqual(parseColor("#1d4f91"), [29, 79, 145]);
  assert.deepEqual(parseColor("rgb(1, 2, 3)"), [1, 2, 3]);
  assert.equal(parseColor("red; background:url(x)"), null);
});

test("text on the primary colour always reaches WCAG AA", () => {
  for (const bg of ["#1d4f91", "#ffcc00", "#777777", "#00a0e0", "#ffffff", "#000000", "#e8308a"]) {
    assert.ok(contrast(readableOn(bg), bg) >= 4.5, bg);
  }
});

test("ensureContrast darkens a light accent until it is readable on every background", () => {
  const accent = ensureContrast("#7fc4ff", ["#ffffff", "#eef1f4"], 4.5);
  assert.ok(contrast(accent, "#ffffff") >= 4.5);
  assert.ok(contrast(accent, "#eef1f4") >= 4.5);
  assert.equal(ensureContrast("#1d4f91", ["#ffffff"], 4.5), "#1d4f91");
});
