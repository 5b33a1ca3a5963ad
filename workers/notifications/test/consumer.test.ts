import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { NotificationsEnv } from "../env";
import worker from "../index";

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
});
