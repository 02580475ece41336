// textDirection(): the writing direction of a content language, from the platform's Intl.Locale
// where it answers, else from the language's script; and parts(), which keeps a placeholder's
// value (a node) apart from the interface sentence around it.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { contentAttributes, createI18n, textDirection } from "../index.js";

const RTL = ["ar", "ar-MA", "he", "he-IL", "fa", "fa-AF", "ur", "ps", "ckb", "sd", "ug", "yi", "syr", "dv", "az-Arab", "pa-Arab", "ff-Adlm", "nqo"];
const LTR = ["fr", "fr-BE", "nl", "en", "en-GB", "de", "zh", "ja", "ru", "hi", "tr", "az", "ar-Latn", "sr-Latn", "mn-Mong"];
const NOT_TAGS = ["", "ar_EG", "not a tag", "x-private-only", "-ar", "ar--EG", null, undefined, 42];

function check() {
  for (const tag of RTL) assert.equal(textDirection(tag), "rtl", tag);
  for (const tag of LTR) assert.equal(textDirection(tag), "ltr", tag);
  for (const tag of NOT_TAGS) assert.equal(textDirection(tag), "auto", String(tag));
}

// The platform's own answers (getTextInfo() or textInfo), replaced for a test.
const proto = Intl.Locale.prototype;
const NAMES = ["getTextInfo", "textInfo"];
let saved;
const keep = () => (saved = NAMES.map((name) => [name, Object.getOwnPropertyDescriptor(proto, name)]));
const restore = () => {
  for (const [name, descriptor] of saved) {
    delete proto[name];
    if (descriptor) Object.defineProperty(proto, name, descriptor);
  }
};

describe("with the platform's answer", () => {
  test("the platform can tell a direction here (the branch tested is the platform's)", () => {
    const locale = new Intl.Locale("ar");
    const info = typeof locale.getTextInfo === "function" ? locale.getTextInfo() : locale.textInfo;
    assert.equal(info.direction, "rtl");
  });
  test("right-to-left, left-to-right and bad tags", check);
});

describe("without getTextInfo or textInfo (the script decides)", () => {
  before(() => {
    keep();
    for (const name of NAMES) delete proto[name];
  });
  after(restore);
  test("the platform says nothing now", () => {
    assert.equal(new Intl.Locale("ar").textInfo, undefined);
    assert.equal(typeof new Intl.Locale("ar").getTextInfo, "undefined");
  });
  test("right-to-left, left-to-right and bad tags", check);
  test("an explicit script subtag decides over the language's likely one", () => {
    assert.equal(textDirection("ar-Latn"), "ltr");
    assert.equal(textDirection("tk-Arab"), "rtl");
    assert.equal(textDirection("ur-Aran"), "rtl");
  });
  test("a language with no likely script and no script subtag is left to the text", () => {
    assert.equal(textDirection("qaa"), "auto");
  });
});

describe("a platform that answers ltr for what it does not know (V8's textInfo before getTextInfo)", () => {
  before(() => {
    keep();
    delete proto.getTextInfo;
    Object.defineProperty(proto, "textInfo", { configurable: true, get: () => ({ direction: "ltr" }) });
  });
  after(restore);
  test("the script still makes Arabic, Hebrew and Thaana right-to-left", () => {
    for (const tag of ["ar", "he", "dv", "az-Arab"]) assert.equal(textDirection(tag), "rtl", tag);
    assert.equal(textDirection("fr"), "ltr");
  });
});

test("contentAttributes gives lang and dir, or only dir=auto without a language", () => {
  assert.deepEqual(contentAttributes("ar"), { lang: "ar", dir: "rtl" });
  assert.deepEqual(contentAttributes("fr-BE"), { lang: "fr-BE", dir: "ltr" });
  assert.deepEqual(contentAttributes(""), { dir: "auto" });
  assert.deepEqual(contentAttributes(undefined), { dir: "auto" });
});

describe("parts(): a message with an element in it", () => {
  const i18n = createI18n({
    tables: { en: { playing: "Playing: {s}", plain: "Hello {name}" }, fr: { playing: "Lecture : {s}" } },
    storageKey: "test",
  });
  test("the value given for a placeholder comes back as itself, between the sentence's strings", () => {
    const node = { title: "طاحونة مارشيين" };
    const found = i18n.parts("playing", { s: node });
    assert.equal(found.length, 2);
    assert.equal(found[0], "Playing: ");
    assert.equal(found[1], node);
  });
  test("strings only when the values are strings; nothing (never the key) for a missing message", () => {
    assert.deepEqual(i18n.parts("plain", { name: "Ada" }), ["Hello Ada"]);
    assert.deepEqual(i18n.parts("no.such.key"), []);
    assert.equal(i18n.t("plain", { name: "Ada" }), "Hello Ada");
  });
});
