// Idempotency keys for writes the gateway makes itself (reviews), on the same idempotency_keys table and with the
// same rules as the booking steps (durable-objects/provider-bookings/keys.ts): the key is claimed in the step's first
// read, a retry answers what the key stored, the same key with another request is 422, a claim still running is 409,
// and a claim whose answer never came is taken over after 60 s (its one writing statement never committed).
import { z } from "zod";
import type { ErrorDetails } from "../../../lib/error-details";
import { ErrorCode, statusOf } from "../../../lib/errors";
import { type MessageKey, messages } from "../../../lib/i18n";
import { first, NoRow, type Runner, run, statement } from "../../../platform/pg/sql";

const int = z.number().int();
const maybeText = z.string().nullable();

/** The key parameters every claiming read starts with. */
export const KEY = { user_id: int, key: maybeText, method: maybeText, path: maybeText, request_hash: maybeText };
export type KeyParams = {
  user_id: number;
  key: string | null;
  method: string | null;
  path: string | null;
  request_hash: string | null;
};

/** Claims the caller's key (when there is one) and, in the same statement, runs `read` (one row, or none). */
export function claimAnd(read: string): string {
  return `
  WITH claim AS (
    INSERT INTO idempotency_keys (user_id, key, method, path, request_hash)
    SELECT :user_id, :key, :method, :path, :request_hash WHERE :key::text IS NOT NULL
    ON CONFLICT (user_id, key) DO NOTHING
    RETURNING 1
  )
  SELECT (:key::text IS NULL OR EXISTS (SELECT 1 FROM claim)) AS claimed, r.*
    FROM (SELECT 1) one LEFT JOIN (${read}) r ON true`;
}

const READ_KEY = statement({
  params: { user_id: int, key: z.string() },
  row: z.object({
    method: z.string(),
    path: z.string(),
    request_hash: z.string(),
    response_body: z.unknown(),
    live: z.boolean(),
    stale: z.boolean(),
  }),
  text: `
  SELECT method, path, request_hash, response_body,
         created_at > now() - interval '24 hours' AS live,
         response_code IS NULL AND created_at < now() - interval '60 seconds' AS stale
    FROM idempotency_keys WHERE user_id = :user_id AND key = :key`,
});

const DELETE_KEY = statement({
  params: { user_id: int, key: z.string() },
  row: NoRow,
  text: "DELETE FROM idempotency_keys WHERE user_id = :user_id AND key = :key",
});

const TAKE_OVER_KEY = statement({
  params: KEY,
  row: NoRow,
  text: `
  UPDATE idempotency_keys SET created_at = now(), method = :method, path = :path, request_hash = :request_hash
   WHERE user_id = :user_id AND key = :key AND response_code IS NULL AND created_at < now() - interval '60 seconds'
  RETURNING 1`,
});

const RELEASE_KEY = statement({
  params: { user_id: int, key: z.string(), request_hash: z.string() },
  row: NoRow,
  text: `
  DELETE FROM idempotency_keys
   WHERE user_id = :user_id AND key = :key AND request_hash = :request_hash AND response_code IS NULL`,
});

const ANSWER_KEY = statement({
  params: { user_id: int, key: z.string(), response_code: int, response_body: z.string() },
  row: NoRow,
  text: `
  UPDATE idempotency_keys SET response_code = :response_code, response_body = :response_body
   WHERE user_id = :user_id AND key = :key`,
});

export interface Idem {
  key: string;
  method: string;
  path: string;
  requestHash: string;
}

/** A refusal as a key stores it (the booking steps' shape, so both kinds of answers read alike). */
export const Refusal = z.object({
  ok: z.literal(false),
  code: ErrorCode,
  message: z.custom<MessageKey>((v) => typeof v === "string" && Object.hasOwn(messages, v)),
  // Stored with the key and read back: the union is the app's own, so it is not re-checked here.
  details: z.custom<ErrorDetails>().optional(),
});
export type Refusal = z.infer<typeof Refusal>;

export type Claim<R> =
  | { go: true; row: R }
  | { go: false; replay: unknown }
  | { go: false; refusal: Refusal; retryAfterS?: number };

export function keyParams(userId: number, idem: Idem | undefined): KeyParams {
  return {
    user_id: userId,
    key: idem?.key ?? null,
    method: idem?.method ?? null,
    path: idem?.path ?? null,
    request_hash: idem?.requestHash ?? null,
  };
}

/** Round trip 1: claim the key with the read; a key already taken answers now (a replay, a 422 or a 409). */
export async function claim<R extends { claimed: boolean }>(
  db: Runner,
  userId: number,
  idem: Idem | undefined,
  read: (key: KeyParams) => Promise<R | undefined>,
): Promise<Claim<R>> {
  const key = keyParams(userId, idem);
  for (let attempt = 0; attempt < 2; attempt++) {
    const row = await read(key);
    if (!row) throw new Error("a claiming read answers one row");
    if (row.claimed || !idem) return { go: true, row };
    const prior = await first(db, READ_KEY, { user_id: userId, key: idem.key });
    if (!prior) continue;
    if (!prior.live) {
      await run(db, DELETE_KEY, { user_id: userId, key: idem.key });
      continue;
    }
    if (prior.request_hash !== idem.requestHash || prior.method !== idem.method || prior.path !== idem.path) {
      return { go: false, refusal: { ok: false, code: "idempotency_mismatch", message: "idempotency_mismatch" } };
    }
    if (prior.response_body !== null) return { go: false, replay: prior.response_body };
    if (prior.stale && (await run(db, TAKE_OVER_KEY, key))) continue;
    return {
      go: false,
      refusal: {
        ok: false,
        code: "conflict",
        message: "conflict",
        details: { kind: "retry", retry_after_s: 1, reason: "in_progress" },
      },
      retryAfterS: 1,
    };
  }
  return { go: false, refusal: { ok: false, code: "conflict", message: "conflict" } };
}

/** Stores a refusal under the key (a not_found is released instead: made-up ids leave nothing behind). */
export async function storeRefusal(db: Runner, userId: number, idem: Idem | undefined, refusal: Refusal) {
  if (!idem) return;
  if (refusal.code === "not_found") {
    await release(db, userId, idem);
    return;
  }
  await run(db, ANSWER_KEY, {
    user_id: userId,
    key: idem.key,
    response_code: statusOf[refusal.code],
    response_body: JSON.stringify(refusal),
  });
}

/** Frees a claim without an answer (the write failed before it committed: the retry runs again). */
export async function release(db: Runner, userId: number, idem: Idem | undefined): Promise<void> {
  if (idem) await run(db, RELEASE_KEY, { user_id: userId, key: idem.key, request_hash: idem.requestHash });
}
