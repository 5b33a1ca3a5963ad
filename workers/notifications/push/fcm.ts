// FCM HTTP v1 adapter: an OAuth2 access token from the service account (RS256 JWT via jose), cached until near
// expiry, then messages:send per device token. Classifies answers into sent / dead token / retry / failed.
import { importPKCS8, SignJWT } from "jose";
import { z } from "zod";

/** The Firebase service account JSON (the FCM_SERVICE_ACCOUNT secret), the fields this adapter uses. */
export const ServiceAccount = z.object({
  project_id: z.string(),
  private_key_id: z.string(),
  private_key: z.string(),
  client_email: z.string(),
  token_uri: z.string().url(),
});
export type ServiceAccount = z.infer<typeof ServiceAccount>;

export interface FcmConfig {
  serviceAccount: ServiceAccount;
  /** https://fcm.googleapis.com in production; the simulator locally. */
  apiUrl: string;
}

export interface PushMessage {
  token: string;
  title: string;
  body: string;
  data: Record<string, string>;
  /**
   * Identifies the notification on the device (Android notification tag, APNs collapse id, at most 64 bytes): a
   * second message with the same id replaces the first instead of showing twice.
   */
  collapseId?: string;
}

export type PushResult =
  | { kind: "sent" }
  | { kind: "dead_token"; error: string }
  | { kind: "retry"; error: string; retryAfterS?: number }
  | { kind: "failed"; error: string };

const SCOPE = "https://www.googleapis.com/auth/firebase.messaging";
const GOOGLE_TOKEN_AUD = "https://oauth2.googleapis.com/token";
const REFRESH_MARGIN_MS = 5 * 60_000;
const TIMEOUT_MS = 10_000;

/** Per isolate: one access token per service account, reused until five minutes before it expires. */
const tokens = new Map<string, { token: string; expiresAt: number }>();

export async function accessToken(sa: ServiceAccount, now = Date.now()): Promise<string> {
  const cached = tokens.get(sa.client_email);
  if (cached && cached.expiresAt - REFRESH_MARGIN_MS > now) return cached.token;
  const key = await importPKCS8(sa.private_key, "RS256");
  const iat = Math.floor(now / 1000);
  const assertion = await new SignJWT({ scope: SCOPE })
    .setProtectedHeader({ alg: "RS256", kid: sa.private_key_id, typ: "JWT" })
    .setIssuer(sa.client_email)
    .setAudience(GOOGLE_TOKEN_AUD)
    .setIssuedAt(iat)
    .setExpirationTime(iat + 3600)
    .sign(key);
  const res = await fetch(sa.token_uri, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer", assertion }),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const json = (await res.json().catch(() => ({}))) as { access_token?: string; expires_in?: number; error?: string };
  if (!res.ok || !json.access_token) throw new FcmAuthError(`token endpoint ${res.status} ${json.error ?? ""}`.trim());
  tokens.set(sa.client_email, { token: json.access_token, expiresAt: now + (json.expires_in ?? 3600) * 1000 });
  return json.access_token;
}

export class FcmAuthError extends Error {
  override name = "FcmAuthError";
}

/** Forget cached tokens (after a 401 the next send fetches a fresh one). */
export function dropAccessToken(sa: ServiceAccount): void {
  tokens.delete(sa.client_email);
}

interface FcmErrorBody {
  error?: { code?: number; status?: string; message?: string; details?: { errorCode?: string; "@type"?: string }[] };
}

export async function sendPush(cfg: FcmConfig, msg: PushMessage): Promise<PushResult> {
  let bearer: string;
  try {
    bearer = await accessToken(cfg.serviceAccount);
  } catch (err) {
    // A refused service account is configuration, not this message's fault: fail the delivery, keep the device.
    return { kind: "failed", error: err instanceof Error ? err.message.slice(0, 200) : "auth failed" };
  }
  let res: Response;
  try {
    res = await fetch(`${cfg.apiUrl}/v1/projects/${cfg.serviceAccount.project_id}/messages:send`, {
      method: "POST",
      headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" },
      body: JSON.stringify({
        message: {
          token: msg.token,
          notification: { title: msg.title, body: msg.body },
          data: msg.data,
          android: { priority: "high", ...(msg.collapseId && { notification: { tag: msg.collapseId } }) },
          apns: { headers: { "apns-priority": "10", ...(msg.collapseId && { "apns-collapse-id": msg.collapseId }) } },
        },
      }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (err) {
    return { kind: "retry", error: err instanceof Error ? err.name : "network" };
  }
  if (res.ok) return { kind: "sent" };
  const body = (await res.json().catch(() => ({}))) as FcmErrorBody;
  const code = body.error?.details?.find((d) => d.errorCode)?.errorCode ?? body.error?.status ?? String(res.status);
  if (res.status === 401) {
    dropAccessToken(cfg.serviceAccount);
    return { kind: "retry", error: "UNAUTHENTICATED" };
  }
  if (code === "UNREGISTERED" || code === "SENDER_ID_MISMATCH") return { kind: "dead_token", error: code };
  if (res.status === 400 && /registration token/i.test(body.error?.message ?? "")) {
    return { kind: "dead_token", error: "INVALID_ARGUMENT" };
  }
  if (res.status === 429 || res.status >= 500) {
    const after = Number(res.headers.get("retry-after"));
    return { kind: "retry", error: code, ...(Number.isFinite(after) && after > 0 ? { retryAfterS: after } : {}) };
  }
  return { kind: "failed", error: code };
}
