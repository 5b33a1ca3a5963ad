// Telling Postgres' own errors (a SQLSTATE) from a dropped socket or a driver failure, and both from our bugs.

/** Postgres SQLSTATE of a driver error, if any. */
export function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** A SQL error leaves the session usable; anything else (a socket gone) means reconnect. */
export function isSqlError(err: unknown): boolean {
  return sqlState(err) !== undefined;
}

/**
 * SQLSTATEs that mean the database, not the statement, failed: connection exceptions (08), insufficient resources
 * (53), operator intervention such as a restart (57P01-57P05), system errors (58), and a serialization conflict or
 * deadlock a retry resolves (40001, 40P01).
 */
const UNAVAILABLE_STATE = /^(08|53|57P0|58|40001|40P01)/;

/**
 * What the Neon driver (node-postgres inside), its WebSocket, workerd's fetch and the Upstash client throw when the
 * far side is gone or slow. These carry no SQLSTATE or status, so their messages are all there is to go on; this
 * list is the one place that reads them.
 */
const UNAVAILABLE_MESSAGE =
  /connection terminated|connection (?:is )?closed|connection (?:timeout|refused|reset)|timeout exceeded when trying to connect|client has encountered a connection error|websocket|econnrefused|econnreset|etimedout|socket hang up|network connection lost|fetch failed|failed to fetch|upstash|redis|bridge is suspended/i;

/** Whether an error means a dependency (Postgres, Redis, the bridges) is down or unreachable: answer 503. */
export function isDependencyFailure(err: unknown): boolean {
  const state = sqlState(err);
  if (state) return UNAVAILABLE_STATE.test(state);
  if (!(err instanceof Error)) return false;
  if (err.name === "UpstashError" || err.name === "AbortError" || err.name === "TimeoutError") return true;
  return UNAVAILABLE_MESSAGE.test(err.message) || (err.cause !== undefined && isDependencyFailure(err.cause));
}
