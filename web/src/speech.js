// Reading answers aloud with the browser's own speech synthesis, and only with a French voice that
// runs on the device (`localService`): a remote voice would send the patient's answers to a third
// party. Without such a voice the widget shows no "Écouter" button.

export function localFrenchVoice(voices) {
  return (voices || []).find((v) => v && v.localService === true && /^fr([-_]|$)/i.test(String(v.lang || ""))) || null;
}

export class Reader {
  // `onChange` is called when the voice appears or goes, and when reading starts or stops.
  constructor(win, onChange) {
    this.synth = win && win.speechSynthesis;
    this.Utterance = win && win.SpeechSynthesisUtterance;
    this.onChange = onChange;
    this.voice = null;
    this.current = null; // id of the message being read
    if (!this.synth || !this.Utterance || typeof this.synth.getVoices !== "function") return;
    const refresh = () => this.refresh();
    if (typeof this.synth.addEventListener === "function") this.synth.addEventListener("voiceschanged", refresh);
    else this.synth.onvoiceschanged = refresh;
    this.refresh();
  }

  get available() {
    return Boolean(this.voice);
  }

  refresh() {
    let voice = null;
    try {
      voice = localFrenchVoice(this.synth.getVoices());
    } catch {
      voice = null;
    }
    if (voice === this.voice) return;
    this.voice = voice;
    if (!voice) this.stop();
    this.onChange();
  }

  speak(id, text) {
    if (!this.voice) return;
    this.synth.cancel();
    const utterance = new this.Utterance(text);
    utterance.voice = this.voice;
    utterance.lang = this.voice.lang;
    utterance.rate = 0.9; // a little slower than the default, for elderly listeners
    const done = () => {
      if (this.current !== id) return;
      this.current = null;
      this.onChange();
    };
    utterance.onend = done;
    utterance.onerror = done;
    this.current = id;
    this.synth.speak(utterance);
    this.onChange();
  }

  stop() {
    if (this.current === null) return;
    this.current = null;
    this.synth.cancel();
    this.onChange();
  }
}
