// The redactor's corpus: contact details as people in Dhaka write them into a chat (Bangla, English, Banglish, mixed)
// and benign text that looks like them, with what redact() must do with each; and the report over it. The cases live
// in lib/redact.corpus.bn.ts (Bangla script or mixed) and lib/redact.corpus.en.ts (English and Banglish).
import { toAsciiDigits } from "./digits";
import { type ContactKind, redact } from "./redact";
import { BN_CASES } from "./redact.corpus.bn";
import { EN_CASES } from "./redact.corpus.en";

export type CorpusCase = {
  text: string;
  /** "redact": the detail must be gone; "keep": the text must come back unchanged. */
  expect: "redact" | "keep";
  /** Exactly the kinds redact() must report. */
  kinds?: ContactKind[];
  /** Fragments that must not survive, besides digits and addresses (which are always checked). */
  leak?: string[];
  /** The moderation terms flaggedTerms must find in the text (none when absent). */
  flags?: string[];
  note?: string;
  /** Not handled, because handling it would hurt benign text: counted in the report, not asserted. */
  known_miss?: true;
};

export const CORPUS: readonly CorpusCase[] = [...BN_CASES, ...EN_CASES];

const BD_CORE = /(?:(?:00)?880|0)?(1[3-9]\d{8})/;

/**
 * Why a redacted text still gives the detail away, or null: the input's mobile number (its last ten digits) among
 * the output's digits, eight digits in a row, an email, a link, an @handle, or one of the case's `leak` fragments.
 */
export function leakIn(c: CorpusCase, output: string): string | null {
  // Zero-width spaces and keycaps (0️⃣) dropped, so "0\u200b17…" reads as the number it shows.
  const ascii = (s: string) => toAsciiDigits(s.normalize("NFKC")).replace(/\u200b|\ufe0f|\u20e3/g, "");
  const outDigits = ascii(output).replace(/\D/g, "");
  for (const chunk of ascii(c.text).match(/[\d\s\-.()+*/]{8,}/g) ?? []) {
    const core = chunk.replace(/\D/g, "").match(BD_CORE)?.[1];
    if (core && outDigits.includes(core)) return `the number ${core} survives`;
  }
  if (/\d(?:[\s\-.()*]*\d){7}/.test(ascii(output))) return "eight digits in a row survive";
  if (/[\w.+-]+@[\w-]+\.[a-z]{2,}/i.test(output)) return "an email survives";
  if (/https?:\/\/|www\.|\b[\w-]+\.(?:com|net|org|me|bd|io|ly|ee)\b/i.test(output)) return "a link survives";
  if (/@[a-z_][\w.]{2,}/i.test(output)) return "an @handle survives";
  const lower = output.normalize("NFC").toLowerCase();
  const fragment = c.leak?.find((f) => lower.includes(f.normalize("NFC").toLowerCase()));
  return fragment ? `"${fragment}" survives` : null;
}

/** A case's outcome: caught (redacted and nothing leaks) for "redact", untouched for "keep". */
export function passes(c: CorpusCase): boolean {
  const r = redact(c.text);
  return c.expect === "keep" ? r.text === c.text && !r.redacted : r.redacted && leakIn(c, r.text) === null;
}

export type ReportRow = {
  set: string;
  cases: number;
  redact: number;
  keep: number;
  recall: number;
  falsePositiveRate: number;
  knownMisses: number;
};

export type CorpusReport = {
  cases: number;
  /** Share of "redact" cases caught, known misses included. */
  recall: number;
  /** Share of "keep" cases changed, known misses included. */
  falsePositiveRate: number;
  /** "redact" cases not caught. */
  misses: string[];
  /** "keep" cases changed. */
  falsePositives: string[];
  rows: ReportRow[];
};

function row(set: string, cases: readonly CorpusCase[]): ReportRow {
  const redacts = cases.filter((c) => c.expect === "redact");
  const keeps = cases.filter((c) => c.expect === "keep");
  return {
    set,
    cases: cases.length,
    redact: redacts.length,
    keep: keeps.length,
    recall: redacts.length ? redacts.filter(passes).length / redacts.length : 1,
    falsePositiveRate: keeps.length ? keeps.filter((c) => !passes(c)).length / keeps.length : 0,
    knownMisses: cases.filter((c) => c.known_miss).length,
  };
}

/** Recall and false-positive rate over the whole corpus, and per language file. */
export function corpusReport(): CorpusReport {
  const all = row("all", CORPUS);
  return {
    cases: all.cases,
    recall: all.recall,
    falsePositiveRate: all.falsePositiveRate,
    misses: CORPUS.filter((c) => c.expect === "redact" && !passes(c)).map((c) => c.text),
    falsePositives: CORPUS.filter((c) => c.expect === "keep" && !passes(c)).map((c) => c.text),
    rows: [row("bn (Bangla script, mixed)", BN_CASES), row("en (English, Banglish)", EN_CASES), all],
  };
}
