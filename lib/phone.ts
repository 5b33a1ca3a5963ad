// One normaliser for Bangladeshi mobile numbers: whatever people type becomes E.164 (+8801[3-9]XXXXXXXX) or null.
import { toAsciiDigits } from "./digits";

const E164_BD_MOBILE = /^\+8801[3-9]\d{8}$/;

export function normalizePhone(input: string): string | null {
  const compact = toAsciiDigits(input.normalize("NFKC")).replace(/[\s\-().]/g, "");
  let digits: string;
  if (compact.startsWith("+")) digits = compact.slice(1);
  else if (compact.startsWith("00880")) digits = compact.slice(2);
  else digits = compact;
  if (!/^\d+$/.test(digits)) return null;
  if (digits.startsWith("01") && digits.length === 11) digits = `88${digits}`;
  const e164 = `+${digits}`;
  return E164_BD_MOBILE.test(e164) ? e164 : null;
}

/** SSL Wireless and most BD gateways want 8801XXXXXXXXX, without the plus. */
export function toMsisdn(e164: string): string {
  return e164.replace(/^\+/, "");
}
