import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { numberWords, speakPhone, toSpeech } from "../src/voice.js";

// The same table as tests/unit/test_voice.py: the widget reads an answer as the phone says it.
const CASES = JSON.parse(readFileSync(new URL("../../tests/data/voice_cases.json", import.meta.url), "utf8"));

test("every answer of the shared table is read as the phone channel says it", () => {
  assert.ok(CASES.speech.length >= 15);
  for (const { text, speech } of CASES.speech) assert.equal(toSpeech(text), speech, text);
});

test("numbers in words, as in the shared table", () => {
  for (const [n, words] of Object.entries(CASES.number_words)) assert.equal(numberWords(Number(n)), words);
  assert.equal(speakPhone("01 39 63 71 39"), "zéro un, trente-neuf, soixante-trois, soixante et onze, trente-neuf");
});

test("only a French voice of the device is used", async () => {
  const { Reader, localFrenchVoice } = await import("../src/speech.js");
  const remote = { lang: "fr-FR", localService: false, name: "Google français" };
  const english = { lang: "en-US", localService: true, name: "Local English" };
  const local = { lang: "fr_CA", localService: true, name: "Local français" };
  assert.equal(localFrenchVoice([remote, english]), null);
  assert.equal(localFrenchVoice([remote, { lang: "fri", localService: true }, local]), local);
  assert.equal(localFrenchVoice(undefined), null);

  const spoken = [];
  let voices = [remote];
  const synth = { getVoices: () => voices, speak: (u) => spoken.push(u), cancel() {}, addEventListener(_, f) { this.f = f; } };
  class Utterance { constructor(text) { this.text = text; } }
  let changes = 0;
  const reader = new Reader({ speechSynthesis: synth, SpeechSynthesisUtterance: Utterance }, () => { changes += 1; });
  assert.equal(reader.available, false);
  reader.speak("m1", "bonjour");
  assert.equal(spoken.length, 0);
  voices = [remote, local];
  synth.f();
  assert.equal(reader.available, true);
  reader.speak("m1", "bonjour");
  assert.equal(spoken[0].text, "bonjour");
  assert.equal(spoken[0].voice, local);
  assert.equal(reader.current, "m1");
  spoken[0].onend();
  assert.equal(reader.current, null);
  assert.ok(changes >= 3);
  assert.equal(new Reader({}, () => {}).available, false); // no speech API at all
});
