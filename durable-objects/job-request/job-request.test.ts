// The request's object: an acceptance interrupted after its booking was made is finished with that same booking,
// events the queue refused wait in storage for the next alarm, and the cron wakes a search whose alarm was lost.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { first } from "../../platform/pg/sql";
import { sweepStalledRequests } from "../../workers/api/scheduled";
import { login, sql } from "../../workers/api/test/helpers";
import {
  accept,
  createRequest,
  endWave,
  offerFor,
  offersOf,
  recordEvents,
  requestBody,
  requestRow,
  spot,
  tutors,
  waveOut,
} from "../../workers/api/test/matching-helpers";
import { providerBookings } from "../provider-bookings/client";
import { jobRequest } from "./client";
import { winnerBooking } from "./events";
import type { JobRequest } from "./job-request";
import { REQUEST_STATE } from "./sql";

describe("JobRequest object", () => {
  it("finishes an acceptance cut off after its booking was made: that booking wins, never a second one", async () => {
    const at = spot();
    const [p1, p2] = await tutors(at, 2);
    if (!p1 || !p2) throw new Error("two tutors");
    const id = await createRequest(await login(), requestBody(at));
    await waveOut(id, 1);
    const o1 = await offerFor(id, p1);
    // As if the object died right after p1's booking committed: the intent is stored, the request not yet MATCHED.
    const made = await runInDurableObject(jobRequest(env, id), async (o: JobRequest, state) => {
      const r = await first(o.pg, REQUEST_STATE, { request_id: id });
      if (!r) throw new Error("no request");
      const input = await winnerBooking(r, o1, p1.providerId);
      const out = await providerBookings(env, p1.providerId).create(input);
      await state.storage.put("intent", { offerId: o1, providerId: p1.providerId, input });
      return out.ok ? out.body.id : null;
    });
    expect(made).not.toBeNull();
    expect((await requestRow(id)).status).toBe("SEARCHING");
    const late = await accept(await offerFor(id, p2), p2.user);
    expect(late.status).toBe(409);
    expect(await requestRow(id)).toMatchObject({ status: "MATCHED", booking_id: made });
    const again = await accept(o1, p1.user);
    expect(again.status).toBe(200);
    expect(again.body.booking_id).toBe(made);
    const [n] = await sql<{ n: number }>(
      "SELECT count(*)::int AS n FROM bookings WHERE provider_id = ANY($1::bigint[])",
      [[p1.providerId, p2.providerId]],
    );
    expect(n?.n).toBe(1);
  });

  it("keeps the events the queue refused and sends them with the next alarm, without the customer in them", async () => {
    const at = spot();
    const helpers = await tutors(at, 4);
    const customer = await login();
    const id = await createRequest(customer, requestBody(at));
    await waveOut(id, 1);
    await recordEvents(id, true);
    await endWave(id);
    expect((await requestRow(id)).wave).toBe(2);
    const sent = await recordEvents(id);
    expect(await runDurableObjectAlarm(jobRequest(env, id))).toBe(true);
    const fourth = helpers[3];
    const [offer] = await offersOf(id).then((os) => os.filter((o) => o.wave === 2));
    expect(sent).toEqual([
      expect.objectContaining({
        type: "offer.created",
        recipient_id: fourth?.user.userId,
        request_id: id,
        offer_id: offer?.id,
        service_type: "tutor",
        price_poisha: 80_000,
        unit: "hour",
      }),
    ]);
    const e = sent[0] as { distance_m: number };
    expect(e.distance_m % 100).toBe(0);
    expect(JSON.stringify(sent)).not.toContain(String(customer.userId));
  });

  it("is woken by the cron when its search fell behind (its alarm lost)", async () => {
    const at = spot();
    await tutors(at, 4);
    const id = await createRequest(await login(), requestBody(at));
    await waveOut(id, 1);
    await runInDurableObject(jobRequest(env, id), (_o: JobRequest, state) => state.storage.deleteAlarm());
    await sql("UPDATE job_offers SET expires_at = now() - interval '2 minutes' WHERE request_id = $1", [id]);
    await sql("UPDATE job_requests SET wave_ends_at = now() - interval '2 minutes' WHERE id = $1", [id]);
    expect(await sweepStalledRequests(env)).toBeGreaterThanOrEqual(1);
    await waveOut(id, 2);
    expect((await offersOf(id)).filter((o) => o.wave === 2)).toHaveLength(1);
  });
});
