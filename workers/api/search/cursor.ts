// Opaque keyset cursors, bound to the query they came from so they cannot be replayed against another.
import { z } from "zod";
import { b64 } from "../auth/crypto";

const enc = new TextEncoder();
const dec = new TextDecoder();

type Position = [number, number, number];
const Cursor = z.object({ q: z.string(), a: z.tuple([z.number(), z.number(), z.number()]) });

export function encodeCursor(queryKey: string, after: Position): string {
  return b64.encode(enc.encode(JSON.stringify({ q: queryKey.slice(0, 16), a: after })));
}

/** The keyset position, or null when the cursor is malformed or belongs to a different query. */
export function decodeCursor(queryKey: string, cursor: string): Position | null {
  try {
    const parsed = Cursor.safeParse(JSON.parse(dec.decode(b64.decode(cursor))));
    if (!parsed.success || parsed.data.q !== queryKey.slice(0, 16)) return null;
    return parsed.data.a;
  } catch {
    return null;
  }
}
