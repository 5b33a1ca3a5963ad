import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { NotificationsEnv } from "../env";
import worker from "../index";
import { deliveries, event, run, user } from "./harness";

describe("notifications consumer", () => {
  it("acknowledges and drops events that are not booking envelopes, one by one, instead of retrying them", async () => {
    const batch = createMessageBatch("booking-events", [
      {
        id: "m1",
        timestamp: new Date(),
        attempts: 1,
        body: { type: "booking.created", id: 1, meta: { event_id: crypto.randomUUID() } },
      },
      {
        id: "m2",
        timestamp: new Date(),
        attempts: 1,
        body: { type: "booking.accepted", id: 1, meta: { event_id: crypto.randomUUID() } },
      },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env as unknown as NotificationsEnv, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks.sort()).toEqual(["m1", "m2"]);
    expect(result.retryMessages).toEqual([]);
    expect(result.ackAll).toBe(false);
  });

  it("drops a complete envelope whose type or status is outside lib/enums.ts, and delivers nothing for it", async () => {
    const customer = await user();
    const provider = await user();
    const good = event("booking.accepted", { customer: customer.id, providerUser: provider.id }, { actor: "provider" });
    const rated = { ...good, type: "booking.rated" };
    const odd = { ...good, status: "ARCHIVED", meta: { ...good.meta, event_id: crypto.randomUUID() } };
    const result = await run("booking-events", [rated, odd]);
    expect(result.explicitAcks.sort()).toEqual(["m0", "m1"]);
    expect(result.retryMessages).toEqual([]);
    expect(await deliveries(good.meta.event_id)).toEqual([]);
    expect(await deliveries(odd.meta.event_id)).toEqual([]);
  });

  it("acknowledges a dead letter whose body has no event id, without touching the delivery log", async () => {
    const result = await run("booking-events-dlq", [{ type: "booking.created" }, "not json"]);
    expect(result.explicitAcks.sort()).toEqual(["m0", "m1"]);
    expect(result.retryMessages).toEqual([]);
  });
});
