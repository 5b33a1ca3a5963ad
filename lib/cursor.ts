// Signed keyset cursors: the position a list stopped at, sealed with an HMAC over the position and its scope (the
// query it belongs to, and the user for personal lists). A cursor from another query, another user, or a hand-made
// one is refused before its numbers go anywhere near SQL.
import { z } from "zod";

const enc = new TextEncoder();
const dec = new TextDecoder();
const keys = new Map<string, Promise<CryptoKey>>();

function key(secret: string): Promise<CryptoKey> {
  let k = keys.get(secret);
  if (!k) {
    // Domain separation: the same deployment secret keys other things; cursor MACs never collide with those.
    k = crypto.subtle.importKey("raw", enc.encode(`kormo-cursor:${secret}`), { name: "HMAC", hash: "SHA-256" }, false, [
      "sign",
      "verify",
    ]);
    keys.set(secret, k);
  }
  return k;
}

function b64url(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromB64url(s: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(s)) return null;
  try {
    const bin = atob(s.replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

/**
 * A keyset position: a short list of finite numbers (sort keys, then an id). Only the server makes positions, and
 * the MAC proves it did, so a position that opens is one the server's own query produced.
 */
export const Position = z.array(z.number().finite()).min(1).max(4);
export type Position = z.infer<typeof Position>;

export async function signCursor(secret: string, scope: string, position: Position): Promise<string> {
  const payload = b64url(enc.encode(JSON.stringify(Position.parse(position))));
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", await key(secret), enc.encode(`${scope}\n${payload}`)));
  return `${payload}.${b64url(mac.slice(0, 16))}`;
}

/** The position, or null when the cursor is malformed, forged, or from another scope. */
export async function openCursor(secret: string, scope: string, cursor: string): Promise<Position | null> {
  const [payload, tag, extra] = cursor.split(".");
  if (!payload || !tag || extra !== undefined) return null;
  const mac = fromB64url(tag);
  const bytes = fromB64url(payload);
  if (mac?.length !== 16 || !bytes) return null;
  const full = new Uint8Array(await crypto.subtle.sign("HMAC", await key(secret), enc.encode(`${scope}\n${payload}`)));
  // Constant time over the 16 bytes we keep.
  let diff = 0;
  for (let i = 0; i < 16; i++) diff |= (full[i] as number) ^ (mac[i] as number);
  if (diff !== 0) return null;
  try {
    const parsed = Position.safeParse(JSON.parse(dec.decode(bytes)));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
