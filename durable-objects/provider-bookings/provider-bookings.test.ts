import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { sweepOutbox } from "../../workers/api/scheduled";
import { call, login, makeProvider, sql, window } from "../../workers/api/test/helpers";
import { providerBookings } from "./client";
import type { ProviderBookings } from "./provider-bookings";

async function book(providerId: number, customerToken: string, w = window(2)) {
  const res = await call("/booking/bookings", {
    method: "POST",
    token: customerToken,
    headers: { "idempotency-key": crypto.randomUUID() },
    body: { provider_id: providerId, service_type: "driver", ...w },
  });
  return res;
}

/** Polls until `check` passes: the relay runs right after the response, not before it. */
async function eventually<T>(read: () => Promise<T>, check: (v: T) => boolean, ms = 3000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (check(v) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
}

const outboxOf = (bookingId: number) =>
  sql<{ type: string; published: boolean; attempts: number; last_error: string | null }>(
    `SELECT payload->>'type' AS type, published_at IS NOT NULL AS published, attempts, last_error
       FROM outbox WHERE (payload->>'id')::bigint = $1 ORDER BY id`,
    [bookingId],
  );

describe("ProviderBookings object", () => {
  it("keeps the outbox row when the queue send fails, and the alarm relays it later", async () => {
    const p = await makeProvider();
    const customer = await login();
    const stub = providerBookings(env, p.providerId);
    await runInDurableObject(stub, (instance: ProviderBookings) => {
      instance.events = {
        send: () => Promise.reject(new Error("queue unavailable")),
        sendBatch: () => Promise.reject(new Error("queue unavailable")),
      } as unknown as Queue;
    });
    const created = await book(p.providerId, customer.access);
    expect(created.status).toBe(201);
    const id = created.body.id as number;
    const failed = await eventually(
      () => outboxOf(id),
      (rows) => rows[0]?.attempts === 1,
    );
    expect(failed).toEqual([
      { type: "booking.created", published: false, attempts: 1, last_error: "queue unavailable" },
    ]);

    await runInDurableObject(stub, (instance: ProviderBookings) => {
      instance.events = env.BOOKING_EVENTS;
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await outboxOf(id)).toMatchObject([{ type: "booking.created", published: true, attempts: 2 }]);
  });

  it("is woken by the cron sweep for events left unpublished a minute ago", async () => {
    const p = await makeProvider();
    const customer = await login();
    const stub = providerBookings(env, p.providerId);
    await runInDurableObject(stub, (instance: ProviderBookings) => {
      instance.events = { sendBatch: () => Promise.reject(new Error("queue unavailable")) } as unknown as Queue;
    });
    const id = (await book(p.providerId, customer.access, window(60))).body.id as number;
    await eventually(
      () => outboxOf(id),
      (rows) => rows[0]?.attempts === 1,
    );
    await runInDurableObject(stub, (instance: ProviderBookings) => {
      instance.events = env.BOOKING_EVENTS;
    });
    // The sweep takes only rows older than a minute (fresher ones are the object's own alarm's): age this one.
    await sql("UPDATE outbox SET created_at = now() - interval '2 minutes' WHERE (payload->>'id')::bigint = $1", [id]);
    expect(await sweepOutbox(env)).toBeGreaterThanOrEqual(1);
    expect(await outboxOf(id)).toMatchObject([{ type: "booking.created", published: true }]);
  });

  it("expires an unanswered booking when its accept deadline passes", async () => {
    const p = await makeProvider();
    const customer = await login();
    const created = await book(p.providerId, customer.access, window(20));
    const id = created.body.id as number;
    const stub = providerBookings(env, p.providerId);
    const armed = await runInDurableObject(stub, (_i: ProviderBookings, state) => state.storage.getAlarm());
    expect(armed).toBe(Date.parse(created.body.accept_deadline as string));
    // Let the deadline pass (in the object's own clock of record), then fire the alarm.
    await runInDurableObject(stub, (_i: ProviderBookings, state) => {
      state.storage.sql.exec("UPDATE active SET deadline_ms = ? WHERE id = ?", Date.now() - 1, id);
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const res = await call(`/booking/bookings/${id}`, { token: customer.access });
    expect(res.body).toMatchObject({ status: "EXPIRED", canceled_by: "timer", fee_poisha: 0 });
    const audit = await sql<{ action: string; actor_id: number | null; to_status: string }>(
      "SELECT action, actor_id, to_status FROM audit_log WHERE booking_id = $1 ORDER BY id",
      [id],
    );
    expect(audit.at(-1)).toEqual({ action: "expire", actor_id: null, to_status: "EXPIRED" });
    expect((await outboxOf(id)).map((e) => e.type)).toEqual(["booking.created", "booking.expired"]);
    expect(await stub.cachedBookings()).toEqual([]);
  });

  it("lets Postgres win when the cache missed a booking: 409, then the cache reloads", async () => {
    const p = await makeProvider();
    const customer = await login();
    await book(p.providerId, customer.access, window(40)); // loads the cache
    const w = window(30, 2);
    // A booking the object never saw (written around it, as a restore or a manual fix would).
    await sql(
      `INSERT INTO bookings (customer_id, provider_id, service_type, start_date, end_date, status, price_poisha)
       VALUES ($1, $2, 'driver', $3, $4, 'CONFIRMED', 1)`,
      [customer.userId, p.providerId, w.start_date, w.end_date],
    );
    const stub = providerBookings(env, p.providerId);
    expect(await stub.cachedBookings()).toHaveLength(1);
    const res = await book(p.providerId, customer.access, w);
    expect(res.status).toBe(409);
    expect(await stub.cachedBookings()).toHaveLength(2);
  });

  it("reloads its cache from Postgres exactly, leaving out bookings already over", async () => {
    const p = await makeProvider();
    const customer = await login();
    const pending = await book(p.providerId, customer.access, window(60));
    const ahead = window(70, 3);
    await sql(
      `INSERT INTO bookings (customer_id, provider_id, service_type, start_date, end_date, status, price_poisha)
       VALUES ($1, $2, 'driver', $3, $4, 'CONFIRMED', 1),
              ($1, $2, 'driver', now() - interval '2 days', now() - interval '2 days' + interval '1 hour', 'CONFIRMED', 1)`,
      [customer.userId, p.providerId, ahead.start_date, ahead.end_date],
    );
    const stub = providerBookings(env, p.providerId);
    expect(await stub.refresh(p.providerId)).toEqual({ active: 2 });
    const [deadline] = await sql<{ ms: string }>(
      "SELECT (extract(epoch FROM accept_deadline) * 1000)::bigint AS ms FROM bookings WHERE id = $1",
      [pending.body.id],
    );
    expect((await stub.cachedBookings()).map(({ id: _id, ...rest }) => rest)).toEqual([
      {
        customer_id: customer.userId,
        start_ms: Date.parse(pending.body.start_date as string),
        end_ms: Date.parse(pending.body.end_date as string),
        status: "PENDING",
        deadline_ms: Number(deadline?.ms),
      },
      {
        customer_id: customer.userId,
        start_ms: Date.parse(ahead.start_date),
        end_ms: Date.parse(ahead.end_date),
        status: "CONFIRMED",
        deadline_ms: null,
      },
    ]);
  });

  it("keeps no storage and no idempotency row for a provider id that does not exist", async () => {
    const customer = await login();
    const [row] = await sql<{ id: string }>("SELECT COALESCE(max(id), 0) + 1000 + $1::int AS id FROM providers", [
      Math.floor(Math.random() * 1_000_000),
    ]);
    const missing = Number(row?.id);
    const key = crypto.randomUUID();
    const res = await call("/booking/bookings", {
      method: "POST",
      token: customer.access,
      headers: { "idempotency-key": key },
      body: { provider_id: missing, service_type: "driver", ...window(30) },
    });
    expect(res.status).toBe(404);
    expect(await sql("SELECT 1 FROM idempotency_keys WHERE user_id = $1 AND key = $2", [customer.userId, key])).toEqual(
      [],
    );
    const tables = await runInDurableObject(providerBookings(env, missing), (_i: ProviderBookings, state) =>
      state.storage.sql.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_cf_%'").toArray(),
    );
    expect(tables).toEqual([]);
    // A real provider's object does keep its binding and its cache.
    const p = await makeProvider();
    expect((await book(p.providerId, customer.access, window(31))).status).toBe(201);
    const kept = await runInDurableObject(providerBookings(env, p.providerId), (_i: ProviderBookings, state) =>
      state.storage.sql
        .exec<{ name: string }>(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_cf_%' ORDER BY name",
        )
        .toArray()
        .map((t) => t.name),
    );
    expect(kept).toEqual(["active", "meta"]);
  });

  // A connection of its own exists only with PG_OBJECT_WRITES=websocket (the api-websocket project runs this);
  // over HTTP the object holds none (see the connection budget test).
  it.runIf(env.PG_OBJECT_WRITES === "websocket")(
    "keeps its Postgres connection across requests and reconnects after the server drops it",
    async () => {
      const p = await makeProvider();
      const customer = await login();
      expect((await book(p.providerId, customer.access, window(50))).status).toBe(201);
      const stub = providerBookings(env, p.providerId);
      expect(await stub.holdsConnection()).toBe(true);
      const killed = await sql<{ n: string }>(
        "SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE application_name = $1",
        [`kormo:provider:${p.providerId}`],
      );
      expect(Number(killed[0]?.n)).toBe(1);
      // The very next request must succeed: the dead socket is noticed and replaced before the transaction starts.
      expect((await book(p.providerId, customer.access, window(52))).status).toBe(201);
      expect(await stub.holdsConnection()).toBe(true);
    },
  );
});
