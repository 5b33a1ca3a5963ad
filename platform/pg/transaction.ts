// Explicit transactions on a Neon pool: one client, BEGIN/COMMIT, ROLLBACK on any throw, always released.
import type { Pool, PoolClient } from "@neondatabase/serverless";

export async function withTransaction<T>(pool: Pool, fn: (tx: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const result = await fn(client);
    await client.query("COMMIT");
    return result;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}
