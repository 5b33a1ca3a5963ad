// Fault (d), the queue send failing, under concurrent booking traffic: every committed change keeps its event in
// the outbox, the request still succeeds, and after recovery the relays (the object's alarm, the cron sweep) send
// each event exactly once. In workerd because `wrangler dev` has no honest way to make a queue send fail: the
// object's `events` field is the queue binding, swapped here for one that refuses, then for one that records.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { providerBookings } from "../../durable-objects/provider-bookings/client";
import type { ProviderBookings } from "../../durable-objects/provider-bookings/provider-bookings";
import { sweepOutbox } from "../../workers/api/scheduled";
import { call, login, makeProvider, type Session, sql, window } from "../../workers/api/test/helpers";

const PROVIDERS = 3;
const JOURNEYS_PER_PROVIDER = 4;

interface Figures {
  sent: number;
  ok: number;
  s503: number;
  other4xx: number;
  s5xx: number;
  hangs: number;
}

/** A queue that refuses every send, as when the Queues service is unreachable. */
const refusing = (attempts: { n: number }) =>
  ({
    send: () => {
      attempts.n++;
      return Promise.reject(new Error("queue unavailable"));
    },
    sendBatch: () => {
      attempts.n++;
      return Promise.reject(new Error("queue unavailable"));
    },
  }) as unknown as Queue;

/** The real binding, with every message it is given written down first. */
const recording = (sent: string[]) =>
  ({
    send: (body: { meta: { event_id: string } }, opts?: QueueSendOptions) => {
      sent.push(body.meta.event_id);
      return env.BOOKING_EVENTS.send(body, opts);
    },
    sendBatch: (msgs: Iterable<MessageSendRequest<{ meta: { event_id: string } }>>, opts?: QueueSendBatchOptions) => {
      const list = [...msgs];
      for (const m of list) sent.push(m.body.meta.event_id);
      return env.BOOKING_EVENTS.sendBatch(list, opts);
    },
  }) as unknown as Queue;

async function step(fig: Figures, path: string, token: string, body: unknown = {}) {
  fig.sent++;
  const res = await call(path, { method: "POST", token, headers: { "idempotency-key": crypto.randomUUID() }, body });
  if (res.status >= 200 && res.status < 300) fig.ok++;
  else if (res.status === 503) fig.s503++;
  else if (res.status >= 500) fig.s5xx++;
  else fig.other4xx++;
  return res;
}

/** create, accept, confirm (cash), and every other one cancelled: three or four events each. */
async function journey(fig: Figures, providerId: number, provider: Session, customer: Session, n: number) {
  const created = await step(fig, "/booking/bookings", customer.access, {
    provider_id: providerId,
    service_type: "driver",
    ...window(24 + n * 3),
  });
  const id = created.body.id as number;
  await step(fig, `/booking/bookings/${id}/accept`, provider.access);
  await step(fig, `/booking/bookings/${id}/confirm`, customer.access);
  if (n % 2 === 0) await step(fig, `/booking/bookings/${id}/cancel`, customer.access, { reason: "fault suite" });
  return id;
}

const outboxOf = (providerIds: number[]) =>
  sql<{ event_id: string; published: boolean; attempts: number; last_error: string | null }>(
    `SELECT event_id::text, published_at IS NOT NULL AS published, attempts, last_error FROM outbox
      WHERE partition_key = ANY($1::text[]) ORDER BY id`,
    [providerIds.map(String)],
  );

async function eventually<T>(read: () => Promise<T>, check: (v: T) => boolean, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (check(v) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("fault (d): the booking-events queue refusing sends", () => {
  it("keeps every committed event and relays each exactly once after recovery, without failing a request", async () => {
    const fig: Figures = { sent: 0, ok: 0, s503: 0, other4xx: 0, s5xx: 0, hangs: 0 };
    const providers = await Promise.all(Array.from({ length: PROVIDERS }, () => makeProvider()));
    const customers = await Promise.all(Array.from({ length: PROVIDERS }, () => login()));
    const ids = providers.map((p) => p.providerId);
    const attempts = { n: 0 };
    for (const p of providers) {
      await runInDurableObject(providerBookings(env, p.providerId), (o: ProviderBookings) => {
        o.events = refusing(attempts);
      });
    }

    // Concurrent traffic: each provider's journeys side by side with the others'.
    await Promise.all(
      providers.flatMap((p, i) =>
        Array.from({ length: JOURNEYS_PER_PROVIDER }, (_, n) =>
          journey(fig, p.providerId, p.user, customers[i] as Session, n),
        ),
      ),
    );
    expect(fig).toMatchObject({ ok: fig.sent, s503: 0, other4xx: 0, s5xx: 0 });
    const committed = (PROVIDERS * JOURNEYS_PER_PROVIDER * 7) / 2; // 4 events for even journeys, 3 for odd
    const failed = await eventually(
      () => outboxOf(ids),
      (rows) => rows.length === committed && rows.every((r) => r.attempts >= 1),
    );
    expect(failed).toHaveLength(committed);
    expect(failed.every((r) => !r.published && r.last_error === "queue unavailable")).toBe(true);
    expect(attempts.n).toBeGreaterThan(0);

    // Recovery: the first two providers' objects relay on their alarm, the third is woken by the cron sweep.
    const sent: string[] = [];
    for (const p of providers) {
      await runInDurableObject(providerBookings(env, p.providerId), (o: ProviderBookings) => {
        o.events = recording(sent);
      });
    }
    for (const p of providers.slice(0, 2))
      expect(await runDurableObjectAlarm(providerBookings(env, p.providerId))).toBe(true);
    const last = providers[2]?.providerId as number;
    await sql("UPDATE outbox SET created_at = now() - interval '2 minutes' WHERE partition_key = $1", [String(last)]);
    expect(await sweepOutbox(env)).toBeGreaterThanOrEqual(1);
    // A second sweep and alarm round after recovery must find nothing left to send.
    await sweepOutbox(env);

    const after = await outboxOf(ids);
    const once = new Map<string, number>();
    for (const e of sent) once.set(e, (once.get(e) ?? 0) + 1);
    const lost = after.filter((r) => !r.published || !once.has(r.event_id)).length;
    const duplicates = [...once.values()].reduce((s, n) => s + n - 1, 0);
    const strays = [...once.keys()].filter((e) => !after.some((r) => r.event_id === e)).length;
    console.log(
      `FAULTS-FIGURES ${JSON.stringify({ ...fig, committed, delivered: committed - lost, lost, duplicates: duplicates + strays })}`,
    );
    expect(after.every((r) => r.published)).toBe(true);
    expect(lost).toBe(0);
    expect(duplicates).toBe(0);
    expect(strays).toBe(0);
    expect(sent).toHaveLength(committed);
  });
});
