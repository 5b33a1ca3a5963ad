// The drizzle schema mirrors the SQL migrations: every table and column it names exists, and no column is missed.
import { getTableConfig, PgTable } from "drizzle-orm/pg-core";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import * as schema from "../../db/schema";

const client = new pg.Client({ connectionString: inject("vars").DATABASE_URL as string });
beforeAll(() => client.connect());
afterAll(() => client.end());

describe("drizzle schema", () => {
  it("names exactly the columns each migrated table has", async () => {
    const tables = (Object.values(schema) as unknown[]).filter((v): v is PgTable => v instanceof PgTable);
    expect(tables.length).toBeGreaterThan(15);
    for (const table of tables) {
      const { name, columns } = getTableConfig(table);
      const { rows } = await client.query<{ column_name: string }>(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1",
        [name],
      );
      expect(rows.map((r) => r.column_name).sort(), name).toEqual(columns.map((c) => c.name).sort());
    }
  });
});
