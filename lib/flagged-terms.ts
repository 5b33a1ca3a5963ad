// The bn/en/Banglish words and phrases that moderation looks at in chat and reviews (abuse, threats, hints of taking
// the deal off the platform), and `flaggedTerms`, which finds them: whole words, any case, forgiving Bangla spelling
// (nukta forms, চন্দ্রবিন্দু, long/short vowels); a variant's word ending in `*` matches any word it begins, since Bangla
// inflects by suffix (বিকাশে, বিকাশের).
import { z } from "zod";
import { tokenize } from "./redact-lexicon";

export const FlagCategory = z.enum(["abuse", "threat", "off_platform"]);
export type FlagCategory = z.infer<typeof FlagCategory>;

export type FlaggedTerm = { term: string; category: FlagCategory; variants: readonly string[] };

export const FLAGGED_TERMS: readonly FlaggedTerm[] = [
  // Off-platform dealing: paying or meeting outside the app, moving the chat elsewhere.
  {
    term: "pay directly",
    category: "off_platform",
    variants: ["pay me directly", "pay directly", "direct payment", "direct pay*", "sorasori taka", "সরাসরি টাকা*"],
  },
  {
    term: "outside the app",
    category: "off_platform",
    variants: [
      "outside the app",
      "off the app",
      "without the app",
      "skip the app",
      "app er baire",
      "app chara",
      "অ্যাপের বাইরে",
      "অ্যাপ ছাড়া",
      "এপের বাইরে",
      "এপ ছাড়া",
    ],
  },
  {
    term: "meet outside",
    category: "off_platform",
    variants: ["meet outside", "baire dekha", "baire meet", "বাইরে দেখা*", "বাইরে মিট"],
  },
  {
    term: "no commission",
    category: "off_platform",
    variants: ["no commission", "without commission", "commission chara", "কমিশন ছাড়া", "কমিশন দিতে হবে না"],
  },
  {
    term: "cancel and rebook",
    category: "off_platform",
    variants: ["cancel the booking and", "booking cancel kore", "বুকিং ক্যান্সেল করে*", "বুকিং বাতিল করে*"],
  },
  {
    term: "whatsapp me",
    category: "off_platform",
    variants: ["whatsapp me", "watsapp me", "whatsapp e", "whatsapp a", "wp te", "হোয়াটসঅ্যাপে*", "হোয়াটসঅ্যাপ এ"],
  },
  { term: "imo", category: "off_platform", variants: ["imo te", "imo e", "imo number", "ইমোতে", "ইমো নাম্বার*"] },
  {
    term: "call me",
    category: "off_platform",
    variants: ["call me", "call dio", "call diyen", "ফোন দিয়েন", "কল দিয়েন"],
  },
  {
    term: "personal number",
    category: "off_platform",
    variants: [
      "personal number",
      "your number",
      "apnar number",
      "number ta din",
      "number den",
      "number ta den",
      "নাম্বারটা দিন",
      "নাম্বার দেন",
      "নাম্বার দিন",
      "নম্বর দিন",
      "পার্সোনাল নাম্বার",
    ],
  },
  {
    term: "bkash payment",
    category: "off_platform",
    variants: [
      "bkash e pathan",
      "bkash e pathao",
      "bkashe pathan",
      "bkash kore din",
      "bkash korun",
      "বিকাশে পাঠা*",
      "বিকাশ করে দিন",
      "বিকাশ করুন",
    ],
  },
  {
    term: "send money",
    category: "off_platform",
    variants: ["send money", "send money to my", "nagad e pathan", "rocket e pathan", "নগদে পাঠা*", "টাকা পাঠা*"],
  },
  { term: "cash in hand", category: "off_platform", variants: ["cash in hand", "hand cash", "হাতে হাতে টাকা"] },

  // Threats.
  {
    term: "kill you",
    category: "threat",
    variants: ["kill you", "mere felbo", "mere fele dibo", "মেরে ফেলব*", "মেরে ফেলবো", "খুন করব*"],
  },
  { term: "beat you", category: "threat", variants: ["beat you", "pitabo", "পিটাব*", "মারব তোকে", "মারবো তোকে"] },
  {
    term: "see you later (threat)",
    category: "threat",
    variants: ["dekhe nibo", "dekhe nebo", "দেখে নেব*", "দেখে নিব*"],
  },
  { term: "ruin you", category: "threat", variants: ["ruin you", "shesh kore dibo", "শেষ করে দেব*", "শেষ করে দিব*"] },

  // Abuse.
  { term: "bastard", category: "abuse", variants: ["bastard", "haramjada", "haramzada", "হারামজাদা", "হারামি"] },
  { term: "son of a dog", category: "abuse", variants: ["kuttar bachcha", "kuttar baccha", "কুত্তার বাচ্চা", "কুকুরের বাচ্চা"] },
  { term: "son of a pig", category: "abuse", variants: ["shuorer baccha", "শুয়োরের বাচ্চা", "শুওরের বাচ্চা"] },
  { term: "fuck", category: "abuse", variants: ["fuck*", "fck", "fuk"] },
  { term: "bitch", category: "abuse", variants: ["bitch*", "magi", "মাগি", "মাগী"] },
  { term: "idiot", category: "abuse", variants: ["idiot*", "stupid", "gadha", "গাধা", "বোকাচোদা", "bokachoda"] },
  { term: "shala", category: "abuse", variants: ["shala", "sala", "শালা"] },
];

const termWords = (text: string) =>
  tokenize(text)
    .filter((t) => t.kind === "word" || t.kind === "num")
    .map((t) => t.lk);

const COMPILED = FLAGGED_TERMS.map((f) => ({
  term: f.term,
  variants: f.variants.map((v) =>
    v.split(/\s+/).map((w) => ({ prefix: w.endsWith("*"), key: termWords(w.replace(/\*$/, "")).join("") })),
  ),
}));

/** The canonical terms of FLAGGED_TERMS that `text` contains, in list order, each once. */
export function flaggedTerms(text: string): string[] {
  const words = termWords(text);
  const found: string[] = [];
  for (const { term, variants } of COMPILED) {
    const hit = variants.some((parts) => {
      for (let i = 0; i + parts.length <= words.length; i++) {
        if (parts.every((p, j) => (p.prefix ? words[i + j]?.startsWith(p.key) : words[i + j] === p.key))) return true;
      }
      return false;
    });
    if (hit) found.push(term);
  }
  return found;
}
