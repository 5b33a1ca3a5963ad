// Telling Postgres' own errors (a SQLSTATE) from a dropped socket or a driver failure.

/** Postgres SQLSTATE of a driver error, if any. */
export function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** A SQL error leaves the session usable; anything else (a socket gone) means reconnect. */
export function isSqlError(err: unknown): boolean {
  return sqlState(err) !== undefined;
}
