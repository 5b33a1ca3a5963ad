// Stripe-Signature verification: t=<unix>,v1=<hex>[,v1=…]; v1 = HMAC-SHA256(secret, `${t}.${raw body}`), compared
// in constant time, accepted within a 300 s tolerance, any matching v1 wins (Stripe sends several during rotation).
export const STRIPE_TOLERANCE_S = 300;

export type SignatureCheck =
  | { ok: true; timestamp: number }
  | { ok: false; reason: "malformed" | "stale" | "mismatch" };

function hexToBytes(hex: string): Uint8Array | null {
  if (!/^[0-9a-f]{64}$/i.test(hex)) return null;
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export async function verifyStripeSignature(
  header: string | undefined,
  rawBody: string,
  secret: string,
  nowS = Math.floor(Date.now() / 1000),
): Promise<SignatureCheck> {
  if (!header) return { ok: false, reason: "malformed" };
  const parts = header.split(",").map((p) => p.trim().split("=") as [string, string | undefined]);
  const t = Number(parts.find(([k]) => k === "t")?.[1]);
  const signatures = parts.filter(([k, v]) => k === "v1" && v).map(([, v]) => hexToBytes(v as string));
  if (!Number.isInteger(t) || signatures.length === 0) return { ok: false, reason: "malformed" };
  if (Math.abs(nowS - t) > STRIPE_TOLERANCE_S) return { ok: false, reason: "stale" };
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["verify"],
  );
  const signed = new TextEncoder().encode(`${t}.${rawBody}`);
  for (const sig of signatures) {
    // WebCrypto's verify compares in constant time.
    if (sig && (await crypto.subtle.verify("HMAC", key, sig, signed))) return { ok: true, timestamp: t };
  }
  return { ok: false, reason: "mismatch" };
}
