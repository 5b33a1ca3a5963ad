// Validation issues in Bangla and English: zod's issue (code and bounds) becomes a stable code and a message in
// both languages, with the field's path kept. Custom checks name a catalogue key as their message.
import type { z } from "zod";
import type { ErrorDetails, Issue, IssueCode } from "./error-details";
import type { Message } from "./i18n";

type Params = Record<string, string | number>;
const fill = (s: string, p: Params) => s.replace(/\{(\w+)\}/g, (_, k: string) => String(p[k] ?? ""));

/** Messages of custom checks (refine), by key; `{name}` is filled from the check's params. */
export const issueMessages = {
  end_after_start: { en: "end must be after start", bn: "শেষের সময় শুরুর পরে হতে হবে" },
  start_end_together: { en: "start and end go together", bn: "শুরু ও শেষ একসাথে দিতে হবে" },
  window_max_days: { en: "the window may be at most {days} days", bn: "সময়সীমা সর্বোচ্চ {days} দিন হতে পারে" },
  decimal_number: { en: "must be a decimal number", bn: "একটি দশমিক সংখ্যা হতে হবে" },
  whole_number: { en: "must be a whole number", bn: "একটি পূর্ণ সংখ্যা হতে হবে" },
  between: { en: "must be between {min} and {max}", bn: "{min} থেকে {max} এর মধ্যে হতে হবে" },
  instant: {
    en: "must be an ISO 8601 date-time with an offset, between 2020 and 2100",
    bn: "অফসেটসহ ISO 8601 তারিখ-সময় হতে হবে, ২০২০ থেকে ২১০০ সালের মধ্যে",
  },
  clean_text: {
    en: "must be text without control or invisible formatting characters",
    bn: "নিয়ন্ত্রণ বা অদৃশ্য বিন্যাস অক্ষর ছাড়া লেখা হতে হবে",
  },
  min_chars: { en: "must be at least {min} characters", bn: "কমপক্ষে {min} অক্ষর হতে হবে" },
  max_chars: { en: "must be at most {max} characters", bn: "সর্বোচ্চ {max} অক্ষর হতে পারে" },
  positive_whole_number: { en: "must be a positive whole number", bn: "একটি ধনাত্মক পূর্ণ সংখ্যা হতে হবে" },
  too_large: { en: "is too large", bn: "অনেক বড়" },
  printable_ascii: { en: "printable ASCII without spaces", bn: "ফাঁকা ছাড়া ছাপযোগ্য ASCII অক্ষর" },
  upload_or_documents: { en: "give upload_id (or documents)", bn: "upload_id (অথবা documents) দিন" },
  not_your_upload: { en: "not an upload of yours", bn: "এটি আপনার আপলোড নয়" },
  not_uploaded: { en: "not uploaded", bn: "আপলোড করা হয়নি" },
  document_too_large: { en: "larger than 10 MB", bn: "১০ MB এর চেয়ে বড়" },
  document_empty: { en: "empty", bn: "খালি" },
  document_not_image: { en: "not a JPEG, PNG or WebP image", bn: "JPEG, PNG বা WebP ছবি নয়" },
  unknown_service_type: { en: "unknown service_type", bn: "অজানা service_type" },
  foreign_cursor: { en: "not a cursor of this query", bn: "এটি এই অনুসন্ধানের কার্সর নয়" },
  range_max_days: { en: "at most {days} days", bn: "সর্বোচ্চ {days} দিন" },
  malformed_escape: { en: "malformed percent-escape", bn: "ত্রুটিপূর্ণ পারসেন্ট-এসকেপ" },
  too_deep: { en: "nests deeper than {depth} levels", bn: "{depth} স্তরের বেশি গভীরে নেস্ট করা" },
  control_characters: { en: "contains control characters", bn: "নিয়ন্ত্রণ অক্ষর আছে" },
  return_url_too_long: { en: "is longer than 2048 characters", bn: "২০৪৮ অক্ষরের চেয়ে লম্বা" },
  return_url_not_allowed: {
    en: "is not an allowed return address (the app's link or our https pages)",
    bn: "অনুমোদিত ফেরার ঠিকানা নয় (অ্যাপের লিংক বা আমাদের https পাতা)",
  },
  return_url_not_a_url: { en: "is not a URL", bn: "URL নয়" },
  return_url_credentials: { en: "must not contain a user name or password", bn: "ব্যবহারকারীর নাম বা পাসওয়ার্ড থাকা চলবে না" },
  return_url_fragment: { en: "must not contain a #fragment", bn: "#fragment থাকা চলবে না" },
  six_digits: { en: "must be 6 digits", bn: "৬ অঙ্কের হতে হবে" },
  required: { en: "is required", bn: "আবশ্যক" },
  customer_review_only: {
    en: "only the customer's review has sub-ratings",
    bn: "শুধু গ্রাহকের রিভিউতে আলাদা রেটিং থাকে",
  },
  month: { en: "must be a month as YYYY-MM", bn: "YYYY-MM আকারে একটি মাস হতে হবে" },
  client_id: {
    en: "must be 1 to 64 letters, digits or _ . : -",
    bn: "১ থেকে ৬৪টি অক্ষর, অঙ্ক বা _ . : - হতে হবে",
  },
  message_text: {
    en: "must be text without control characters, and not empty",
    bn: "নিয়ন্ত্রণ অক্ষর ছাড়া লেখা হতে হবে, এবং খালি নয়",
  },
} as const satisfies Record<string, Message>;
export type IssueKey = keyof typeof issueMessages;

const isKey = (s: string): s is IssueKey => Object.hasOwn(issueMessages, s);

const TYPE_BN: Record<string, string> = {
  string: "লেখা",
  number: "সংখ্যা",
  int: "পূর্ণ সংখ্যা",
  boolean: "সত্য/মিথ্যা",
  object: "অবজেক্ট",
  array: "তালিকা",
};

/** One issue a handler raises itself (a field the schema cannot judge alone). */
export function fieldIssue(path: string, key: IssueKey, params: Params = {}, code: IssueCode = "custom"): Issue {
  const m = issueMessages[key];
  return { path, code, message: { en: fill(m.en, params), bn: fill(m.bn, params) } };
}

/** `details` for a 400 naming one or more fields. */
export const validationDetails = (issues: Issue[]): ErrorDetails => ({ kind: "validation", issues });

function sizeMessage(issue: { origin?: string; minimum?: unknown; maximum?: unknown }, big: boolean): Message {
  const n = String(big ? issue.maximum : issue.minimum);
  const origin = issue.origin ?? "";
  if (origin === "string") {
    return big
      ? { en: `must be at most ${n} characters`, bn: `সর্বোচ্চ ${n} অক্ষর হতে পারে` }
      : { en: `must be at least ${n} characters`, bn: `কমপক্ষে ${n} অক্ষর হতে হবে` };
  }
  if (origin === "array" || origin === "set") {
    return big
      ? { en: `must have at most ${n} items`, bn: `সর্বোচ্চ ${n}টি উপাদান থাকতে পারে` }
      : { en: `must have at least ${n} items`, bn: `কমপক্ষে ${n}টি উপাদান থাকতে হবে` };
  }
  return big
    ? { en: `must be at most ${n}`, bn: `সর্বোচ্চ ${n} হতে পারে` }
    : { en: `must be at least ${n}`, bn: `কমপক্ষে ${n} হতে হবে` };
}

/** Translates one zod issue; the path is kept exactly, joined with dots. */
export function fromZodIssue(issue: z.core.$ZodIssue): Issue {
  const path = issue.path.map(String).join(".");
  const own = issue.message;
  // A check that names a catalogue key (custom refinements, our regexes) speaks for itself.
  if (own && isKey(own)) {
    const params = (issue.code === "custom" ? issue.params : undefined) as Params | undefined;
    return fieldIssue(path, own, params ?? {}, issue.code === "custom" ? "custom" : (issue.code as IssueCode));
  }
  switch (issue.code) {
    case "invalid_type": {
      if (issue.input === undefined) return { path, code: issue.code, message: issueMessages.required };
      const t = String(issue.expected);
      return { path, code: issue.code, message: { en: `must be ${t}`, bn: `${TYPE_BN[t] ?? t} হতে হবে` } };
    }
    case "too_small":
      return { path, code: issue.code, message: sizeMessage(issue, false) };
    case "too_big":
      return { path, code: issue.code, message: sizeMessage(issue, true) };
    case "invalid_format":
      return {
        path,
        code: issue.code,
        message: { en: `is not a valid ${issue.format}`, bn: `সঠিক ${issue.format} নয়` },
      };
    case "invalid_value": {
      const list = issue.values.map((v) => JSON.stringify(v)).join(", ");
      return { path, code: issue.code, message: { en: `must be one of ${list}`, bn: `এগুলোর একটি হতে হবে: ${list}` } };
    }
    case "unrecognized_keys": {
      const keys = issue.keys.join(", ");
      return { path, code: issue.code, message: { en: `unknown field(s): ${keys}`, bn: `অজানা ঘর: ${keys}` } };
    }
    case "not_multiple_of":
      return {
        path,
        code: issue.code,
        message: { en: `must be a multiple of ${issue.divisor}`, bn: `${issue.divisor} এর গুণিতক হতে হবে` },
      };
    case "invalid_union":
      return {
        path,
        code: issue.code,
        message: { en: "matches none of the allowed forms", bn: "কোনো অনুমোদিত রূপের সাথে মেলে না" },
      };
    default:
      // invalid_key, invalid_element, custom without a key: zod's English, in both (never empty).
      return { path, code: "custom", message: { en: own || "is not valid", bn: own || "সঠিক নয়" } };
  }
}
