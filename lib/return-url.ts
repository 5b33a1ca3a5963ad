// Where a wallet payment sends the customer's browser back to: the allow-list a client's return_url must match, and
// the redirect that carries only the booking id and the outcome. Every comparison is on parsed URLs, never strings.
import type { WalletOutcome } from "./enums";

/** The longest return URL we keep (browsers and wallets cut much longer ones anyway). */
export const RETURN_URL_MAX = 2048;

/** Production's allow-list: the app's own scheme and its universal/app links. */
export const RETURN_URL_DEFAULT = "kormomela://,https://kormomela.app/";

/** Schemes that run code or read local data in a browser: never a place to send anyone. */
const DANGEROUS_SCHEMES = new Set(["javascript:", "data:", "vbscript:", "file:", "blob:", "about:", "filesystem:"]);
const WEB_SCHEMES = new Set(["http:", "https:"]);

/** One allow-list entry, parsed: a whole app scheme, or a web origin with a path prefix. */
export type ReturnRule =
  | { kind: "scheme"; scheme: string }
  | { kind: "web"; scheme: string; hostname: string; port: string | "*"; path: string };

/**
 * Parses RETURN_URL_ALLOWLIST: comma-separated `app-scheme://` (any URL of that custom scheme: the OS hands it to
 * the app) or `http(s)://host[:port][/path/]` (that exact host and port, paths under that prefix at a segment
 * boundary). `:*` as the port admits any port (for loopback testing). Throws with a reason for a bad entry.
 */
export function parseReturnAllowlist(raw: string): ReturnRule[] {
  return raw
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean)
    .map(parseRule);
}

function parseRule(entry: string): ReturnRule {
  const anyPort = /^(https?:\/\/[^/:?#@]+):\*(\/.*)?$/i.exec(entry);
  const text = anyPort ? `${anyPort[1]}${anyPort[2] ?? "/"}` : entry;
  if (!URL.canParse(text)) throw new Error(`"${entry}" is not a URL`);
  const u = new URL(text);
  if (DANGEROUS_SCHEMES.has(u.protocol)) throw new Error(`"${entry}" uses a scheme that runs code`);
  if (u.username || u.password || u.search || u.hash) {
    throw new Error(`"${entry}" must not carry credentials, a query or a fragment`);
  }
  if (!WEB_SCHEMES.has(u.protocol)) {
    // A custom scheme stands for the app itself: the whole scheme, nothing after it.
    if (entry.toLowerCase() !== `${u.protocol}//`) throw new Error(`"${entry}": an app scheme is written scheme://`);
    return { kind: "scheme", scheme: u.protocol };
  }
  if (!u.hostname) throw new Error(`"${entry}" needs a host`);
  // The prefix ends at a segment boundary: "/app" admits "/app" and "/app/x", never "/appx".
  const path = u.pathname.endsWith("/") ? u.pathname : `${u.pathname}/`;
  return { kind: "web", scheme: u.protocol, hostname: u.hostname, port: anyPort ? "*" : u.port, path };
}

export type ReturnUrlRefusal = "too_long" | "not_allowed" | "not_a_url" | "credentials" | "fragment";
export type ReturnUrlCheck = { ok: true; url: string } | { ok: false; reason: ReturnUrlRefusal };

/**
 * Checks a client's return URL against the rules. The answer is the URL as the parser normalized it (what we store
 * and redirect to), so what was checked is exactly what the browser gets.
 */
export function checkReturnUrl(raw: string, rules: readonly ReturnRule[]): ReturnUrlCheck {
  const no = (reason: ReturnUrlRefusal): ReturnUrlCheck => ({ ok: false, reason });
  if (raw.length > RETURN_URL_MAX) return no("too_long");
  // Browsers strip tabs and newlines inside URLs and trim spaces; such a URL is not what it looks like.
  if (/[\s\\]/.test(raw)) return no("not_allowed");
  if (!URL.canParse(raw)) return no("not_a_url");
  const u = new URL(raw);
  if (u.username || u.password) return no("credentials");
  if (u.hash || raw.includes("#")) return no("fragment");
  const allowed = rules.some((r) => {
    if (r.scheme !== u.protocol) return false;
    if (r.kind === "scheme") return true;
    if (u.hostname !== r.hostname) return false;
    if (r.port !== "*" && u.port !== r.port) return false;
    const path = u.pathname.endsWith("/") ? u.pathname : `${u.pathname}/`;
    return path.startsWith(r.path);
  });
  return allowed ? { ok: true, url: u.href } : no("not_allowed");
}

/**
 * The return URL with `booking_id` and `outcome` set, its own query kept (our two names replace any it had), and
 * nothing else: no status words, amounts or references from the wallet.
 */
export function returnLocation(returnUrl: string, bookingId: number, outcome: WalletOutcome): string {
  const u = new URL(returnUrl);
  u.searchParams.set("booking_id", String(bookingId));
  u.searchParams.set("outcome", outcome);
  u.hash = "";
  return u.href;
}
