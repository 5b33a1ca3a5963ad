// Small crypto helpers for auth: HMAC keyed hashes, opaque tokens, constant-time checks.
import { base64url } from "jose";

const enc = new TextEncoder();
const hmacKeys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = hmacKeys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", enc.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
      "sign",
      "verify",
    ]);
    hmacKeys.set(secret, key);
  }
  return key;
}

export async function hmac(secret: string, message: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign("HMAC", await hmacKey(secret), enc.encode(message)));
}

export async function hmacHex(secret: string, message: string, bytes = 32): Promise<string> {
  const mac = await hmac(secret, message);
  return Array.from(mac.slice(0, bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Constant-time: WebCrypto's HMAC verify compares in constant time. */
export async function hmacVerify(secret: string, message: string, mac: Uint8Array): Promise<boolean> {
  return crypto.subtle.verify("HMAC", await hmacKey(secret), mac, enc.encode(message));
}

/** 256 random bits, URL-safe, with a prefix that secret scanners can spot. */
export function opaqueToken(prefix: string): string {
  return `${prefix}_${base64url.encode(crypto.getRandomValues(new Uint8Array(32)))}`;
}

/** Uniform 6-digit code: rejection sampling avoids the modulo bias of a plain `% 10^6`. */
export function randomCode(digits = 6): string {
  const max = 10 ** digits;
  const limit = Math.floor(0x1_0000_0000 / max) * max;
  const buf = new Uint32Array(1);
  for (;;) {
    crypto.getRandomValues(buf);
    const n = buf[0] as number;
    if (n < limit) return String(n % max).padStart(digits, "0");
  }
}

export const b64 = {
  encode: (bytes: Uint8Array) => base64url.encode(bytes),
  decode: (text: string) => base64url.decode(text),
};

const aesKeys = new Map<string, Promise<CryptoKey>>();

/** An AES-GCM key derived from `secret` for one purpose (HMAC as the KDF), never the secret itself. */
function aesKey(secret: string, purpose: string): Promise<CryptoKey> {
  const id = `${purpose}\u0000${secret}`;
  let key = aesKeys.get(id);
  if (!key) {
    key = hmac(secret, `aes-key:${purpose}`).then((raw) =>
      crypto.subtle.importKey("raw", raw, { name: "AES-GCM" }, false, ["encrypt", "decrypt"]),
    );
    aesKeys.set(id, key);
  }
  return key;
}

/** Encrypts `plaintext` bound to `context` (additional data): base64url(iv || ciphertext). */
export async function seal(secret: string, purpose: string, context: string, plaintext: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: enc.encode(context) },
    await aesKey(secret, purpose),
    enc.encode(plaintext),
  );
  const out = new Uint8Array(12 + ct.byteLength);
  out.set(iv);
  out.set(new Uint8Array(ct), 12);
  return b64.encode(out);
}

/** The plaintext of `seal(...)`, or null when it was not sealed by this secret for this purpose and context. */
export async function unseal(secret: string, purpose: string, context: string, sealed: string): Promise<string | null> {
  try {
    const bytes = b64.decode(sealed);
    const pt = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: bytes.slice(0, 12), additionalData: enc.encode(context) },
      await aesKey(secret, purpose),
      bytes.slice(12),
    );
    return new TextDecoder().decode(pt);
  } catch {
    return null;
  }
}
