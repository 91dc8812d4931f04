import assert from "node:assert/strict";
import { test } from "node:test";
import { isSafeHref, segmentText, telHref } from "../src/text.js";

const links = (text) => segmentText(text).filter((s) => s.type === "link").map((s) => [s.text, s.href]);

test("centre phone number becomes a tel: link in every usual spelling", () => {
  assert.deepEqual(links("Appelez le 01 39 63 71 39."), [["01 39 63 71 39", "tel:+33139637139"]]);
  assert.deepEqual(links("au 01.39.63.71.39"), [["01.39.63.71.39", "tel:+33139637139"]]);
  assert.deepEqual(links("0139637139"), [["0139637139", "tel:+33139637139"]]);
  assert.deepEqual(links("+33 1 39 63 71 39"), [["+33 1 39 63 71 39", "tel:+33139637139"]]);
});

test("emergency numbers are links where they are numbers to call, not elsewhere", () => {
  assert.deepEqual(links("En cas d'urgence, appelez le 15."), [["15", "tel:15"]]);
  assert.deepEqual(links("Appelez le 15 (SAMU) ou le 112 maintenant"), [["15", "tel:15"], ["112", "tel:112"]]);
  assert.deepEqual(links("sourd ou malentendant : 114 par SMS"), [["114", "sms:114"]]);
  assert.deepEqual(links("composez le 3114"), [["3114", "tel:3114"]]);
  assert.deepEqual(links("le 15 janvier, pendant 15 minutes, le 15 %"), []);
  assert.deepEqual(links("20 séances, 2 à 4h, 90 %"), []);
});

test("web and e-mail addresses become links, trailing punctuation stays text", () => {
  assert.deepEqual(links("Voir https://exemple.fr/page."), [["https://exemple.fr/page", "https://exemple.fr/page"]]);
  assert.deepEqual(links("(www.exemple.fr)"), [["www.exemple.fr", "https://www.exemple.fr"]]);
  assert.deepEqual(links("écrire à sec.coro.hpp2@ramsaysante.fr"), [
    ["sec.coro.hpp2@ramsaysante.fr", "mailto:sec.coro.hpp2@ramsaysante.fr"],
  ]);
  const segs = segmentText("Voir https://exemple.fr/page.");
  assert.equal(segs.map((s) => s.text).join(""), "Voir https://exemple.fr/page.");
});

test("markup stays plain text and never becomes a link", () => {
  const text = '<img src=x onerror=alert(1)> <a href="javascript:alert(1)">x</a>';
  assert.deepEqual(segmentText(text), [{ type: "text", text }]);
  assert.equal(isSafeHref("javascript:alert(1)"), false);
  assert.equal(isSafeHref("tel:+33139637139"), true);
});

test("telHref", () => {
  assert.equal(telHref("06 12 34 56 78"), "tel:+33612345678");
  assert.equal(telHref("112"), "tel:112");
});

test("the bot's own emergency and contact sentences get the right links", () => {
  assert.deepEqual(
    links("🚨 URGENCE : appelez le 15 maintenant (ou le 112). Sourd ou malentendant : SMS au 114. Pour le suivi non urgent : centre au 01 39 63 71 39."),
    [["15", "tel:15"], ["112", "tel:112"], ["114", "sms:114"], ["01 39 63 71 39", "tel:+33139637139"]],
  );
  assert.deepEqual(
    links("Appelez le 3114, le numéro national de prévention du suicide, gratuit, 24 h/24."),
    [["3114", "tel:3114"]],
  );
  assert.deepEqual(links("contactez le centre (01 39 63 71 39) ou un médecin"), [["01 39 63 71 39", "tel:+33139637139"]]);
  assert.deepEqual(links("surveillance de 2 à 4 heures, 20 séances, le 15 du mois"), []);
});
