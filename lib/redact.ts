// Masks contact details (phone and wallet numbers, emails, links, handles) in chat text written in Bangla, English or
// Banglish, so that a deal cannot leave the platform through the chat. Pure and linear in the text's length (one pass
// to tokenize, bounded look-around per token, no backtracking regex over the text): it runs on every chat message.
import { z } from "zod";
import {
  AT_PLACES,
  AT_WORDS,
  BN_HOSTS,
  DOT_WORDS,
  EN_TENS,
  EN_UNITS,
  FILLER,
  HANDLE_MARKER,
  isPlatform,
  isWallet,
  JOINERS,
  loose,
  MONEY,
  MULTIPLIERS,
  NUMBER_WORDS,
  PROVIDERS,
  REFERENCE,
  SHORT_HOSTS,
  SLASH_WORDS,
  STOP,
  segmentDigits,
  TLD_STRONG,
  TLD_WEAK,
  type Token,
  type TokenKind,
  tokenize,
} from "./redact-lexicon";

/** What replaces a contact detail; the same for both languages, since both sides see the same stored text. */
export const REDACTION_MARKER = "[•••]";

export const ContactKind = z.enum(["phone", "email", "link", "handle", "wallet"]);
export type ContactKind = z.infer<typeof ContactKind>;

export { flaggedTerms } from "./flagged-terms";

export type Redaction = {
  text: string;
  redacted: boolean;
  /** Details found, by kind (pieces merged into one marker still count one each). */
  counts: Partial<Record<ContactKind, number>>;
  total: number;
};

// ---------------------------------------------------------------------------------------------------------------
// The scan. Detectors run from the most specific (URLs) to the least (digit runs); each claims its tokens, so a
// phone number inside a wa.me link counts once, as a link.

/** `piece`: a further part of a detail already counted (a number split by words). */
type Span = { start: number; end: number; kind: ContactKind; piece?: boolean };
/** Digits of a run that were not redacted, kept to spot a number split by words. */
type Leftover = { run: Run; a: number; b: number; digits: string };

class Scan {
  readonly claimed: boolean[];
  readonly spans: Span[] = [];
  readonly leftovers: Leftover[] = [];
  constructor(
    readonly text: string,
    readonly t: Token[],
  ) {
    this.claimed = t.map(() => false);
  }
  free = (i: number) => i >= 0 && i < this.t.length && !this.claimed[i];
  is = (i: number, kind: TokenKind, key?: string) => {
    const tok = this.t[i];
    return tok !== undefined && tok.kind === kind && (key === undefined || tok.key === key);
  };
  keyOf = (i: number) => this.t[i]?.key ?? "";
  lk = (i: number) => this.t[i]?.lk ?? "";
  /** A punctuation token that is one of `chars`. */
  punctIn = (i: number, chars: string) => this.is(i, "punct") && chars.includes(this.keyOf(i));
  claim(from: number, to: number, kind: ContactKind, piece = false) {
    for (let i = from; i < to; i++) this.claimed[i] = true;
    const a = this.t[from];
    const b = this.t[to - 1];
    if (a && b) this.spans.push({ start: a.start, end: b.end, kind, piece });
  }
  /** The next index after one optional space token. */
  skipSpace = (i: number) => (this.is(i, "space") ? i + 1 : i);
  /** Words from index i on (skipping spaces, digits and punctuation), up to n, in one direction. */
  words(i: number, dir: 1 | -1, n: number): Token[] {
    const out: Token[] = [];
    for (let j = i; j >= 0 && j < this.t.length && out.length < n && Math.abs(j - i) < 4 * n; j += dir) {
      const tok = this.t[j];
      if (tok?.kind === "word") out.push(tok);
    }
    return out;
  }
}

/** A domain label: Latin letters and digits, hyphens inside; or a Bangla-script host name. Returns [end, key]. */
function readLabel(s: Scan, i: number): [number, string] | null {
  const tok = s.t[i];
  if (!tok || !s.free(i)) return null;
  if (tok.kind === "word" && !tok.latin) {
    const host = BN_HOSTS.get(tok.lk);
    return host ? [i + 1, host] : null;
  }
  let j = i;
  let key = "";
  while (s.free(j) && (s.is(j, "num") || (s.t[j]?.kind === "word" && s.t[j]?.latin)) && key.length < 64) {
    key += s.keyOf(j);
    j++;
    if (s.is(j, "punct", "-") && (s.is(j + 1, "num") || s.t[j + 1]?.latin)) {
      key += "-";
      j++;
    }
  }
  return j > i ? [j, key] : null;
}

/** A dot between labels: a glued ".", or (spaced) "dot", "ডট", "(dot)"; a spaced "." only after a literal "@". */
function readDot(s: Scan, i: number, spacedLiteral: boolean): number {
  if (s.is(i, "punct", ".") && s.free(i) && !s.is(i + 1, "space")) return i + 1;
  const j = s.skipSpace(i);
  if (spacedLiteral && s.is(j, "punct", ".")) return s.skipSpace(j + 1);
  const k = s.punctIn(j, "([{<") ? s.skipSpace(j + 1) : j;
  if (!(s.is(k, "word") && DOT_WORDS.has(s.lk(k)) && s.free(k))) return -1;
  const close = s.skipSpace(k + 1);
  const end = k !== j && s.punctIn(close, ")]}>") ? close + 1 : k + 1;
  return s.skipSpace(end);
}

function readDomain(s: Scan, i: number, spacedLiteral: boolean) {
  const labels: string[] = [];
  let spaced = false;
  let end = i;
  let lab = readLabel(s, i);
  while (lab && labels.length < 10) {
    labels.push(lab[1]);
    end = lab[0];
    const d = readDot(s, end, spacedLiteral);
    if (d < 0) break;
    const next = readLabel(s, d);
    if (!next) break;
    spaced ||= d !== end + 1;
    lab = next;
  }
  return { end, labels, spaced };
}

/** An "@" in any of its spellings: @, at, (at), [at], "at the rate", এট. Returns its end, or -1. */
function readAt(s: Scan, i: number): { end: number; literal: boolean } | null {
  if (!s.free(i)) return null;
  if (s.is(i, "punct", "@")) return { end: i + 1, literal: true };
  const bracket = s.punctIn(i, "([{<");
  const w = bracket ? s.skipSpace(i + 1) : i;
  if (!(s.is(w, "word") && AT_WORDS.has(s.lk(w)))) return null;
  if (bracket) {
    const c = s.skipSpace(w + 1);
    return s.punctIn(c, ")]}>") ? { end: c + 1, literal: false } : null;
  }
  const the = s.skipSpace(w + 1);
  const rate = s.skipSpace(the + 1);
  if (s.keyOf(w) === "at" && /^(the|d|da)$/.test(s.keyOf(the)) && s.keyOf(rate) === "rate") {
    const of = s.skipSpace(rate + 1);
    return { end: s.keyOf(of) === "of" ? of + 1 : rate + 1, literal: false };
  }
  return { end: w + 1, literal: false };
}

const hasLetter = (label: string) => /[a-z]/.test(label);

function findUrls(s: Scan) {
  for (let i = 0; i < s.t.length; i++) {
    const k = s.keyOf(i);
    const scheme = /^(https?|hxxps?|ftp)$/.test(k) && s.is(i + 1, "punct", ":") && s.is(i + 2, "punct", "/");
    const www = k === "www" && s.is(i + 1, "punct", ".");
    if (!s.free(i) || !(scheme || www) || !s.is(i, "word")) continue;
    s.claim(i, pathEnd(s, i), "link");
  }
}

/** The end of a URL's path: every token up to a space, less trailing sentence punctuation. */
function pathEnd(s: Scan, i: number): number {
  let j = i + 1;
  while (s.free(j) && !s.is(j, "space")) j++;
  while (j > i + 1 && s.punctIn(j - 1, ".,!?;:)'\"।")) j--;
  return j;
}

function findEmails(s: Scan) {
  for (let i = 0; i < s.t.length; i++) {
    const at = readAt(s, i);
    if (!at) continue;
    const spacedBefore = s.is(i - 1, "space");
    const spacedAfter = s.is(at.end, "space");
    const domain = readDomain(s, s.skipSpace(at.end), at.literal && spacedAfter);
    const [first = "", ...rest] = domain.labels;
    const last = rest[rest.length - 1] ?? "";
    const known = TLD_STRONG.has(last) || TLD_WEAK.has(last);
    // A glued "a@b.xyz" may have any TLD; a spaced "@" is also how a handle is written, so it needs a known one.
    const tld = at.literal && !spacedBefore && !spacedAfter ? /^[a-z]{2,24}$/.test(last) : known;
    const oneSided = at.literal && spacedBefore !== spacedAfter;
    const ok =
      hasLetter(first) && (PROVIDERS.has(first) || (rest.length > 0 && (oneSided ? TLD_STRONG.has(last) : tld)));
    if (!ok) continue;
    s.claim(localStart(s, i), domain.end, "email");
    i = domain.end - 1;
  }
}

/** Where the local part before an "@" begins: glued letters, digits and . _ + -, across spelled-out "dot"s. */
function localStart(s: Scan, at: number): number {
  const part = (k: number) => s.free(k) && (s.is(k, "word") || s.is(k, "num") || s.punctIn(k, "._+-"));
  let j = s.is(at - 1, "space") ? at - 2 : at - 1;
  let start = at;
  for (let pieces = 0; pieces < 5 && part(j); pieces++) {
    let k = j;
    while (part(k - 1)) k--;
    while (k < j && s.is(k, "punct")) k++;
    if (s.is(k, "punct")) break;
    start = k;
    // "rahim dot cook at gmail": a spelled-out dot before this piece continues the local part.
    if (!(s.is(k - 1, "space") && DOT_WORDS.has(s.lk(k - 2)) && s.is(k - 3, "space"))) break;
    j = k - 4;
  }
  return start;
}

function findDomains(s: Scan) {
  for (let i = 0; i < s.t.length; i++) {
    if (!s.free(i) || !(s.is(i, "word") || s.is(i, "num"))) continue;
    if (s.is(i - 1, "word") || s.is(i - 1, "num") || s.punctIn(i - 1, "@./_-")) continue;
    const d = readDomain(s, i, false);
    if (d.labels.length < 2) continue;
    const last = d.labels[d.labels.length - 1] ?? "";
    const host = d.labels[d.labels.length - 2] ?? "";
    const path = s.is(d.end, "punct", "/");
    const ok =
      d.labels.some(hasLetter) &&
      (TLD_STRONG.has(last) ||
        (!d.spaced && TLD_WEAK.has(last) && (SHORT_HOSTS.has(host) || path || d.labels.length > 2)) ||
        (d.labels[0] === "www" && !d.spaced));
    if (!ok) continue;
    let end = path ? pathEnd(s, d.end - 1) : d.end;
    // "facebook dot com slash rahim": a spelled-out slash and the path after it.
    const slash = s.skipSpace(end);
    if (d.spaced && SLASH_WORDS.has(s.lk(slash)) && s.t[s.skipSpace(slash + 1)]?.latin)
      end = handleEnd(s, s.skipSpace(slash + 1));
    s.claim(i, end, "link");
    i = end - 1;
  }
}

/** A handle's body: glued Latin letters, digits, "_" and inner "."; returns its end. */
function handleEnd(s: Scan, i: number): number {
  let j = i;
  while (s.free(j) && (s.is(j, "num") || s.t[j]?.latin || s.punctIn(j, "_."))) j++;
  while (j > i && s.is(j - 1, "punct", ".")) j--;
  return j;
}

function findHandles(s: Scan) {
  for (let i = 0; i < s.t.length; i++) {
    if (!(s.free(i) && s.is(i, "punct", "@"))) continue;
    if (!(s.t[i + 1]?.latin || s.is(i + 1, "punct", "_")) || AT_PLACES.has(s.lk(i + 1))) continue;
    const end = handleEnd(s, i + 1);
    if (s.text.slice(s.t[i + 1]?.start, s.t[end - 1]?.end).length < 2) continue;
    s.claim(i, end, "handle");
  }
  // "fb id: rahim_cook", "insta rahim.cook99": a platform, then a handle-shaped word or one named as an id.
  for (let i = 0; i < s.t.length; i++) {
    const tok = s.t[i];
    if (!(tok && s.free(i) && isPlatform(tok))) continue;
    let j = i + 1;
    let marked = false; // the word just before the handle names it: "id", "username", "আইডি"
    for (let steps = 0; j < s.t.length && steps < 8; steps++, j++) {
      const w = s.t[j];
      if (!w || !s.free(j)) break;
      if (w.kind === "space" || s.punctIn(j, ":-=>(),/")) continue;
      const marker = w.kind === "word" && HANDLE_MARKER.has(w.lk);
      if (!(marker || (w.kind === "word" && FILLER.has(w.lk)))) break;
      marked = marker;
    }
    if (!s.t[j]?.latin) continue;
    const end = handleEnd(s, j);
    const body = s.text.slice(s.t[j]?.start, s.t[end - 1]?.end);
    const shaped = /[a-z]/i.test(body) && /[\d_.]/.test(body);
    const named = marked && body.length >= 3 && !STOP.has(loose(body)) && !NUMBER_WORDS.has(loose(body));
    if (shaped || named) s.claim(j, end, "handle");
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Digit runs: digits of any script and number words, joined by spaces, dashes, dots, brackets, commas.

type Unit = { tok: number; digits: string; word: boolean };
type Run = { units: Unit[]; gaps: string[] };

const isJoiner = (tok: Token | undefined) =>
  tok !== undefined && (tok.kind === "space" || (tok.kind === "punct" && JOINERS.has(tok.key)));

function nextAfterJoiners(s: Scan, i: number, max = 3): number {
  let k = i + 1;
  for (let n = 0; n < max && s.free(k) && isJoiner(s.t[k]) && !s.keyOf(k).includes("\n\n"); n++) k++;
  return k;
}

function wordDigits(s: Scan, i: number, allowMultiplier = true): string | null {
  const tok = s.t[i];
  if (tok?.kind !== "word" || !s.free(i)) return null;
  const k = tok.lk;
  const times = MULTIPLIERS.get(k);
  if (times && allowMultiplier) {
    const next = nextAfterJoiners(s, i, 2);
    const d = s.is(next, "num") && s.free(next) ? s.keyOf(next) : wordDigits(s, next, false);
    return d ? (d[0] ?? "").repeat(times - 1) : null;
  }
  const tens = EN_TENS.get(k);
  if (tens) {
    const next = s.keyOf(nextAfterJoiners(s, i, 2));
    const unit = EN_UNITS.indexOf(next);
    return unit > 0 ? tens : `${tens}0`;
  }
  const d = NUMBER_WORDS.get(k);
  if (d !== undefined) return d;
  // "0l7l2345678", "O17I2345678": a letter written for a digit, inside the digits (o is a Banglish zero already).
  if (tok.latin && (k === "l" || k === "i") && (s.is(i - 1, "num") || s.is(i + 1, "num"))) return "1";
  return tok.latin ? segmentDigits(k) : null;
}

function unitAt(s: Scan, i: number): Unit | null {
  if (!s.free(i)) return null;
  if (s.is(i, "num")) return { tok: i, digits: s.keyOf(i), word: false };
  const d = wordDigits(s, i);
  return d === null ? null : { tok: i, digits: d, word: true };
}

function findRuns(s: Scan): Run[] {
  const runs: Run[] = [];
  for (let i = 0; i < s.t.length; i++) {
    let u = unitAt(s, i);
    if (!u) continue;
    const run: Run = { units: [], gaps: [] };
    while (u) {
      run.units.push(u);
      const next = nextAfterJoiners(s, u.tok);
      const nu = unitAt(s, next);
      if (nu)
        run.gaps.push(
          s.t
            .slice(u.tok + 1, next)
            .map((t) => t.key)
            .join(""),
        );
      i = u.tok;
      u = nu;
    }
    runs.push(run);
  }
  return runs;
}

/** Bangladeshi mobiles with any of their prefixes; the bare ten-digit form is tried only if this finds nothing. */
const BD_MOBILE = /(?:(?:00)?8800?|0)1[3-9]\d{8}/g;
const BD_BARE = /1[3-9]\d{8}/g;

function classifyRun(s: Scan, run: Run) {
  // unitOf[d]: the unit that digit d came from; a unit starts at d when unitOf[d - 1] differs.
  const unitOf: number[] = [];
  for (const [n, u] of run.units.entries()) for (let k = 0; k < u.digits.length; k++) unitOf.push(n);
  const digits = run.units.map((u) => u.digits).join("");
  const covered: [number, number][] = [];
  for (const re of [BD_MOBILE, BD_BARE]) {
    for (const m of digits.matchAll(re)) {
      if (re === BD_BARE && m.index > 0 && unitOf[m.index - 1] === unitOf[m.index]) continue;
      covered.push([unitOf[m.index] ?? 0, unitOf[m.index + m[0].length - 1] ?? 0]);
    }
    if (covered.length) break;
  }
  let from = 0;
  for (const [a, b] of [...covered, [run.units.length, run.units.length] as [number, number]]) {
    if (a > from && !genericNumber(s, run, from, a - 1)) {
      const units = run.units.slice(from, a);
      if (units.every((u) => !u.word))
        s.leftovers.push({ run, a: from, b: a - 1, digits: units.map((u) => u.digits).join("") });
    }
    if (a < run.units.length) emitNumber(s, run, a, b);
    from = b + 1;
  }
}

/** A run of units that is not a Bangladeshi mobile: still a number being shared, unless it reads as something else. */
function genericNumber(s: Scan, run: Run, from: number, to: number): boolean {
  let a = from;
  let b = to;
  const words = run.units.slice(a, b + 1).filter((u) => u.word).length;
  if (words < 6) {
    while (a <= b && run.units[a]?.word) a++;
    while (b >= a && run.units[b]?.word) b--;
  }
  if (a > b) return false;
  const units = run.units.slice(a, b + 1);
  const gaps = run.gaps.slice(a, b);
  const digits = units.map((u) => u.digits).join("");
  const lastTok = units[units.length - 1]?.tok ?? 0;
  const plus = s.is(units[0]?.tok ?? 0, "num") && s.keyOf((units[0]?.tok ?? 0) - 1) === "+";
  const money = moneyAround(s, units[0]?.tok ?? 0, lastTok);
  if (digits.length < 8) {
    const near = [...s.words((units[0]?.tok ?? 0) - 1, -1, 4), ...s.words(lastTok + 1, 1, 2)];
    if (!(digits.length >= 6 && !money && near.some((w) => isPlatform(w) || isWallet(w)))) return false;
    emitNumber(s, run, a, b);
    return true;
  }
  if (money || gaps.some((g) => g.includes(","))) return false;
  const ref = s.words((units[0]?.tok ?? 0) - 1, -1, 3).find((w) => !FILLER.has(w.lk));
  if (ref && REFERENCE.has(ref.lk)) return false;
  if (units.every((u) => !u.word)) {
    const len = units.map((u) => u.digits.length);
    const [l0 = 0, l1 = 0, l2 = 0] = len;
    const sameSep = gaps.every((g) => g === gaps[0] && /^[-./]$/.test(g));
    if (len.length === 3 && sameSep && ((l0 <= 2 && l1 <= 2 && l2 === 4) || (l0 === 4 && l1 <= 2 && l2 <= 2)))
      return false;
    const dashed = gaps.length === 1 && /^\s?[-–—]\s?$/.test(gaps[0] ?? "");
    if (dashed && units.every((u) => !u.digits.startsWith("0")) && len.every((l) => l <= 6)) return false;
    if (len.every((l) => l <= 2) && !digits.startsWith("0") && !plus && digits.length < 10) return false;
    // "500 600 700", "1000 1500 2000": round amounts; "2024 2025": years.
    const lone = !plus && !digits.startsWith("0") && units.length > 1;
    if (lone && (units.every((u) => u.digits.endsWith("0")) || units.every((u) => /^(19|20)\d\d$/.test(u.digits))))
      return false;
  }
  emitNumber(s, run, a, b);
  return true;
}

/** A price beside the run: ৳ or Tk before it, taka/টাকা or "/-" after it. */
function moneyAround(s: Scan, first: number, last: number): boolean {
  const before = s.t[s.is(first - 1, "space") ? first - 2 : first - 1];
  const after = s.t[s.is(last + 1, "space") ? last + 2 : last + 1];
  const money = (t: Token | undefined) => t !== undefined && (MONEY.has(t.lk) || t.key === "$");
  return money(before) || money(after) || (after?.key === "/" && "-=".includes(s.keyOf(last + 2) || "x"));
}

function emitNumber(s: Scan, run: Run, a: number, b: number, piece = false) {
  let from = run.units[a]?.tok ?? 0;
  let to = (run.units[b]?.tok ?? 0) + 1;
  while (s.free(from - 1) && s.punctIn(from - 1, "+(")) from--;
  const inner = s.t.slice(from, to).map((t) => t.key);
  if (inner.filter((k) => k === "(").length > inner.filter((k) => k === ")").length && s.is(to, "punct", ")")) to++;
  while (s.free(to) && s.is(to, "space", "")) to++; // the keycap of 8️⃣
  const near = [...s.words(from - 1, -1, 5), ...s.words(to, 1, 3)];
  s.claim(from, to, near.some(isWallet) ? "wallet" : "phone", piece);
}

/** "01712, baki ta 345678": a mobile's prefix and, a few words on, the rest of it, which together make one number. */
function joinSplitNumbers(s: Scan) {
  for (const [k, head] of s.leftovers.entries()) {
    const tail = s.leftovers[k + 1];
    const gap = (tail?.run.units[tail.a]?.tok ?? 0) - (head.run.units[head.b]?.tok ?? 0);
    if (!tail || gap > 12 || head.digits.length < 3 || tail.digits.length < 3) continue;
    if (!s.free(head.run.units[head.a]?.tok ?? -1)) continue;
    if (
      !/^(?:(?:00)?880|0)1[3-9]/.test(head.digits) ||
      !/^(?:(?:00)?880)?01[3-9]\d{8}$/.test(head.digits + tail.digits)
    )
      continue;
    emitNumber(s, head.run, head.a, head.b);
    emitNumber(s, tail.run, tail.a, tail.b, true);
  }
}

// ---------------------------------------------------------------------------------------------------------------

/** Replaces every contact detail in `text` with REDACTION_MARKER; pieces separated only by spaces or punctuation
 * become one marker. Deterministic and idempotent: redacting the result again changes nothing. */
export function redact(text: string): Redaction {
  const s = new Scan(text, tokenize(text));
  findUrls(s);
  findEmails(s);
  findDomains(s);
  findHandles(s);
  for (const run of findRuns(s)) classifyRun(s, run);
  joinSplitNumbers(s);

  const counts: Partial<Record<ContactKind, number>> = {};
  for (const sp of s.spans) if (!sp.piece) counts[sp.kind] = (counts[sp.kind] ?? 0) + 1;
  const spans = [...s.spans].sort((x, y) => x.start - y.start);
  let out = "";
  let at = 0;
  for (const [n, sp] of spans.entries()) {
    const gap = text.slice(at, sp.start);
    if (n > 0 && gap.length <= 3 && /^[\s\-–—.,/()[\]|_*+:;]*$/.test(gap)) {
      at = Math.max(at, sp.end);
      continue;
    }
    out += gap + REDACTION_MARKER;
    at = sp.end;
  }
  out += text.slice(at);
  const total = Object.values(counts).reduce((n, c) => n + c, 0);
  return { text: spans.length ? out : text, redacted: spans.length > 0, counts, total };
}
