// Language negotiation and the bilingual message catalogue for every user-facing error.
import type { Lang } from "./enums";

export type { Lang };

/** Picks bn or en from an Accept-Language header, honouring q-values; English when nothing matches. */
export function pickLang(header: string | null | undefined): Lang {
  if (!header) return "en";
  let best: { lang: Lang; q: number } | undefined;
  for (const part of header.split(",")) {
    const [tag = "", ...params] = part.trim().toLowerCase().split(";");
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!Number.isFinite(q) || q <= 0) continue;
    const primary = tag.split("-")[0];
    const lang: Lang | undefined = primary === "bn" ? "bn" : primary === "en" ? "en" : undefined;
    if (lang && (!best || q > best.q)) best = { lang, q };
  }
  return best?.lang ?? "en";
}

export type Message = { en: string; bn: string };

/** Every message a client can see. Keys are stable; wording may change. */
export const messages = {
  invalid_input: { en: "The request is not valid.", bn: "অনুরোধটি সঠিক নয়।" },
  malformed_json: { en: "The request body is not valid JSON.", bn: "অনুরোধের বডি সঠিক JSON নয়।" },
  control_characters: {
    en: "The request contains control characters (such as NUL) that no field accepts.",
    bn: "অনুরোধে এমন নিয়ন্ত্রণ অক্ষর (যেমন NUL) আছে যা কোনো ঘরে গ্রহণযোগ্য নয়।",
  },
  unauthenticated: { en: "Sign in to continue.", bn: "চালিয়ে যেতে সাইন ইন করুন।" },
  forbidden: { en: "You are not allowed to do this.", bn: "আপনার এটি করার অনুমতি নেই।" },
  not_found: { en: "Not found.", bn: "খুঁজে পাওয়া যায়নি।" },
  route_not_found: { en: "There is no such endpoint.", bn: "এমন কোনো এন্ডপয়েন্ট নেই।" },
  method_not_allowed: { en: "This method is not allowed here.", bn: "এখানে এই মেথড অনুমোদিত নয়।" },
  conflict: { en: "The request conflicts with the current state.", bn: "অনুরোধটি বর্তমান অবস্থার সাথে সাংঘর্ষিক।" },
  idempotency_mismatch: {
    en: "This Idempotency-Key was already used with a different request.",
    bn: "এই Idempotency-Key আগে অন্য একটি অনুরোধে ব্যবহার করা হয়েছে।",
  },
  payload_too_large: { en: "The request body is too large.", bn: "অনুরোধের বডি অনেক বড়।" },
  unsupported_media_type: {
    en: "Send the body as application/json.",
    bn: "বডি application/json হিসেবে পাঠান।",
  },
  rate_limited: { en: "Too many requests. Try again later.", bn: "অনেক বেশি অনুরোধ। পরে আবার চেষ্টা করুন।" },
  dependency_unavailable: {
    en: "A service we depend on is unavailable. Try again shortly.",
    bn: "একটি প্রয়োজনীয় সেবা এখন পাওয়া যাচ্ছে না। একটু পরে আবার চেষ্টা করুন।",
  },
  misconfigured: {
    en: "The service is misconfigured. Operators have been told.",
    bn: "সার্ভিসের কনফিগারেশনে সমস্যা আছে। অপারেটরদের জানানো হয়েছে।",
  },
  invalid_phone: {
    en: "Enter a valid Bangladeshi mobile number, like 01712-345678.",
    bn: "সঠিক বাংলাদেশি মোবাইল নম্বর দিন, যেমন ০১৭১২-৩৪৫৬৭৮।",
  },
  invalid_code: { en: "The code is not correct.", bn: "কোডটি সঠিক নয়।" },
  code_expired: {
    en: "The code has expired or was already used. Ask for a new one.",
    bn: "কোডটির মেয়াদ শেষ বা আগেই ব্যবহৃত হয়েছে। নতুন কোড চান।",
  },
  code_locked: {
    en: "Too many wrong codes. Ask for a new one.",
    bn: "অনেকবার ভুল কোড দেওয়া হয়েছে। নতুন কোড চান।",
  },
  invalid_token: { en: "Your sign-in is not valid. Sign in again.", bn: "আপনার সাইন-ইন বৈধ নয়। আবার সাইন ইন করুন।" },
  session_ended: {
    en: "This session has ended. Sign in again.",
    bn: "এই সেশনটি শেষ হয়েছে। আবার সাইন ইন করুন।",
  },
  push_token_taken: {
    en: "This device is registered to another account. It is freed when that account signs out on it.",
    bn: "এই ডিভাইসটি অন্য একটি অ্যাকাউন্টে নিবন্ধিত। সেই অ্যাকাউন্ট এতে সাইন আউট করলে এটি মুক্ত হবে।",
  },
  refresh_rotated: {
    en: "This refresh token was just replaced. Use the newest one.",
    bn: "এই রিফ্রেশ টোকেনটি এইমাত্র বদলানো হয়েছে। সর্বশেষটি ব্যবহার করুন।",
  },
  dpop_invalid: {
    en: "A valid DPoP proof from this device is required.",
    bn: "এই ডিভাইস থেকে একটি বৈধ DPoP প্রমাণ প্রয়োজন।",
  },
  idempotency_key_required: {
    en: "Send an Idempotency-Key header so this request is safe to retry.",
    bn: "অনুরোধটি নিরাপদে আবার পাঠাতে Idempotency-Key হেডার দিন।",
  },
  provider_not_bookable: {
    en: "This provider cannot be booked right now.",
    bn: "এই সেবাদাতাকে এখন বুক করা যাবে না।",
  },
  service_not_offered: {
    en: "This provider does not offer that service.",
    bn: "এই সেবাদাতা এই সেবাটি দেন না।",
  },
  self_booking: { en: "You cannot book yourself.", bn: "আপনি নিজেকে বুক করতে পারবেন না।" },
  too_soon: {
    en: "This booking starts too soon. Choose a later time.",
    bn: "বুকিংটি খুব শিগগির শুরু হচ্ছে। পরের কোনো সময় বেছে নিন।",
  },
  bad_duration: { en: "This booking is too short or too long.", bn: "বুকিংটি খুব ছোট বা খুব লম্বা।" },
  too_far_ahead: {
    en: "This booking starts too far ahead. Choose an earlier date.",
    bn: "বুকিংটি অনেক দূরের তারিখে। আরও কাছের কোনো তারিখ বেছে নিন।",
  },
  too_many_pending: {
    en: "You have too many booking requests waiting for an answer. Wait for a reply or cancel one first.",
    bn: "আপনার অনেকগুলো বুকিং অনুরোধ উত্তরের অপেক্ষায় আছে। উত্তরের জন্য অপেক্ষা করুন অথবা আগে একটি বাতিল করুন।",
  },
  provider_day_full: {
    en: "This provider already has too many requests waiting for that day. Choose another day.",
    bn: "এই সেবাদাতার ওই দিনের জন্য ইতিমধ্যে অনেক অনুরোধ অপেক্ষায় আছে। অন্য একটি দিন বেছে নিন।",
  },
  outside_availability: {
    en: "The provider is not available for that whole time.",
    bn: "সেবাদাতা পুরো সময়টুকু ফাঁকা নেই।",
  },
  slot_taken: {
    en: "That time was just booked by someone else.",
    bn: "এই সময়টি এইমাত্র অন্য কেউ বুক করেছেন।",
  },
  illegal_transition: {
    en: "This booking cannot do that in its current status.",
    bn: "বর্তমান অবস্থায় বুকিংটিতে এটি করা যায় না।",
  },
  too_early_to_complete: {
    en: "A booking can be completed only from its start time on.",
    bn: "শুরুর সময়ের আগে বুকিং সম্পন্ন করা যায় না।",
  },
  payment_required: { en: "Payment is required.", bn: "পেমেন্ট প্রয়োজন।" },
  card_declined: {
    en: "Your card was declined. Try another card or pay in cash.",
    bn: "আপনার কার্ড গ্রহণ করা হয়নি। অন্য কার্ড দিন বা নগদে পরিশোধ করুন।",
  },
  insufficient_funds: {
    en: "Your card has insufficient funds.",
    bn: "আপনার কার্ডে পর্যাপ্ত টাকা নেই।",
  },
  payment_method_unavailable: {
    en: "This payment method is not available right now. Choose another one.",
    bn: "এই পেমেন্ট পদ্ধতি এখন চালু নেই। অন্য একটি বেছে নিন।",
  },
  wallet_declined: {
    en: "The wallet did not approve the payment. Try again or choose another method.",
    bn: "ওয়ালেট পেমেন্টটি অনুমোদন করেনি। আবার চেষ্টা করুন বা অন্য পদ্ধতি বেছে নিন।",
  },
  wallet_insufficient_funds: {
    en: "Your wallet balance is too low for this booking.",
    bn: "এই বুকিংয়ের জন্য আপনার ওয়ালেটে পর্যাপ্ত টাকা নেই।",
  },
  payment_canceled: {
    en: "The payment was cancelled. Confirm again to pay.",
    bn: "পেমেন্ট বাতিল হয়েছে। পরিশোধ করতে আবার নিশ্চিত করুন।",
  },
  payment_abandoned: {
    en: "The payment was not completed in time. Confirm again to pay.",
    bn: "সময়মতো পেমেন্ট সম্পন্ন হয়নি। পরিশোধ করতে আবার নিশ্চিত করুন।",
  },
  payment_mismatch: {
    en: "The amount the wallet reported does not match this booking. Nothing was charged; confirm again.",
    bn: "ওয়ালেটের জানানো পরিমাণ এই বুকিংয়ের সাথে মেলেনি। কোনো টাকা কাটা হয়নি; আবার নিশ্চিত করুন।",
  },
  booking_not_payable: {
    en: "This booking is no longer waiting for payment. Any amount taken has been returned.",
    bn: "এই বুকিংটি আর পেমেন্টের অপেক্ষায় নেই। কাটা টাকা ফেরত দেওয়া হয়েছে।",
  },
  payment_not_refundable: {
    en: "This booking has no captured payment to refund.",
    bn: "এই বুকিংয়ে ফেরত দেওয়ার মতো কোনো পরিশোধিত টাকা নেই।",
  },
  refund_exceeds_captured: {
    en: "A refund cannot be more than what was captured and not yet refunded.",
    bn: "ফেরতের পরিমাণ পরিশোধিত ও এখনো ফেরত না দেওয়া টাকার বেশি হতে পারে না।",
  },
  unknown_payment: {
    en: "No payment matches this callback.",
    bn: "এই কলব্যাকের সাথে কোনো পেমেন্ট মেলেনি।",
  },
  payment_method_id_required: {
    en: "Card bookings need payment_method_id from the app's card form.",
    bn: "কার্ডে বুকিংয়ের জন্য অ্যাপের কার্ড ফর্মের payment_method_id প্রয়োজন।",
  },
  return_url_not_allowed: {
    en: "return_url is not allowed: use the app's own link (a listed scheme or https address, without a # part).",
    bn: "return_url গ্রহণযোগ্য নয়: অ্যাপের নিজস্ব লিংক দিন (তালিকাভুক্ত স্কিম বা https ঠিকানা, # অংশ ছাড়া)।",
  },
  review_not_open: {
    en: "Only a completed booking can be reviewed.",
    bn: "শুধু সম্পন্ন বুকিংয়েরই রিভিউ দেওয়া যায়।",
  },
  review_window_closed: {
    en: "The time to review this booking has ended.",
    bn: "এই বুকিংয়ের রিভিউ দেওয়ার সময় শেষ হয়ে গেছে।",
  },
  already_reviewed: {
    en: "You have already reviewed this booking.",
    bn: "আপনি এই বুকিংয়ের রিভিউ আগেই দিয়েছেন।",
  },
  review_not_paid: {
    en: "This booking was refunded, so it cannot be reviewed.",
    bn: "এই বুকিংয়ের টাকা ফেরত দেওয়া হয়েছে, তাই এর রিভিউ দেওয়া যায় না।",
  },
  review_shared_device: {
    en: "Reviews between accounts that have used the same device are not accepted.",
    bn: "একই ডিভাইস ব্যবহার করা অ্যাকাউন্টগুলোর মধ্যে রিভিউ গ্রহণ করা হয় না।",
  },
  reply_closed: {
    en: "The time to edit this reply has ended (a reply can be edited for a while after it is first written).",
    bn: "এই উত্তর সম্পাদনার সময় শেষ (প্রথম লেখার পর কিছু সময় পর্যন্ত উত্তর সম্পাদনা করা যায়)।",
  },
  review_not_published: {
    en: "This review is not published, or is already hidden.",
    bn: "এই রিভিউটি প্রকাশিত হয়নি, অথবা আগেই লুকানো হয়েছে।",
  },
  not_a_provider: { en: "You are not a provider yet.", bn: "আপনি এখনো সেবাদাতা নন।" },
  cash_debt_limit: {
    en: "You owe commission on cash jobs above the limit: settle it (your next payout nets it) before accepting cash bookings.",
    bn: "নগদ কাজের কমিশন সীমার বেশি বাকি: নগদ বুকিং নেওয়ার আগে তা পরিশোধ করুন (পরের পেআউটে কেটে নেওয়া হবে)।",
  },
  dispute_window_closed: {
    en: "This booking can no longer be disputed: the dispute window has closed.",
    bn: "এই বুকিং নিয়ে আর আপত্তি করা যাবে না: আপত্তির সময় শেষ।",
  },
  payout_account_unverified: {
    en: "The payout account is not verified yet.",
    bn: "পেআউট অ্যাকাউন্ট এখনো যাচাই হয়নি।",
  },
  conversation_closed: {
    en: "This conversation is closed: you can read it but no longer send messages.",
    bn: "এই কথোপকথন বন্ধ: আপনি পড়তে পারবেন, কিন্তু আর বার্তা পাঠাতে পারবেন না।",
  },
  message_too_long: {
    en: "The message is too long: at most 2 000 characters.",
    bn: "বার্তাটি অনেক লম্বা: সর্বোচ্চ ২ ০০০ অক্ষর।",
  },
  chat_redacted: {
    en: "Phone numbers, emails, links and wallet numbers are hidden in chat. Keep the deal on Kormo Mela: your payment and the job stay protected.",
    bn: "চ্যাটে ফোন নম্বর, ইমেইল, লিংক ও ওয়ালেট নম্বর লুকানো থাকে। লেনদেন কর্ম মেলায় রাখুন: আপনার পেমেন্ট ও কাজ সুরক্ষিত থাকবে।",
  },
  chat_ticket_invalid: {
    en: "The chat ticket is not valid: it was used already or has expired. Ask for a new one.",
    bn: "চ্যাট টিকিটটি বৈধ নয়: এটি আগেই ব্যবহার হয়েছে বা মেয়াদ শেষ। নতুন একটি নিন।",
  },
  chat_ticket_foreign: {
    en: "This chat ticket was issued for another conversation.",
    bn: "এই চ্যাট টিকিটটি অন্য কথোপকথনের জন্য দেওয়া হয়েছিল।",
  },
  websocket_required: {
    en: "This endpoint upgrades to a WebSocket: send Upgrade: websocket.",
    bn: "এই এন্ডপয়েন্টটি WebSocket-এ যায়: Upgrade: websocket পাঠান।",
  },
  account_suspended: {
    en: "This account is suspended. Contact support.",
    bn: "এই অ্যাকাউন্টটি স্থগিত। সহায়তায় যোগাযোগ করুন।",
  },
  case_resolved: {
    en: "This case is already resolved.",
    bn: "এই কেসটি আগেই নিষ্পত্তি হয়েছে।",
  },
  too_many_open_requests: {
    en: "You already have several requests looking for a provider. Wait for an answer or cancel one first.",
    bn: "আপনার কয়েকটি অনুরোধ ইতিমধ্যে সেবাদাতা খুঁজছে। উত্তরের জন্য অপেক্ষা করুন অথবা আগে একটি বাতিল করুন।",
  },
  offer_closed: {
    en: "This job is no longer open: another provider took it, it was withdrawn, or its time ran out.",
    bn: "এই কাজটি আর খোলা নেই: অন্য সেবাদাতা নিয়েছেন, তুলে নেওয়া হয়েছে, অথবা সময় শেষ।",
  },
  offer_unavailable: {
    en: "You already have a booking at that time, so this job goes to another provider.",
    bn: "ওই সময়ে আপনার আরেকটি বুকিং আছে, তাই কাজটি অন্য সেবাদাতার কাছে যাবে।",
  },
  request_matched: {
    en: "This request already has its provider. Cancel the booking instead.",
    bn: "এই অনুরোধের সেবাদাতা ইতিমধ্যে পাওয়া গেছে। এর বদলে বুকিংটি বাতিল করুন।",
  },
  request_closed: {
    en: "This request is no longer looking for a provider.",
    bn: "এই অনুরোধটি আর সেবাদাতা খুঁজছে না।",
  },
  internal: {
    en: "Something went wrong on our side. Try again.",
    bn: "আমাদের দিকে একটি সমস্যা হয়েছে। আবার চেষ্টা করুন।",
  },
} satisfies Record<string, Message>;

export type MessageKey = keyof typeof messages;
