import { describe, expect, it } from "vitest";
import { FLAGGED_TERMS } from "./flagged-terms";
import { ContactKind, flaggedTerms, REDACTION_MARKER, redact } from "./redact";
import { CORPUS, type CorpusCase, corpusReport, leakIn, passes } from "./redact.corpus";

const asserted = CORPUS.filter((c) => !c.known_miss);
const redactCases = asserted.filter((c) => c.expect === "redact");
const keepCases = asserted.filter((c) => c.expect === "keep");
const knownMisses = CORPUS.filter((c) => c.known_miss);
const sorted = (kinds: readonly string[]) => [...kinds].sort();

describe("the corpus", () => {
  it("has at least 200 cases, at least half of them benign and at least half in Bangla script", () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(200);
    expect(CORPUS.filter((c) => c.expect === "keep").length * 2).toBeGreaterThanOrEqual(CORPUS.length);
    expect(CORPUS.filter((c) => /[\u0980-\u09ff]/.test(c.text)).length * 2).toBeGreaterThanOrEqual(CORPUS.length);
  });

  it("states the kinds of every detail to redact, and holds each text once", () => {
    for (const c of CORPUS.filter((x) => x.expect === "redact")) {
      expect(c.kinds?.length, c.text).toBeGreaterThan(0);
      for (const kind of c.kinds ?? []) expect(ContactKind.safeParse(kind).success).toBe(true);
    }
    expect(new Set(CORPUS.map((c) => c.text)).size).toBe(CORPUS.length);
  });

  it.each(CORPUS.filter((c) => c.expect === "redact").map((c) => [c.text, c] as const))(
    "would see the detail in %s leak if nothing were masked",
    (_, c) => {
      expect(leakIn(c, c.text)).not.toBeNull();
    },
  );
});

describe("redact", () => {
  it.each(redactCases.map((c) => [c.text, c] as const))("masks the contact detail in %s", (_, c: CorpusCase) => {
    const r = redact(c.text);
    expect(r.redacted).toBe(true);
    expect(r.text).toContain(REDACTION_MARKER);
    expect(leakIn(c, r.text)).toBeNull();
    expect(sorted(Object.keys(r.counts))).toEqual(sorted(c.kinds ?? []));
    expect(r.total).toBe(Object.values(r.counts).reduce((n, x) => n + x, 0));
  });

  it.each(keepCases.map((c) => [c.text] as const))("leaves benign text untouched: %s", (text) => {
    expect(redact(text)).toEqual({ text, redacted: false, counts: {}, total: 0 });
  });

  it.each(knownMisses.map((c) => [c.text, c] as const))(
    "still gets a known miss wrong (update the corpus when it no longer does): %s",
    (_, c) => {
      expect(passes(c)).toBe(false);
    },
  );

  it("is idempotent: redacting a redacted text changes nothing and finds nothing", () => {
    for (const c of CORPUS) {
      const once = redact(c.text).text;
      expect(redact(once), c.text).toEqual({ text: once, redacted: false, counts: {}, total: 0 });
    }
  });

  it("counts each detail once, by kind", () => {
    const r = redact("call 01712345678 or mail rahim@gmail.com; bkash 01812345678, fb.com/rahim, @rahim_cook");
    expect(r.counts).toEqual({ phone: 1, email: 1, wallet: 1, link: 1, handle: 1 });
    expect(r.total).toBe(5);
    expect(redact("01712345678 / 01812345678").counts).toEqual({ phone: 2 });
  });

  it("collapses the pieces of one number into one marker, brackets and separators included", () => {
    expect(redact("০১৭ ১২ ৩৪ ৫৬ ৭৮").text).toBe(REDACTION_MARKER);
    expect(redact("(+880) 1712-345678").text).toBe(REDACTION_MARKER);
    expect(redact("0️⃣1️⃣7️⃣1️⃣2️⃣3️⃣4️⃣5️⃣6️⃣7️⃣8️⃣").text).toBe(REDACTION_MARKER);
    expect(redact("zero one seven, one two three, four five six seven eight").text).toBe(REDACTION_MARKER);
  });

  it("merges details separated only by punctuation, and keeps words between details", () => {
    expect(redact("01712345678, 01812345678").text).toBe(REDACTION_MARKER);
    expect(redact("01712345678 or 01812345678").text).toBe(`${REDACTION_MARKER} or ${REDACTION_MARKER}`);
  });

  it("counts a number split by words once, masking both parts", () => {
    const r = redact("first part 01712, baki ta 345678");
    expect(r.text).toBe(`first part ${REDACTION_MARKER}, baki ta ${REDACTION_MARKER}`);
    expect(r.counts).toEqual({ phone: 1 });
    expect(r.total).toBe(1);
  });

  it("keeps the text around a detail byte for byte", () => {
    expect(redact("মোবাইল: ০১৭১২-৩৪৫৬৭৮, বাসা: রোড ৪, বাড়ি ২৩").text).toBe(`মোবাইল: ${REDACTION_MARKER}, বাসা: রোড ৪, বাড়ি ২৩`);
    expect(redact("call me at 01712345678 at 5 pm").text).toBe(`call me at ${REDACTION_MARKER} at 5 pm`);
  });

  it("calls a number next to a wallet word a wallet, and next to a chat app a phone", () => {
    expect(redact("bkash 01712345678").counts).toEqual({ wallet: 1 });
    expect(redact("০১৭১২৩৪৫৬৭৮ নম্বরে বিকাশ করুন").counts).toEqual({ wallet: 1 });
    expect(redact("whatsapp 01712345678").counts).toEqual({ phone: 1 });
  });

  it("reads both Unicode forms of য় in number words", () => {
    const precomposed = "শূন্য এক সাত এক দুই তিন চার পাঁচ ছ\u09df সাত আট";
    const decomposed = "শূন্য এক সাত এক দুই তিন চার পাঁচ ছ\u09af\u09bc সাত আট";
    expect(redact(precomposed).text).toBe(REDACTION_MARKER);
    expect(redact(decomposed).text).toBe(REDACTION_MARKER);
  });

  it("returns an empty text as it is", () => {
    expect(redact("")).toEqual({ text: "", redacted: false, counts: {}, total: 0 });
  });

  it.each([
    ["0 ", "digits one by one"],
    ["1.", "dotted digits"],
    ["a@", "at signs"],
    ["at ", "at words"],
    ["dot ", "dot words"],
    ["x at y dot ", "half an email, again and again"],
    ["double ", "multipliers"],
    ["zeroone", "one glued word of number words"],
    ["শূন্য ", "Bangla number words"],
    ["ডট ", "Bangla dots"],
    ["((((", "brackets"],
    ["www.", "a URL prefix"],
    ["a.b@", "dotted handles"],
    ["fb id ", "platform and marker words"],
    ["1 3 ", "digit runs that almost make a mobile"],
    ["01712345678", "numbers glued together"],
  ])("finishes on 2,000 characters of %j (%s)", (piece) => {
    const text = piece.repeat(Math.ceil(2000 / piece.length)).slice(0, 2000);
    const r = redact(text);
    expect(typeof r.text).toBe("string");
    expect(redact(r.text).text).toBe(r.text);
  });

  it("masks digits one by one over 2,000 characters", () => {
    expect(redact("0 1 7 1 2 3 4 5 6 7 8 ".repeat(91)).text).not.toMatch(/\d/);
  });
});

describe("corpusReport", () => {
  it("counts every case, known misses included, and names what it misses", () => {
    const report = corpusReport();
    expect(report.cases).toBe(CORPUS.length);
    const missed = knownMisses.filter((c) => c.expect === "redact").map((c) => c.text);
    const falsePositives = knownMisses.filter((c) => c.expect === "keep").map((c) => c.text);
    expect(sorted(report.misses)).toEqual(sorted(missed));
    expect(sorted(report.falsePositives)).toEqual(sorted(falsePositives));
    const redacts = CORPUS.filter((c) => c.expect === "redact").length;
    expect(report.recall).toBeCloseTo(1 - missed.length / redacts);
    expect(report.falsePositiveRate).toBeCloseTo(falsePositives.length / (CORPUS.length - redacts));
  });
});

describe("flaggedTerms", () => {
  it.each([
    ["pay me directly, ok?", ["pay directly"]],
    ["PAY ME DIRECTLY", ["pay directly"]],
    ["whatsapp me please", ["whatsapp me"]],
    ["bkash e pathan", ["bkash payment"]],
    ["send money to my nagad", ["send money"]],
    ["চলেন বাইরে দেখা করি", ["meet outside"]],
    ["অ্যাপের বাইরে কাজ করলে কমিশন ছাড়া হবে", ["outside the app", "no commission"]],
    ["বিকাশে পাঠাবেন", ["bkash payment"]],
    ["তোকে মেরে ফেলবো", ["kill you"]],
    ["haramjada", ["bastard"]],
    ["কুত্তার বাচ্চা", ["son of a dog"]],
  ])("finds %j", (text, terms) => {
    expect(flaggedTerms(text)).toEqual(terms);
  });

  it("matches Bangla whichever way য় is encoded", () => {
    expect(flaggedTerms("হো\u09dfাটসঅ্যাপে নক দেন")).toEqual(["whatsapp me"]);
    expect(flaggedTerms("হো\u09af\u09bcাটসঅ্যাপে নক দেন")).toEqual(["whatsapp me"]);
  });

  it("matches whole words only", () => {
    expect(flaggedTerms("shalami dilam, magic show, imo the price is fair")).toEqual([]);
  });

  it("returns each term once, in the list's order", () => {
    expect(flaggedTerms("haramjada! call me. pay me directly, pay directly")).toEqual([
      "pay directly",
      "call me",
      "bastard",
    ]);
  });

  it("finds in every corpus text the terms it is marked with, and nothing in the others", () => {
    for (const c of CORPUS) expect(flaggedTerms(c.text), c.text).toEqual(c.flags ?? []);
  });

  it("finds every variant of every term", () => {
    for (const { term, variants } of FLAGGED_TERMS)
      for (const v of variants) expect(flaggedTerms(v.replaceAll("*", "")), v).toContain(term);
  });
});
