// Structured JSON logs. Callers pass ids and shapes, never phone numbers, OTPs, tokens or message text.
export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";
const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

/** Users appear in logs only as a short hash: enough to correlate lines, without putting ids next to requests. */
export async function hashId(value: string | number): Promise<string> {
  const bytes = new TextEncoder().encode(`kormo:log:${value}`);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest.slice(0, 6), (b) => b.toString(16).padStart(2, "0")).join("");
}

export async function logLine(
  threshold: LogLevel,
  level: Exclude<LogLevel, "silent">,
  fields: Record<string, unknown> & { user?: string | number | undefined },
): Promise<void> {
  if (rank[level] < rank[threshold]) return;
  const { user, ...rest } = fields;
  const line: Record<string, unknown> = { level, ts: new Date().toISOString(), ...rest };
  if (user !== undefined) line.user = await hashId(user);
  const text = JSON.stringify(line);
  if (level === "error") console.error(text);
  else if (level === "warn") console.warn(text);
  else console.log(text);
}
