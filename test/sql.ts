// Test-only SQL for the workerd harnesses (gateway and notifications): one short-lived pool through the same Neon
// driver and bridge the workers use, so a test sees the database exactly as the code under test does.
import { createPool, type DbConfig } from "../platform/pg/driver";

/** Runs one raw statement for a test's setup or assertion; rows are the caller's to describe. */
export async function testSql<T = Record<string, unknown>>(
  cfg: DbConfig,
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  const pool = createPool(cfg);
  try {
    return (await pool.query(text, params)).rows as T[];
  } finally {
    await pool.end();
  }
}
