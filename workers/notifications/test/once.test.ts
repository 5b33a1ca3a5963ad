import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../../lib/hash";
import { createPool } from "../../../platform/pg/driver";
import type { Runner } from "../../../platform/pg/sql";
import { DELIVERY_LEASE_S, fanout } from "../fanout/fanout";
import { ServiceAccount } from "../push/fcm";
import { RECORD_DELIVERY } from "../sql";
import { deliveries, event, nenv, pushesTo, run, sql, token, user } from "./harness";

/** A delivery row as another consumer left it: claimed `ageS` seconds ago and not finished. */
async function pendingRow(e: ReturnType<typeof event>, userId: number, pushToken: string, ageS: number) {
  await sql(
    `INSERT INTO notification_deliveries
       (event_id, event_type, booking_id, user_id, channel, target_hash, status, attempts, created_at, updated_at)
     VALUES ($1, $2, $3, $4, 'push', $5, 'pending', 1, now() - make_interval(secs => $6), now() - make_interval(secs => $6))`,
    [e.meta.event_id, e.type, e.id, userId, await sha256Hex(`push:${pushToken}`), ageS],
  );
}

const fcmConfig = () => ({
  serviceAccount: ServiceAccount.parse(JSON.parse(nenv.FCM_SERVICE_ACCOUNT)),
  apiUrl: nenv.FCM_API_URL,
});

async function withPool<T>(fn: (pool: Runner) => Promise<T>): Promise<T> {
  const pool = createPool(nenv, { max: 2 });
  try {
    return await fn(pool);
  } finally {
    await pool.end();
  }
}

describe("a delivery is sent at most once while it is in flight", () => {
  it("sends one push per device when several consumers process the same event at the same time", async () => {
    const devices = [token(), token(), token()];
    const provider = await user({ devices });
    const customer = await user();
    const e = event("booking.created", { customer: customer.id, providerUser: provider.id });
    // As when the object's publish and the cron sweep both relay one outbox row, or a message is redelivered
    // while its first invocation still runs.
    const results = await Promise.all([1, 2, 3, 4].map(() => run("booking-events", [e])));
    for (const t of devices) expect(await pushesTo(t)).toHaveLength(1);
    // Whoever lost a claim to a consumer still sending does not ack blindly: it comes back to check.
    for (const r of results) expect(r.explicitAcks.length + r.retryMessages.length).toBe(1);
    const again = await run("booking-events", [e]);
    expect(again.explicitAcks).toEqual(["m0"]);
    for (const t of devices) expect(await pushesTo(t)).toHaveLength(1);
    expect((await deliveries(e.meta.event_id)).map((d) => d.status)).toEqual(["sent", "sent", "sent"]);
  });

  it("does not send a delivery another consumer claimed moments ago, and retries the message after the lease", async () => {
    const t = token();
    const customer = await user({ devices: [t] });
    const provider = await user();
    const e = event("booking.accepted", { customer: customer.id, providerUser: provider.id }, { actor: "provider" });
    await pendingRow(e, customer.id, t, 1);
    const result = await run("booking-events", [e]);
    expect(await pushesTo(t)).toEqual([]);
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages).toEqual([{ msgId: "m0" }]);
    // The message comes back once the holder's lease has run out, not at once.
    const out = await withPool((pool) => fanout(e, { pool, fcm: fcmConfig(), sms: nenv }));
    expect(out.retry).toBe(true);
    expect(out.retryAfterS).toBeGreaterThan(DELIVERY_LEASE_S - 5);
    expect(out.retryAfterS).toBeLessThanOrEqual(DELIVERY_LEASE_S);
    expect(await pushesTo(t)).toEqual([]);
    expect((await deliveries(e.meta.event_id))[0]).toMatchObject({ status: "pending", attempts: 1 });
  });

  it("takes over a delivery whose consumer went quiet for longer than the lease, and sends it once", async () => {
    const t = token();
    const customer = await user({ devices: [t] });
    const provider = await user();
    const e = event("booking.accepted", { customer: customer.id, providerUser: provider.id }, { actor: "provider" });
    await pendingRow(e, customer.id, t, 600);
    const result = await run("booking-events", [e]);
    expect(result.explicitAcks).toEqual(["m0"]);
    expect(await pushesTo(t)).toHaveLength(1);
    expect((await deliveries(e.meta.event_id))[0]).toMatchObject({ status: "sent", attempts: 2 });
  });

  it("records a push as sent even when the first write after it fails, so a redelivery does not push again", async () => {
    const t = token();
    const customer = await user({ devices: [t] });
    const provider = await user();
    const e = event("booking.accepted", { customer: customer.id, providerUser: provider.id }, { actor: "provider" });
    let dropped = 0;
    const out = await withPool((pool) => {
      // The connection breaks right after FCM accepted the push (a bridge cut, a Postgres restart).
      const flaky: Runner = {
        query: (text, values) => {
          if (text === RECORD_DELIVERY.text && dropped++ === 0) {
            return Promise.reject(new Error("Connection terminated unexpectedly"));
          }
          return pool.query(text, values);
        },
      };
      return fanout(e, { pool: flaky, fcm: fcmConfig(), sms: nenv });
    });
    expect(out).toMatchObject({ retry: false, sent: 1 });
    expect(dropped).toBe(2);
    expect((await deliveries(e.meta.event_id))[0]).toMatchObject({ status: "sent" });
    await run("booking-events", [e]);
    expect(await pushesTo(t)).toHaveLength(1);
  });

  it("tags each push with its event id, so a device shows a repeated send once", async () => {
    const t = token();
    const customer = await user({ devices: [t] });
    const provider = await user();
    const e = event("booking.accepted", { customer: customer.id, providerUser: provider.id }, { actor: "provider" });
    await run("booking-events", [e]);
    const [p] = (await pushesTo(t)) as unknown as {
      android?: { notification?: { tag?: string } };
      apns?: { headers?: Record<string, string> };
    }[];
    expect(p?.android?.notification?.tag).toBe(e.meta.event_id);
    expect(p?.apns?.headers?.["apns-collapse-id"]).toBe(e.meta.event_id);
  });
});
