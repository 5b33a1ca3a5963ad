// SSL Wireless v3 SMS adapter: POST /api/v3/send-sms. Tells retryable failures from permanent ones.
import { toMsisdn } from "../../../lib/phone";

export interface SmsConfig {
  SMS_API_URL: string;
  SMS_API_TOKEN: string;
  SMS_SID: string;
}

export type SmsResult = { ok: true; reference: string | undefined } | { ok: false; retryable: boolean; error: string };

/** Gateway codes that will not get better by retrying. 4025 (duplicate csms_id) means it was already sent. */
const PERMANENT = new Set([4001, 4003, 4022, 4023, 4024]);
const TIMEOUT_MS = 8_000;

export async function sendSms(cfg: SmsConfig, to: string, text: string, messageId: string): Promise<SmsResult> {
  // csms_id is the gateway's idempotency key (<= 20 chars); derived from our message id, so a retry never double-sends.
  const csmsId = messageId.replace(/-/g, "").slice(0, 20);
  let res: Response;
  try {
    res = await fetch(`${cfg.SMS_API_URL}/api/v3/send-sms`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({
        api_token: cfg.SMS_API_TOKEN,
        sid: cfg.SMS_SID,
        msisdn: toMsisdn(to),
        sms: text,
        csms_id: csmsId,
      }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (err) {
    return { ok: false, retryable: true, error: err instanceof Error ? err.name : "network" };
  }
  if (res.status === 429 || res.status >= 500) return { ok: false, retryable: true, error: `http ${res.status}` };
  const body = (await res.json().catch(() => null)) as {
    status?: string;
    status_code?: number;
    smsinfo?: { reference_id?: string }[];
  } | null;
  if (body?.status === "SUCCESS") return { ok: true, reference: body.smsinfo?.[0]?.reference_id };
  const code = body?.status_code ?? res.status;
  if (code === 4025) return { ok: true, reference: undefined };
  return { ok: false, retryable: !PERMANENT.has(code), error: `gateway ${code}` };
}
