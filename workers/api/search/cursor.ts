// Opaque keyset cursors, bound to the query they came from so they cannot be replayed against another.
import { b64 } from "../auth/crypto";

const enc = new TextEncoder();
const dec = new TextDecoder();

export function encodeCursor(queryKey: string, after: [number, number, number]): string {
  return b64.encode(enc.encode(JSON.stringify({ q: queryKey.slice(0, 16), a: after })));
}

/** The keyset position, or null when the cursor is malformed or belongs to a different query. */
export function decodeCursor(queryKey: string, cursor: string): [number, number, number] | null {
  try {
    const parsed = JSON.parse(dec.decode(b64.decode(cursor))) as { q?: unknown; a?: unknown };
    const a = parsed.a;
    if (parsed.q !== queryKey.slice(0, 16) || !Array.isArray(a) || a.length !== 3) return null;
    if (!a.every((n) => typeof n === "number" && Number.isFinite(n))) return null;
    return a as [number, number, number];
  } catch {
    return null;
  }
}
