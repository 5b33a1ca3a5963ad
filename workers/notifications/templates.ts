// Message texts in Bangla and English: money in taka, times in Asia/Dhaka. Bangla texts use Bangla digits, except
// in OTP codes, which people copy.
import { toBanglaDigits } from "../../lib/digits";
import type { BookingEventType, Lang, OfferWithdrawReason, ReviewEventType, ReviewSide } from "../../lib/enums";
import type { MatchEventMessage } from "../../lib/messages";

export function otpText(lang: Lang, code: string, ttlSeconds: number): string {
  const minutes = Math.round(ttlSeconds / 60);
  return lang === "bn"
    ? `কর্ম মেলা: আপনার লগইন কোড ${code}। ${toBanglaDigits(String(minutes))} মিনিটের মধ্যে ব্যবহার করুন। কোডটি কাউকে জানাবেন না।`
    : `Kormo Mela: your login code is ${code}. It expires in ${minutes} minutes. Never share it with anyone.`;
}

/** ৳২,৫০০ or Tk 2,500 (poisha shown only when there are some). */
export function taka(poisha: number, lang: Lang): string {
  const whole = poisha % 100 === 0;
  const text = new Intl.NumberFormat("en-IN", {
    minimumFractionDigits: whole ? 0 : 2,
    maximumFractionDigits: 2,
  }).format(poisha / 100);
  return lang === "bn" ? `৳${toBanglaDigits(text)}` : `Tk ${text}`;
}

/** "15 Dec, 3:00 pm" or "১৫ ডিসেম্বর, বিকাল ৩:০০", always in Dhaka time. */
export function dhakaTime(iso: string, lang: Lang): string {
  const d = new Date(iso);
  if (lang === "en") {
    return new Intl.DateTimeFormat("en-GB", {
      timeZone: "Asia/Dhaka",
      day: "numeric",
      month: "short",
      hour: "numeric",
      minute: "2-digit",
      hour12: true,
    }).format(d);
  }
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone: "Asia/Dhaka",
    day: "numeric",
    month: "numeric",
    hour: "numeric",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(d);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const hour = get("hour");
  const minute = String(get("minute")).padStart(2, "0");
  const period =
    hour < 4 ? "রাত" : hour < 12 ? "সকাল" : hour < 15 ? "দুপুর" : hour < 18 ? "বিকাল" : hour < 20 ? "সন্ধ্যা" : "রাত";
  const h12 = hour % 12 === 0 ? 12 : hour % 12;
  return `${toBanglaDigits(String(get("day")))} ${BN_MONTHS[get("month") - 1]}, ${period} ${toBanglaDigits(`${h12}:${minute}`)}`;
}

const BN_MONTHS = [
  "জানুয়ারি",
  "ফেব্রুয়ারি",
  "মার্চ",
  "এপ্রিল",
  "মে",
  "জুন",
  "জুলাই",
  "আগস্ট",
  "সেপ্টেম্বর",
  "অক্টোবর",
  "নভেম্বর",
  "ডিসেম্বর",
];

export interface BookingFacts {
  id: number;
  start_date: string;
  price_poisha: number;
}

type Text = { title: string; body: string };
type Templates = Record<Lang, (f: BookingFacts, when: string, price: string, id: string) => Text>;

const BOOKING: Record<BookingEventType, Templates> = {
  "booking.created": {
    en: (_f, when, price, id) => ({
      title: "New booking request",
      body: `Booking #${id} for ${when}, ${price}. Please accept or decline.`,
    }),
    bn: (_f, when, price, id) => ({
      title: "নতুন বুকিং অনুরোধ",
      body: `বুকিং #${id}: ${when}, ${price}। গ্রহণ বা প্রত্যাখ্যান করুন।`,
    }),
  },
  "booking.accepted": {
    en: (_f, when, _p, id) => ({
      title: "Booking accepted",
      body: `Your booking #${id} for ${when} was accepted. Confirm it to lock it in.`,
    }),
    bn: (_f, when, _p, id) => ({ title: "বুকিং গৃহীত", body: `${when}-এর বুকিং #${id} গৃহীত হয়েছে। নিশ্চিত করুন।` }),
  },
  "booking.declined": {
    en: (_f, when, _p, id) => ({
      title: "Booking declined",
      body: `Your booking #${id} for ${when} was declined. Try another provider.`,
    }),
    bn: (_f, when, _p, id) => ({ title: "বুকিং প্রত্যাখ্যাত", body: `${when}-এর বুকিং #${id} প্রত্যাখ্যাত হয়েছে। অন্য সেবাদাতা খুঁজুন।` }),
  },
  "booking.confirmed": {
    en: (_f, when, price, id) => ({
      title: "Booking confirmed",
      body: `Booking #${id} for ${when} is confirmed (${price}).`,
    }),
    bn: (_f, when, price, id) => ({ title: "বুকিং নিশ্চিত", body: `${when}-এর বুকিং #${id} নিশ্চিত হয়েছে (${price})।` }),
  },
  "booking.completed": {
    en: (_f, _w, _p, id) => ({
      title: "Job completed",
      body: `Booking #${id} is complete. Please rate your provider.`,
    }),
    bn: (_f, _w, _p, id) => ({ title: "কাজ সম্পন্ন", body: `বুকিং #${id} সম্পন্ন হয়েছে। সেবাদাতাকে রেটিং দিন।` }),
  },
  "booking.canceled": {
    en: (_f, when, _p, id) => ({ title: "Booking canceled", body: `Booking #${id} for ${when} was canceled.` }),
    bn: (_f, when, _p, id) => ({ title: "বুকিং বাতিল", body: `${when}-এর বুকিং #${id} বাতিল হয়েছে।` }),
  },
  "booking.expired": {
    en: (_f, when, _p, id) => ({
      title: "Booking expired",
      body: `The provider did not answer booking #${id} for ${when} in time.`,
    }),
    bn: (_f, when, _p, id) => ({
      title: "বুকিংয়ের মেয়াদ শেষ",
      body: `সেবাদাতা সময়মতো ${when}-এর বুকিং #${id}-এর উত্তর দেননি।`,
    }),
  },
};

export function bookingText(type: BookingEventType, lang: Lang, facts: BookingFacts): Text {
  const t = BOOKING[type][lang];
  const id = lang === "bn" ? toBanglaDigits(String(facts.id)) : String(facts.id);
  return t(facts, dhakaTime(facts.start_date, lang), taka(facts.price_poisha, lang), id);
}

export interface ReviewFacts {
  booking_id: number;
  /** When the booking's review window closes. */
  closes_at: string;
  /** review.published: the stars of the review the recipient got. */
  rating?: number | undefined;
}

type ReviewTemplates = Record<Lang, (id: string, closes: string, stars: string | null) => Text>;

/** Each review event for each party: `role` is the recipient's side of the booking. */
const REVIEW: Record<ReviewEventType, Record<ReviewSide, ReviewTemplates>> = {
  "review.requested": {
    customer: {
      en: (id, closes) => ({
        title: "How did it go?",
        body: `Booking #${id} is complete. Rate your provider by ${closes}.`,
      }),
      bn: (id, closes) => ({ title: "কাজ কেমন হলো?", body: `বুকিং #${id} সম্পন্ন। ${closes}-এর মধ্যে সেবাদাতাকে রেটিং দিন।` }),
    },
    provider: {
      en: (id, closes) => ({
        title: "Rate your customer",
        body: `Booking #${id} is complete. Rate your customer by ${closes}.`,
      }),
      bn: (id, closes) => ({
        title: "গ্রাহককে রেটিং দিন",
        body: `বুকিং #${id} সম্পন্ন। ${closes}-এর মধ্যে গ্রাহককে রেটিং দিন।`,
      }),
    },
  },
  "review.reminder": {
    customer: {
      en: (id, closes) => ({ title: "Last chance to review", body: `Reviews for booking #${id} close ${closes}.` }),
      bn: (id, closes) => ({ title: "রিভিউ দেওয়ার শেষ সুযোগ", body: `বুকিং #${id}-এর রিভিউয়ের সময় শেষ হবে ${closes}।` }),
    },
    provider: {
      en: (id, closes) => ({ title: "Last chance to review", body: `Reviews for booking #${id} close ${closes}.` }),
      bn: (id, closes) => ({ title: "রিভিউ দেওয়ার শেষ সুযোগ", body: `বুকিং #${id}-এর রিভিউয়ের সময় শেষ হবে ${closes}।` }),
    },
  },
  "review.published": {
    customer: {
      en: (id, _c, stars) => ({
        title: "New review",
        body: `Your provider reviewed you${stars ? ` (${stars} stars)` : ""} for booking #${id}.`,
      }),
      bn: (id, _c, stars) => ({
        title: "নতুন রিভিউ",
        body: `বুকিং #${id}-এর জন্য সেবাদাতা আপনাকে রিভিউ দিয়েছেন${stars ? ` (${stars} তারকা)` : ""}।`,
      }),
    },
    provider: {
      en: (id, _c, stars) => ({
        title: "New review",
        body: `You got a new review${stars ? ` (${stars} stars)` : ""} for booking #${id}.`,
      }),
      bn: (id, _c, stars) => ({
        title: "নতুন রিভিউ",
        body: `বুকিং #${id}-এর জন্য আপনি নতুন রিভিউ পেয়েছেন${stars ? ` (${stars} তারকা)` : ""}।`,
      }),
    },
  },
};

export function reviewText(type: ReviewEventType, lang: Lang, role: ReviewSide, facts: ReviewFacts): Text {
  const digits = (n: number) => (lang === "bn" ? toBanglaDigits(String(n)) : String(n));
  const stars = facts.rating === undefined ? null : digits(facts.rating);
  return REVIEW[type][role][lang](digits(facts.booking_id), dhakaTime(facts.closes_at, lang), stars);
}

/** A chat push: who wrote (never their name or number), and the redacted preview; several collapse into one. */
export function chatText(
  e:
    | { type: "chat.message"; sender_role: "customer" | "provider"; count: number; preview: string }
    | { type: "chat.warning" },
  lang: Lang,
): Text {
  if (e.type === "chat.warning") {
    return lang === "bn"
      ? {
          title: "কর্ম মেলা: সতর্কবার্তা",
          body: "আপনার চ্যাট আমাদের নিয়ম ভেঙেছে। যোগাযোগের তথ্য শেয়ার করবেন না, সম্মান বজায় রাখুন; আবার হলে অ্যাকাউন্ট স্থগিত হতে পারে।",
        }
      : {
          title: "Kormo Mela: a warning",
          body: "Your chat broke our rules. Do not share contact details and stay respectful; next time the account may be suspended.",
        };
  }
  const who =
    lang === "bn"
      ? e.sender_role === "provider"
        ? "সেবাদাতা"
        : "গ্রাহক"
      : e.sender_role === "provider"
        ? "Your provider"
        : "Your customer";
  const more =
    e.count > 1
      ? lang === "bn"
        ? ` (${toBanglaDigits(String(e.count))}টি নতুন বার্তা)`
        : ` (${e.count} new messages)`
      : "";
  return { title: `${who}${more}`, body: e.preview };
}

/** Payouts and disputes, in the recipient's language, amounts in taka. */
export function accountText(
  e: {
    type: "payout.sent" | "payout.failed" | "dispute.opened" | "dispute.resolved";
    amount_poisha: number;
    booking_id: number;
    reason?: string | undefined;
  },
  lang: Lang,
): Text {
  const amount = taka(e.amount_poisha, lang);
  const booking = lang === "bn" ? `#${toBanglaDigits(String(e.booking_id))}` : `#${e.booking_id}`;
  const fix: Record<string, { en: string; bn: string }> = {
    invalid_receiver: { en: "Check your bKash number in Payouts.", bn: "পেআউটে আপনার বিকাশ নম্বর দেখুন।" },
    no_account: { en: "Add a payout account.", bn: "একটি পেআউট অ্যাকাউন্ট যোগ করুন।" },
  };
  const hint = fix[e.reason ?? ""] ?? {
    en: "We will try again; no action needed.",
    bn: "আমরা আবার চেষ্টা করব; কিছু করতে হবে না।",
  };
  switch (e.type) {
    case "payout.sent":
      return lang === "bn"
        ? { title: "পেআউট পাঠানো হয়েছে", body: `${amount} আপনার অ্যাকাউন্টে পাঠানো হয়েছে।` }
        : { title: "Payout sent", body: `${amount} is on its way to your account.` };
    case "payout.failed":
      return lang === "bn"
        ? { title: "পেআউট হয়নি", body: `${amount} পাঠানো যায়নি। ${hint.bn}` }
        : { title: "Payout failed", body: `${amount} could not be sent. ${hint.en}` };
    case "dispute.opened":
      return lang === "bn"
        ? {
            title: "বুকিং নিয়ে আপত্তি",
            body: `গ্রাহক বুকিং ${booking} নিয়ে আপত্তি করেছেন; সমাধান না হওয়া পর্যন্ত এর আয় আটকে থাকবে।`,
          }
        : {
            title: "A booking was disputed",
            body: `The customer disputed booking ${booking}; its earnings are on hold until support resolves it.`,
          };
    case "dispute.resolved":
      return lang === "bn"
        ? {
            title: "আপত্তির সমাধান",
            body: `বুকিং ${booking} এর আপত্তির সমাধান হয়েছে${e.amount_poisha > 0 ? `: ${amount} ফেরত` : ""}।`,
          }
        : {
            title: "Dispute resolved",
            body: `The dispute on booking ${booking} is resolved${e.amount_poisha > 0 ? `: ${amount} refunded` : ""}.`,
          };
  }
}

/** "2.3 km" or "২.৩ কিমি"; under a kilometre in metres. */
export function distance(m: number, lang: Lang): string {
  const km = m >= 1000;
  const n = km ? (Math.round(m / 100) / 10).toFixed(1).replace(/\.0$/, "") : String(Math.round(m / 100) * 100);
  if (lang === "en") return `${n} ${km ? "km" : "m"}`;
  return `${toBanglaDigits(n)} ${km ? "কিমি" : "মিটার"}`;
}

const WITHDRAWN: Record<OfferWithdrawReason, Record<Lang, string>> = {
  matched: { en: "Another provider took this job.", bn: "অন্য একজন সেবাদাতা কাজটি নিয়েছেন।" },
  canceled: { en: "The customer cancelled this request.", bn: "গ্রাহক অনুরোধটি বাতিল করেছেন।" },
  ended: { en: "This request has ended.", bn: "অনুরোধটি শেষ হয়েছে।" },
  busy: { en: "You have another job at that time.", bn: "ওই সময়ে আপনার আরেকটি কাজ আছে।" },
};

/**
 * Matching's pushes. An offer says what, how far, when and what it pays, never who or where exactly; the
 * customer's say whether a provider was found. `service` is the service's name in the recipient's language.
 */
export function matchText(e: MatchEventMessage, lang: Lang, service: string): Text {
  const bn = lang === "bn";
  switch (e.type) {
    case "offer.created": {
      const when = dhakaTime(e.start_date, lang);
      const price = taka(e.price_poisha, lang);
      const far = distance(e.distance_m, lang);
      return bn
        ? { title: `নতুন কাজ: ${service}, ${far} দূরে`, body: `${when}, ${price}। গ্রহণ করতে অ্যাপ খুলুন।` }
        : { title: `New job: ${service}, ${far} away`, body: `${when}, ${price}. Open the app to accept.` };
    }
    case "offer.withdrawn":
      return { title: bn ? "কাজটি আর নেই" : "Job no longer available", body: WITHDRAWN[e.reason][lang] };
    case "request.matched": {
      const when = dhakaTime(e.start_date, lang);
      const price = taka(e.price_poisha, lang);
      const id = bn ? toBanglaDigits(String(e.booking_id)) : String(e.booking_id);
      return bn
        ? { title: "সেবাদাতা পাওয়া গেছে", body: `${when}-এর জন্য ${service} পাওয়া গেছে (${price})। বুকিং #${id} নিশ্চিত করুন।` }
        : {
            title: "Provider found",
            body: `Your ${service} for ${when} accepted (${price}). Confirm booking #${id} to lock it in.`,
          };
    }
    case "request.no_provider": {
      const when = dhakaTime(e.start_date, lang);
      return bn
        ? { title: "কোনো সেবাদাতা পাওয়া যায়নি", body: `${when}-এর ${service} অনুরোধে কেউ ফাঁকা ছিলেন না। অন্য সময়ে চেষ্টা করুন।` }
        : {
            title: "No provider found",
            body: `Nobody was free for your ${service} request for ${when}. Try another time.`,
          };
    }
  }
}
