// The database's own guards: idempotent migrations, no double booking, append-only audit.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { listMigrations, migrate } from "../../dev/db.mjs";

const url = inject("vars").DATABASE_URL as string;
const client = new pg.Client({ connectionString: url });

async function makeProvider(): Promise<{ customerId: number; providerId: number }> {
  const phone = () => `+88017${String(Math.floor(Math.random() * 1e8)).padStart(8, "0")}`;
  const c = await client.query("INSERT INTO users (phone) VALUES ($1) RETURNING id", [phone()]);
  const p = await client.query("INSERT INTO users (phone, role) VALUES ($1, 'provider') RETURNING id", [phone()]);
  const prov = await client.query(
    `INSERT INTO providers (user_id, display_name, location, verification_status)
     VALUES ($1, 'Test Provider', ST_SetSRID(ST_MakePoint(90.41, 23.79), 4326)::geography, 'verified') RETURNING id`,
    [p.rows[0].id],
  );
  return { customerId: Number(c.rows[0].id), providerId: Number(prov.rows[0].id) };
}

async function book(ids: { customerId: number; providerId: number }, start: string, end: string, status = "PENDING") {
  const { rows } = await client.query(
    `INSERT INTO bookings (customer_id, provider_id, service_type, start_date, end_date, status)
     VALUES ($1, $2, 'driver', $3, $4, $5) RETURNING id`,
    [ids.customerId, ids.providerId, start, end, status],
  );
  return Number(rows[0].id);
}

async function sqlState(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code;
  }
}

beforeAll(() => client.connect());
afterAll(() => client.end());

describe("migrations", () => {
  it("applies nothing and changes nothing when run a second time", async () => {
    const before = await client.query("SELECT name, checksum, applied_at FROM schema_migrations ORDER BY name");
    expect(before.rows.map((r) => r.name)).toEqual(listMigrations().map((m) => m.name));
    expect(await migrate(url)).toEqual([]);
    const after = await client.query("SELECT name, checksum, applied_at FROM schema_migrations ORDER BY name");
    expect(after.rows).toEqual(before.rows);
  });

  it("installs PostGIS and btree_gist", async () => {
    const { rows } = await client.query(
      "SELECT extname FROM pg_extension WHERE extname IN ('postgis', 'btree_gist') ORDER BY extname",
    );
    expect(rows.map((r) => r.extname)).toEqual(["btree_gist", "postgis"]);
  });
});

describe("bookings exclusion constraint", () => {
  it("refuses an overlapping active booking for the same provider with 23P01", async () => {
    const ids = await makeProvider();
    await book(ids, "2030-01-01T09:00:00Z", "2030-01-01T17:00:00Z");
    expect(await sqlState(book(ids, "2030-01-01T16:00:00Z", "2030-01-01T18:00:00Z"))).toBe("23P01");
    expect(await sqlState(book(ids, "2030-01-01T10:00:00Z", "2030-01-01T11:00:00Z", "CONFIRMED"))).toBe("23P01");
  });

  it("allows back-to-back windows, since windows are half-open", async () => {
    const ids = await makeProvider();
    await book(ids, "2030-01-02T09:00:00Z", "2030-01-02T12:00:00Z");
    await expect(book(ids, "2030-01-02T12:00:00Z", "2030-01-02T15:00:00Z")).resolves.toBeGreaterThan(0);
  });

  it("allows a booking that overlaps only a canceled one", async () => {
    const ids = await makeProvider();
    const first = await book(ids, "2030-01-03T09:00:00Z", "2030-01-03T17:00:00Z");
    await client.query("UPDATE bookings SET status = 'CANCELED' WHERE id = $1", [first]);
    await expect(book(ids, "2030-01-03T10:00:00Z", "2030-01-03T12:00:00Z")).resolves.toBeGreaterThan(0);
  });

  it("does not block another provider in the same window", async () => {
    const a = await makeProvider();
    const b = await makeProvider();
    await book(a, "2030-01-04T09:00:00Z", "2030-01-04T17:00:00Z");
    await expect(book(b, "2030-01-04T09:00:00Z", "2030-01-04T17:00:00Z")).resolves.toBeGreaterThan(0);
  });

  it("refuses a window that ends before it starts", async () => {
    const ids = await makeProvider();
    // The generated tstzrange refuses it (22000) before the CHECK constraint gets to (23514).
    expect(await sqlState(book(ids, "2030-01-05T17:00:00Z", "2030-01-05T09:00:00Z"))).toBe("22000");
  });
});

describe("audit_log", () => {
  it("refuses UPDATE, DELETE and TRUNCATE", async () => {
    const ids = await makeProvider();
    const bookingId = await book(ids, "2030-02-01T09:00:00Z", "2030-02-01T10:00:00Z");
    const { rows } = await client.query(
      `INSERT INTO audit_log (booking_id, actor_id, action, from_status, to_status)
       VALUES ($1, $2, 'created', NULL, 'PENDING') RETURNING id`,
      [bookingId, ids.customerId],
    );
    const id = rows[0].id;
    expect(await sqlState(client.query("UPDATE audit_log SET action = 'forged' WHERE id = $1", [id]))).toBe("42501");
    expect(await sqlState(client.query("DELETE FROM audit_log WHERE id = $1", [id]))).toBe("42501");
    expect(await sqlState(client.query("TRUNCATE audit_log"))).toBe("42501");
    const after = await client.query("SELECT action FROM audit_log WHERE id = $1", [id]);
    expect(after.rows).toEqual([{ action: "created" }]);
  });
});
