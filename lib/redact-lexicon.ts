// The words and characters the redactor reads: a tokenizer that keeps offsets into the original text, a spelling-
// forgiving key for Bangla, number words (English, Banglish, Bangla 0-99, English in Bangla script) and the context
// words that tell a wallet, a platform, a price or a booking reference. Pure data and lookups, no detection here.

// Tokens. Offsets index the original text, so untouched text is returned byte for byte; keys are the comparable
// form: ASCII digits for any script's digits, lower case, NFKC per character (fullwidth and mathematical letters and
// digits become plain ones), Bangla in NFC without zero-width joiners.

export type TokenKind = "num" | "word" | "space" | "punct";
/** `key` is the comparable form (for Bangla, `bnKey`); `lk` the word-list form (`loose`). */
export type Token = { kind: TokenKind; start: number; end: number; key: string; lk: string; latin: boolean };
type CharClass = "digit" | "latin" | "bangla" | "space" | "punct" | "joiner";

const KIND_OF: Record<Exclude<CharClass, "joiner">, TokenKind> = {
  digit: "num",
  latin: "word",
  bangla: "word",
  space: "space",
  punct: "punct",
};

/** Zero-width characters and emoji modifiers (0️⃣ is 0 + U+FE0F + U+20E3): inside a number they join like spaces. */
const INVISIBLE = new Set([0x200b, 0x200e, 0x200f, 0x2060, 0xfeff, 0x00ad, 0x180e, 0xfe0e, 0xfe0f, 0x20e3]);

function classify(ch: string, cp: number): [CharClass, string] {
  if (cp < 0x80) {
    if (cp >= 48 && cp <= 57) return ["digit", ch];
    if ((cp >= 65 && cp <= 90) || (cp >= 97 && cp <= 122)) return ["latin", ch.toLowerCase()];
    if (cp === 32 || (cp >= 9 && cp <= 13)) return ["space", cp === 10 ? "\n" : " "];
    return ["punct", ch];
  }
  if (cp >= 0x09e6 && cp <= 0x09ef) return ["digit", String(cp - 0x09e6)];
  if (cp >= 0x0660 && cp <= 0x0669) return ["digit", String(cp - 0x0660)];
  if (cp >= 0x06f0 && cp <= 0x06f9) return ["digit", String(cp - 0x06f0)];
  // The Bangla block, less its currency and fraction signs (৳ is punctuation, like $).
  if (cp >= 0x0980 && cp <= 0x09ff && !(cp >= 0x09f2 && cp <= 0x09fb)) return ["bangla", ch];
  if (cp === 0x200c || cp === 0x200d) return ["joiner", ""];
  if (INVISIBLE.has(cp)) return ["space", ""];
  if (/\s/u.test(ch)) return ["space", " "];
  const n = ch.normalize("NFKC");
  if (/^[0-9]+$/.test(n)) return ["digit", n];
  if (/^[a-z]+$/i.test(n)) return ["latin", n.toLowerCase()];
  return ["punct", n];
}

export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let cur: Token | undefined;
  let curClass: CharClass | undefined;
  let at = 0;
  for (const ch of text) {
    const [cls, norm] = classify(ch, ch.codePointAt(0) ?? 0);
    const end = at + ch.length;
    if (cur && (cls === "joiner" || (cls === curClass && cls !== "punct"))) {
      cur.end = end;
      cur.key += norm;
    } else {
      const c = cls === "joiner" ? "space" : cls;
      cur = { kind: KIND_OF[c], start: at, end, key: norm, lk: "", latin: c === "latin" };
      curClass = c;
      out.push(cur);
    }
    at = end;
  }
  for (const t of out) {
    if (t.kind === "word" && !t.latin) t.key = bnKey(t.key);
    t.lk = t.kind === "word" && !t.latin ? loose(t.key) : t.key;
  }
  return out;
}

/**
 * A lookup key that forgives Bangla spelling: nukta forms (য় as U+09DF or য+়), chandrabindu, hasanta, long and
 * short vowels, ণ/ন and শ/ষ/স, a final ো. Used only to compare against word lists, never on output.
 */
export function loose(word: string): string {
  return bnKey(word).replace(/\u09cb$/, "");
}

/** `loose` without dropping a final ো, for prefix matches (ইমো, ইমোতে). */
export function bnKey(word: string): string {
  return word
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[\u09bc\u0981\u09cd\u200c\u200d]/g, "")
    .replace(/\u09c0/g, "\u09bf")
    .replace(/\u09c2/g, "\u09c1")
    .replace(/\u098a/g, "\u0989")
    .replace(/\u0988/g, "\u0987")
    .replace(/\u09a3/g, "\u09a8")
    .replace(/[\u09b6\u09b7]/g, "\u09b8");
}

export const wordsOf = (list: string) => new Set(list.split(" ").map(loose));

// ---------------------------------------------------------------------------------------------------------------
// Number words: English, Banglish, Bangla (0-99, as numbers are read aloud), English in Bangla script.

export const EN_UNITS = "zero one two three four five six seven eight nine".split(" ");
const EN_TEENS = "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split(" ");
export const EN_TENS = new Map(
  "twenty thirty forty fifty sixty seventy eighty ninety".split(" ").map((w, i) => [w, String(i + 2)] as const),
);
const BANGLISH = [
  "shunno shunyo shunnyo sunno sunyo shuno shunya sunya jiro oh o",
  "ek aek ak",
  "dui duii duy",
  "tin teen tinn",
  "char chaar",
  "pach panch paach paanch",
  "choy choi chhoy chhoi soy chay",
  "sat saat shat shaat",
  "at aat aath",
  "noy noi nou noe nay",
];
const BN_EN = "জিরো ওয়ান টু থ্রি ফোর ফাইভ সিক্স সেভেন এইট নাইন".split(" ");
const BN_0_99 =
  "শূন্য/শুন্য/শূণ্য এক দুই/দু তিন চার পাঁচ ছয়/ছয় সাত আট নয়/নয় দশ এগারো বারো তেরো চৌদ্দ/চোদ্দ পনেরো ষোলো সতেরো " +
  "আঠারো উনিশ বিশ/কুড়ি একুশ বাইশ তেইশ চব্বিশ পঁচিশ ছাব্বিশ সাতাশ আঠাশ ঊনত্রিশ ত্রিশ/তিরিশ একত্রিশ বত্রিশ তেত্রিশ " +
  "চৌত্রিশ পঁয়ত্রিশ ছত্রিশ সাঁইত্রিশ আটত্রিশ ঊনচল্লিশ চল্লিশ একচল্লিশ বিয়াল্লিশ তেতাল্লিশ চুয়াল্লিশ পঁয়তাল্লিশ ছেচল্লিশ " +
  "সাতচল্লিশ আটচল্লিশ ঊনপঞ্চাশ পঞ্চাশ একান্ন বায়ান্ন তিপ্পান্ন চুয়ান্ন পঞ্চান্ন ছাপ্পান্ন সাতান্ন আটান্ন ঊনষাট ষাট একষট্টি " +
  "বাষট্টি তেষট্টি চৌষট্টি পঁয়ষট্টি ছেষট্টি সাতষট্টি আটষট্টি ঊনসত্তর সত্তর একাত্তর বাহাত্তর তিয়াত্তর চুয়াত্তর পঁচাত্তর " +
  "ছিয়াত্তর সাতাত্তর আটাত্তর ঊনআশি আশি একাশি বিরাশি তিরাশি চুরাশি পঁচাশি ছিয়াশি সাতাশি অষ্টআশি/অষ্টাশি ঊননব্বই নব্বই " +
  "একানব্বই বিরানব্বই তিরানব্বই চুরানব্বই পঁচানব্বই ছিয়ানব্বই সাতানব্বই আটানব্বই নিরানব্বই";

/** Every number word's loose key and the digits it stands for. */
export const NUMBER_WORDS = new Map<string, string>([["fourty", "40"]]);
const addWords = (list: readonly string[], sep: string, offset = 0) => {
  for (const [n, words] of list.entries())
    for (const w of words.split(sep)) if (!NUMBER_WORDS.has(loose(w))) NUMBER_WORDS.set(loose(w), String(n + offset));
};
addWords(EN_UNITS, " ");
addWords(EN_TEENS, " ", 10);
for (const [w, d] of EN_TENS) NUMBER_WORDS.set(w, `${d}0`);
addWords(BANGLISH, " ");
addWords(BN_EN, " ");
addWords(BN_0_99.split(" "), "/");

export const MULTIPLIERS = new Map<string, number>([
  ...[..."double dabal dabol dobol dbl ডাবল ডবল".split(" ")].map((w) => [loose(w), 2] as const),
  ...[..."triple tripple tripol ট্রিপল ত্রিপল".split(" ")].map((w) => [loose(w), 3] as const),
]);

/** "zeroonesevenonetwo": a Latin word made only of English digit words, at least two. */
export function segmentDigits(word: string): string | null {
  if (word.length < 6 || word.length > 80) return null;
  const best: (string | null)[] = [""];
  for (let i = 1; i <= word.length; i++) {
    best[i] = null;
    for (let d = 0; d < 10 && best[i] === null; d++) {
      const w = EN_UNITS[d] ?? "";
      const prev = best[i - w.length];
      if (i >= w.length && prev != null && word.startsWith(w, i - w.length)) best[i] = prev + d;
    }
  }
  const out = best[word.length];
  return out != null && out.length >= 2 ? out : null;
}

// ---------------------------------------------------------------------------------------------------------------
// Context words.

const startsWithAny = (key: string, prefixes: readonly string[]) => prefixes.some((p) => key.startsWith(p));
const WALLET = [
  ...["bkash", "bikash", "bekash", "bkas", "nagad", "nogod", "nagod", "rocket", "roket", "upay"],
  ...["বিকাশ", "নগদ", "রকেট", "ইউপে"].map(bnKey),
];
const PLATFORM = wordsOf(
  "whatsapp whatsap watsapp watsap whtsapp wapp imo viber telegram messenger facebook fb insta ig tiktok signal " +
    "skype wechat snapchat botim gmail email mail",
);
const BN_PLATFORM = ["হোয়াটস", "ইমো", "ভাইবার", "টেলিগ্রাম", "মেসেঞ্জার", "ফেসবুক", "ইনস্টা", "ইন্সটা", "ইমেইল", "জিমেইল"].map(
  bnKey,
);
export const isWallet = (t: Token) => t.kind === "word" && startsWithAny(t.key, WALLET);
export const isPlatform = (t: Token) => {
  if (t.kind !== "word") return false;
  if (!t.latin) return startsWithAny(t.key, BN_PLATFORM);
  return PLATFORM.has(t.key) || /^(whats?app|watsapp|instagram|telegram|messenger|viber)/.test(t.key);
};
export const MONEY = wordsOf("tk taka bdt rs টাকা টাকার টাকায় ৳");
export const REFERENCE = wordsOf(
  "booking বুকিং order অর্ডার invoice ইনভয়েস ref reference trx trxid txn transaction tracking ticket",
);
export const FILLER = wordsOf(
  "no number num nmbr nambar nombor nong id e te a er is me my on at amar নং নম্বর নাম্বার এ তে এর আমার",
);
export const HANDLE_MARKER = wordsOf(
  "id username user handle profile page account acc আইডি ইউজারনেম প্রোফাইল পেজ একাউন্ট অ্যাকাউন্ট",
);
export const STOP = wordsOf(
  "ta ti to ache ase nai nei dao din den dien diben deo dite koro koren korun pathao pathan please pls plz is my your " +
    "me e te a the and or na ki ke er amar apnar tomar o ok thik send share give hobe lagbe chai dile nen niye search " +
    "nam naam name login",
);
export const PROVIDERS = wordsOf(
  "gmail googlemail yahoo ymail hotmail outlook icloud proton protonmail aol gmx yandex zoho",
);
export const TLD_STRONG = wordsOf("com net org info biz bd io xyz ly gl gg tk edu gov uk asia cc ws");
export const TLD_WEAK = wordsOf(
  "me be co in us to ai tv app dev site online shop store link page live top pro club ee ru pk",
);
export const SHORT_HOSTS = wordsOf("wa m t fb youtu goo bit tinyurl linktr ig insta tg telegram whatsapp");
/** Bangla-script names of mail hosts and TLDs, as someone spells an address out in Bangla. */
export const BN_HOSTS = new Map(
  [
    ["জিমেইল", "gmail"],
    ["ইয়াহু", "yahoo"],
    ["হটমেইল", "hotmail"],
    ["আউটলুক", "outlook"],
    ["ফেসবুক", "facebook"],
    ["কম", "com"],
    ["নেট", "net"],
    ["অর্গ", "org"],
    ["বিডি", "bd"],
  ].map(([b, l]) => [loose(b ?? ""), l ?? ""] as const),
);
export const DOT_WORDS = wordsOf("dot ডট");
export const SLASH_WORDS = wordsOf("slash স্ল্যাশ");
/** "@gulshan", "@home": "@" written for "at" before a place, not a handle. */
export const AT_PLACES = wordsOf(
  "home office gate dhaka dhanmondi gulshan banani uttara mirpur mohammadpur motijheel bashundhara badda rampura " +
    "khilgaon farmgate tejgaon mohakhali baridhara lalmatia shyamoli basundhara",
);
export const AT_WORDS = wordsOf("at এট অ্যাট এ্যাট attherate atdrate");
export const JOINERS = new Set([..."-–—‐‑.()[]_*/|~,'+·"]);
