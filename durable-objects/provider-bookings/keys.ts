// Idempotency keys of booking steps: claim a key together with the step's read, answer a retry from what the key
// stored, and store each answer under its key. Runs on the provider object's connection, under its lock.
import { statusOf } from "../../lib/errors";
import { first, type Runner, run } from "../../platform/pg/sql";
import { ANSWER_KEY, DELETE_KEY, READ_KEY, RELEASE_KEY, TAKE_OVER_KEY } from "./sql";
import type { ActorRef, Idempotency } from "./types";
import { fail, type Outcome } from "./views";

/** The key parameters every claiming read starts with (key null: no key, the claim always succeeds). */
export interface KeyParams {
  user_id: number;
  key: string | null;
  method: string | null;
  path: string | null;
  request_hash: string | null;
}

export function keyParams(actor: ActorRef, idem: Idempotency | undefined): KeyParams {
  return {
    user_id: actor.userId,
    key: idem?.key ?? null,
    method: idem?.method ?? null,
    path: idem?.path ?? null,
    request_hash: idem?.requestHash ?? null,
  };
}

/** The outcome of claiming a key: go ahead with the row read, or answer now. */
export type Claim<R> = { go: true; row: R } | { go: false; outcome: Outcome };

/**
 * Round trip 1: claim the key and read the context (`read` runs a claimAnd statement with the key's parameters). A key already taken answers now: the stored answer for the
 * same request, 422 for a different one, 409 while the first is still running, and a takeover when the first
 * died before its change committed (the change is one statement, so nothing happened).
 */
export async function claim<R extends { claimed: boolean }>(
  pg: Runner,
  actor: ActorRef,
  idem: Idempotency | undefined,
  read: (key: KeyParams) => Promise<R | undefined>,
): Promise<Claim<R>> {
  const key = keyParams(actor, idem);
  for (let attempt = 0; attempt < 2; attempt++) {
    const row = await read(key);
    if (!row) throw new Error("a claiming read answers one row");
    if (row.claimed) return { go: true, row };
    if (!idem) continue;
    const prior = await first(pg, READ_KEY, { user_id: actor.userId, key: idem.key });
    if (!prior) continue; // deleted meanwhile: claim again
    if (!prior.live) {
      // Keys live 24 hours; after that the same key is a new request.
      await run(pg, DELETE_KEY, { user_id: actor.userId, key: idem.key });
      continue;
    }
    if (prior.request_hash !== idem.requestHash || prior.method !== idem.method || prior.path !== idem.path) {
      return { go: false, outcome: fail("idempotency_mismatch", "idempotency_mismatch") };
    }
    if (prior.response_body) return { go: false, outcome: { ...prior.response_body, replayed: true } };
    if (prior.stale && (await run(pg, TAKE_OVER_KEY, key))) continue;
    return {
      go: false,
      outcome: fail("conflict", "conflict", { kind: "retry", retry_after_s: 1, reason: "in_progress" }),
    };
  }
  return { go: false, outcome: fail("conflict", "conflict") };
}

/** The stored answer for this key (a replay), a 422 for a different request under it, or undefined. */
export async function priorAnswer(pg: Runner, actor: ActorRef, idem: Idempotency): Promise<Outcome | undefined> {
  const prior = await first(pg, READ_KEY, { user_id: actor.userId, key: idem.key });
  if (!prior?.live) return undefined;
  if (prior.request_hash !== idem.requestHash || prior.method !== idem.method || prior.path !== idem.path) {
    return fail("idempotency_mismatch", "idempotency_mismatch");
  }
  return prior.response_body ? { ...prior.response_body, replayed: true } : undefined;
}

/** Frees a claimed key without an answer (a transient failure: nothing happened, the retry should run again). */
export async function release(pg: Runner, actor: ActorRef, idem: Idempotency | undefined): Promise<void> {
  if (idem) await run(pg, RELEASE_KEY, { user_id: actor.userId, key: idem.key, request_hash: idem.requestHash });
}

/**
 * Stores a refusal (or a no-op answer) under the key, so a retry gets the same answer. A not_found is released
 * instead (ids anyone can make up must not each leave a row behind, and asking again costs the same read), and so
 * is a rate_limited (a cap that frees up later: the same request, same key, may go through then).
 */
export async function answer(
  pg: Runner,
  actor: ActorRef,
  idem: Idempotency | undefined,
  outcome: Outcome,
): Promise<Outcome> {
  if (!outcome.ok && (outcome.code === "not_found" || outcome.code === "rate_limited")) {
    await release(pg, actor, idem);
    return outcome;
  }
  if (idem) {
    const code = outcome.ok ? outcome.status : statusOf[outcome.code];
    await run(pg, ANSWER_KEY, {
      user_id: actor.userId,
      key: idem.key,
      response_code: code,
      response_body: JSON.stringify(outcome),
    });
  }
  return outcome;
}
