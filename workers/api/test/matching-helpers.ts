// Matching test harness: providers around a spot of their own (far from every other test's), job requests, the
// request's object driven by its alarm, and a recorder for the events it sends.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { jobRequest } from "../../../durable-objects/job-request/client";
import type { JobRequest } from "../../../durable-objects/job-request/job-request";
import type { WeeklySlot } from "../../../lib/availability";
import type { MatchEventMessage } from "../../../lib/messages";
import { call, idemKey, type Json, makeProvider, type ProviderFixture, type Session, sql, window } from "./helpers";

/** The service these tests ask for: no other test's providers offer it near these spots. */
export const SERVICE = "tutor";

/** A point nobody else uses (other suites keep to Dhaka and the southern hemisphere). */
export function spot(): { lat: number; lng: number } {
  return { lat: 35 + Math.random() * 20, lng: -10 + Math.random() * 50 };
}

/** A point `metres` north of `at`. */
export const north = (at: { lat: number; lng: number }, metres: number) => ({
  lat: at.lat + metres / 111_320,
  lng: at.lng,
});

export interface Helper extends ProviderFixture {
  at: { lat: number; lng: number };
}

/** A verified tutor `metres` north of `at`, 400 taka an hour, around the clock unless a plan is given. */
export async function tutor(
  at: { lat: number; lng: number },
  metres: number,
  opts: { rating?: number; price?: number; radiusKm?: number; weekly?: WeeklySlot[]; verified?: boolean } = {},
): Promise<Helper> {
  const where = north(at, metres);
  const p = await makeProvider({
    ...where,
    services: [{ service_type: SERVICE, price_poisha: opts.price ?? 40_000, unit: "hour" }],
    radiusKm: opts.radiusKm ?? 10,
    ...(opts.rating === undefined ? {} : { rating: opts.rating }),
    ...(opts.weekly ? { weekly: opts.weekly } : {}),
    ...(opts.verified === undefined ? {} : { verified: opts.verified }),
  });
  return { ...p, at: where };
}

/**
 * Several tutors, the first nearest, each 2 km farther than the one before: ranking sees search's public points
 * (100-300 m off) and nudges each score by up to lib/matching.ts SPREAD, so closer steps could swap places.
 */
export async function tutors(at: { lat: number; lng: number }, n: number): Promise<Helper[]> {
  const out: Helper[] = [];
  for (let i = 0; i < n; i++) out.push(await tutor(at, 200 + i * 2000));
  return out;
}

export function requestBody(at: { lat: number; lng: number }, extra: Json = {}): Json {
  return { service_type: SERVICE, location: at, ...window(48 + Math.floor(Math.random() * 2000), 2), ...extra };
}

export function postRequest(customer: Session, body: Json, headers: Record<string, string> = idemKey()) {
  return call("/booking/requests", { method: "POST", token: customer.access, headers, body });
}

export async function createRequest(customer: Session, body: Json): Promise<number> {
  const res = await postRequest(customer, body);
  if (res.status !== 201) throw new Error(`request failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as number;
}

export interface OfferRow {
  id: number;
  provider_id: number;
  status: string;
  wave: number;
  rank: number;
}

export async function offersOf(requestId: number): Promise<OfferRow[]> {
  const found = await sql<{ id: string; provider_id: string; status: string; wave: number; rank: number }>(
    "SELECT id, provider_id, status, wave, rank FROM job_offers WHERE request_id = $1 ORDER BY wave, rank",
    [requestId],
  );
  return found.map((o) => ({ ...o, id: Number(o.id), provider_id: Number(o.provider_id) }));
}

export async function requestRow(requestId: number) {
  const [row] = await sql<{ status: string; wave: number; booking_id: string | null }>(
    "SELECT status, wave, booking_id FROM job_requests WHERE id = $1",
    [requestId],
  );
  if (!row) throw new Error(`no request ${requestId}`);
  return { ...row, booking_id: row.booking_id === null ? null : Number(row.booking_id) };
}

/** Polls until `check` holds (the object's own alarm runs on its own time). */
export async function until<T>(what: string, read: () => Promise<T>, check: (v: T) => boolean, ms = 8000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (check(v)) return v;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(v)} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Waits for wave `n` to be out (the first goes out from the alarm the create sets). */
export const waveOut = (requestId: number, n: number) =>
  until(
    `wave ${n} of request ${requestId}`,
    () => requestRow(requestId),
    (r) => r.wave >= n || r.status !== "SEARCHING",
  );

export const settled = (requestId: number) =>
  until(
    `request ${requestId} to settle`,
    () => requestRow(requestId),
    (r) => r.status !== "SEARCHING",
  );

/** Lets the wave's time run out, as if its window had passed, and runs the object's alarm. */
export async function endWave(requestId: number): Promise<void> {
  await sql(
    "UPDATE job_offers SET expires_at = now() - interval '1 second' WHERE request_id = $1 AND status = 'open'",
    [requestId],
  );
  await sql("UPDATE job_requests SET wave_ends_at = now() - interval '1 second' WHERE id = $1", [requestId]);
  await runDurableObjectAlarm(jobRequest(env, requestId));
}

/** Swaps the request object's queue for one that records what it is sent (or refuses it). */
export async function recordEvents(requestId: number, refuse = false): Promise<MatchEventMessage[]> {
  const sent: MatchEventMessage[] = [];
  await runInDurableObject(jobRequest(env, requestId), (o: JobRequest) => {
    o.events = {
      send: async (m: MatchEventMessage) => {
        if (refuse) throw new Error("queue unavailable");
        sent.push(m);
      },
      sendBatch: async (ms: { body: MatchEventMessage }[]) => {
        if (refuse) throw new Error("queue unavailable");
        sent.push(...ms.map((m) => m.body));
      },
    } as unknown as Queue;
  });
  return sent;
}

export const accept = (offerId: number, who: Session) =>
  call(`/booking/offers/${offerId}/accept`, { method: "POST", token: who.access });

export const decline = (offerId: number, who: Session, reason?: string) =>
  call(`/booking/offers/${offerId}/decline`, {
    method: "POST",
    token: who.access,
    ...(reason === undefined ? {} : { body: { reason } }),
  });

/** The open offer of `p` for a request. */
export async function offerFor(requestId: number, p: ProviderFixture): Promise<number> {
  const o = (await offersOf(requestId)).find((x) => x.provider_id === p.providerId);
  if (!o) throw new Error(`provider ${p.providerId} has no offer for request ${requestId}`);
  return o.id;
}
