// Reputation end to end: the Bayesian rating against hand-computed values and in sort=rating, the trust score in
// sort=relevance, reliability figures from the audit trail, the cron's catch-up, the search cache, and the review
// events (requested, reminder, published) through the outbox.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ReviewEventMessage } from "../../../lib/messages";
import { bayesianRating, DEFAULT_PRIOR, roundRating, trustScore } from "../../../lib/reputation";
import { refreshReputation, sweepReviews } from "../scheduled";
import { call, type Json, login, loginAdmin, makeProvider, sql, startNow, window } from "./helpers";
import { completedBooking, eventually, review, seededJobs, seededReviews, windowClosesIn } from "./review-fixtures";

/** A map spot no other test uses, so a search there sees only this test's providers. */
const isolated = () => ({ lat: -55 + Math.random() * 10, lng: -40 + Math.random() * 30 });

const search = (c: { lat: number; lng: number }, sort: string, headers: Record<string, string> = {}) =>
  call(`/search/providers?lat=${c.lat}&lng=${c.lng}&radius_km=5&service_type=driver&sort=${sort}`, { headers });
type Item = { provider_id: number; rating: number; rating_count: number; trust_score: number };
const items = (r: { body: Json }) => r.body.items as Item[];

/** Closes the windows of `jobs` and sweeps until every one of them is published (other tests' windows share it). */
async function publishAll(jobs: number[]) {
  await sql(
    "UPDATE review_windows SET completed_at = now() - interval '15 days' WHERE booking_id = ANY($1::bigint[])",
    [jobs],
  );
  for (let i = 0; i < 10; i++) {
    await sweepReviews(env);
    const [left] = await sql<{ n: number }>(
      "SELECT count(*)::int AS n FROM review_windows WHERE booking_id = ANY($1::bigint[]) AND published_at IS NULL",
      [jobs],
    );
    if (left?.n === 0) return;
  }
  throw new Error("windows not published");
}

const myReputation = async (token: string) => (await call("/provider/providers/me/reputation", { token })).body;

describe("the Bayesian rating", () => {
  it("keeps one 5-star review below twenty at 4.8, as hand-computed, in the aggregates and in sort=rating", async () => {
    const c = isolated();
    const [one, many, low] = [await makeProvider(c), await makeProvider(c), await makeProvider(c)];
    const customer = await login();
    const jobs = {
      one: await seededJobs(one.providerId, customer.userId, 1),
      many: await seededJobs(many.providerId, customer.userId, 20),
      low: await seededJobs(low.providerId, customer.userId, 3),
    };
    const stars = { one: [5], many: [...Array(16).fill(5), ...Array(4).fill(4)], low: [1, 1, 1] };
    for (const [k, p] of [
      ["one", one],
      ["many", many],
      ["low", low],
    ] as const) {
      await seededReviews(jobs[k], stars[k], customer.userId, p.user.userId, p.providerId);
    }
    await publishAll([...jobs.one, ...jobs.many, ...jobs.low]);
    // m = 10, C = 4: (40 + 5) / 11 = 4.0909; (40 + 96) / 30 = 4.5333; (40 + 3) / 13 = 3.3077.
    const stored = await sql<{ id: string; rating_avg: string; rating_count: number; rating_sum: number }>(
      "SELECT id, rating_avg, rating_count, rating_sum FROM providers WHERE id = ANY($1::bigint[]) ORDER BY id",
      [[one.providerId, many.providerId, low.providerId]],
    );
    expect(stored.map((r) => [r.rating_avg, r.rating_count, r.rating_sum])).toEqual([
      ["4.09", 1, 5],
      ["4.53", 20, 96],
      ["3.31", 3, 3],
    ]);
    expect(roundRating(bayesianRating(96, 20, DEFAULT_PRIOR))).toBe(4.53);
    const ranked = items(await search(c, "rating"));
    expect(ranked.map((i) => i.provider_id)).toEqual([many.providerId, one.providerId, low.providerId]);
    expect(ranked.map((i) => [i.rating, i.rating_count])).toEqual([
      [4.53, 20],
      [4.09, 1],
      [3.31, 3],
    ]);

    // sort=relevance: the documented trust score. Hand-computed (verified 25, tenure 0, no request history so
    // reliability is its prior 0.785 → 19.625): jobs 15 · ln(1+n)/ln 51 and rating 30 · (R − 1)/4.
    // many: 25 + 15·0.77433 + 30·0.8825 + 19.625 = 82.71; one: 25 + 2.644 + 23.175 + 19.625 = 70.44;
    // low: 25 + 5.289 + 17.325 + 19.625 = 67.24.
    const relevant = items(await search(c, "relevance", { "cache-control": "no-cache" }));
    expect(relevant.map((i) => [i.provider_id, i.trust_score])).toEqual([
      [many.providerId, 82.71],
      [one.providerId, 70.44],
      [low.providerId, 67.24],
    ]);
    // Paged one at a time, the same order.
    const paged: number[] = [];
    let cursor = "";
    for (let i = 0; i < 4 && cursor !== null; i++) {
      const page = await call(
        `/search/providers?lat=${c.lat}&lng=${c.lng}&radius_km=5&service_type=driver&sort=relevance&limit=1${cursor ? `&cursor=${cursor}` : ""}`,
      );
      paged.push(...items(page).map((x) => x.provider_id));
      cursor = page.body.next_cursor as string;
    }
    expect(paged).toEqual(relevant.map((i) => i.provider_id));
    // Every input is visible to the provider, and the score is lib/reputation.ts's on them.
    const mine = await myReputation(many.user.access);
    expect(mine.trust_score).toBe(82.71);
    expect(trustScore(mine.inputs as Parameters<typeof trustScore>[0]).score).toBe(82.71);
    expect(mine.inputs).toMatchObject({
      verified: true,
      rating: 4.53,
      rating_count: 20,
      completed_jobs: 20,
      requests: 0,
    });
    // 30 · (4.53 − 1) / 4 = 26.475, shown to two decimals.
    expect((mine.parts as Record<string, { points: number }>).rating?.points).toBeCloseTo(26.475, 2);
    expect((mine.parts as Record<string, { weight: number }>).violations?.weight).toBe(0);
  });
});

describe("ranked search keeps the radius exact", () => {
  it("finds a provider 4 999 m away on the spheroid and not one 5 001 m away, by trust score as by distance", async () => {
    const p = await makeProvider(isolated());
    const at = async (m: number) =>
      (
        await sql<{ lat: number; lng: number }>(
          `SELECT ST_Y(g::geometry) AS lat, ST_X(g::geometry) AS lng
             FROM (SELECT ST_Project(location, $2, radians(40))::geography AS g FROM search_listings
                    WHERE provider_id = $1 LIMIT 1) x`,
          [p.providerId, m],
        )
      )[0] as { lat: number; lng: number };
    for (const sort of ["relevance", "rating", "price", "distance"]) {
      const inside = items(await search(await at(4999), sort, { "cache-control": "no-cache" }));
      const outside = items(await search(await at(5001), sort, { "cache-control": "no-cache" }));
      expect(
        inside.map((i) => i.provider_id),
        sort,
      ).toContain(p.providerId);
      expect(
        outside.map((i) => i.provider_id),
        sort,
      ).not.toContain(p.providerId);
    }
  });
});

describe("reliability from the audit trail", () => {
  it("counts acceptance, answer time, late cancels and no-shows with their sample sizes", async () => {
    const p = await makeProvider();
    const customer = await login();
    const create = async (hoursAhead: number) => {
      const res = await call("/booking/bookings", {
        method: "POST",
        token: customer.access,
        headers: { "idempotency-key": crypto.randomUUID() },
        body: { provider_id: p.providerId, service_type: "driver", ...window(hoursAhead, 1) },
      });
      expect(res.status).toBe(201);
      return res.body.id as number;
    };
    const step = (id: number, action: string, token: string) =>
      call(`/booking/bookings/${id}/${action}`, { method: "POST", token });
    await completedBooking({ p, customer, hoursAhead: 100 }); // accepted, completed
    expect((await step(await create(102), "decline", p.user.access)).status).toBe(200);
    const late = await create(2); // starts within FREE_CANCEL_HOURS: the provider's cancel is a late one
    expect((await step(late, "accept", p.user.access)).status).toBe(200);
    expect((await step(late, "cancel", p.user.access)).status).toBe(200);
    const noShow = await create(104);
    expect((await step(noShow, "accept", p.user.access)).status).toBe(200);
    expect((await step(noShow, "confirm", customer.access)).status).toBe(200);
    await startNow(noShow);
    expect((await step(noShow, "cancel", customer.access)).status).toBe(200);

    const mine = await myReputation(p.user.access);
    expect(mine.inputs).toMatchObject({
      requests: 4,
      accepted: 3,
      responses: 4,
      late_cancels: 1,
      no_shows: 1,
      completed_jobs: 1,
    });
    expect(mine.reliability).toMatchObject({
      acceptance_rate: { value: 0.75, n: 4 },
      cancel_rate: { value: 0.667, n: 3 },
      completed_jobs: 1,
    });
    expect((mine.reliability as { median_response_minutes: { n: number } }).median_response_minutes.n).toBe(4);
    const profile = await call(`/provider/providers/${p.providerId}`);
    expect(profile.body.reliability).toEqual(mine.reliability);
    expect((await call("/provider/providers/me/reputation", { token: customer.access })).status).toBe(404);
    expect((await call("/provider/providers/me/reputation")).status).toBe(401);
  });

  it("counts confirmed contact-sharing violations from chat, at weight 0 for now", async () => {
    const b = await completedBooking();
    const before = await myReputation(b.p.user.access);
    const admin = await loginAdmin();
    const [found] = await sql<{ id: string }>(
      `INSERT INTO chat_cases (booking_id, status, resolution, resolved_by, resolved_at)
       VALUES ($1, 'resolved', 'warn', $2, now()) RETURNING id`,
      [b.id, admin.userId],
    );
    await sql(
      "INSERT INTO chat_reports (case_id, booking_id, kind, subject_id, seq) VALUES ($1, $2, 'contact_sharing', $3, 1)",
      [found?.id, b.id, b.p.user.userId],
    );
    await sql(
      `INSERT INTO admin_audit (admin_id, action, target_type, target_id, meta)
       VALUES ($1, 'chat.case.warn', 'chat_case', $2, jsonb_build_object('subject_id', $3::bigint))`,
      [admin.userId, String(found?.id), b.p.user.userId],
    );
    const after = await myReputation(b.p.user.access);
    expect(after.inputs).toMatchObject({ contact_violations: 1 });
    expect((after.parts as Record<string, { value: number; points: number }>).violations).toMatchObject({
      value: 0.3333,
    });
    expect(after.trust_score).toBe(before.trust_score);
  });

  it("computes a score again when a booking step changes its inputs (the cron's catch-up)", async () => {
    const p = await makeProvider();
    const clean = async () => {
      for (let i = 0; i < 5; i++) {
        await refreshReputation(env);
        if ((await sql("SELECT 1 FROM reputation_dirty WHERE provider_id = $1", [p.providerId])).length === 0) return;
      }
      throw new Error("still dirty");
    };
    await clean();
    const inputs = async () =>
      (await sql<{ inputs: Json }>("SELECT inputs FROM provider_reputation WHERE provider_id = $1", [p.providerId]))[0]
        ?.inputs;
    expect(await inputs()).toMatchObject({ requests: 0 });
    const customer = await login();
    const created = await call("/booking/bookings", {
      method: "POST",
      token: customer.access,
      headers: { "idempotency-key": crypto.randomUUID() },
      body: { provider_id: p.providerId, service_type: "driver", ...window(30, 1) },
    });
    await call(`/booking/bookings/${created.body.id}/decline`, { method: "POST", token: p.user.access });
    // The decline marked the provider in its own statement; the next run picks it up.
    expect(await sql("SELECT 1 FROM reputation_dirty WHERE provider_id = $1", [p.providerId])).toHaveLength(1);
    await clean();
    expect(await inputs()).toMatchObject({ requests: 1, accepted: 0, responses: 1 });
  });
});

describe("search reflects new aggregates at once", () => {
  it("drops cached searches around a provider whose review was just published", async () => {
    const c = isolated();
    const b = await completedBooking({ p: await makeProvider(c) });
    const q = { ...c };
    expect((await search(q, "rating")).headers.get("x-cache")).toBe("MISS");
    const cached = await search(q, "rating");
    expect(cached.headers.get("x-cache")).toBe("HIT");
    expect(items(cached)[0]).toMatchObject({ rating: 4.5, rating_count: 10 });
    expect((await review(b.customer.access, b.id, { rating: 5 })).status).toBe(201);
    expect((await review(b.p.user.access, b.id, { rating: 5 })).status).toBe(201);
    // Dropped right after the answer (not left to the cache's 60 s): the next search is a MISS with the new rating.
    const fresh = await eventually(
      () => search(q, "rating"),
      (r) => items(r)[0]?.rating === 4.09,
      2_000,
    );
    expect(items(fresh)[0]).toMatchObject({ rating: 4.09, rating_count: 1 });
  });
});

describe("review events", () => {
  const events = async (bookingId: number) =>
    (
      await sql<{ payload: unknown; published_at: string | null }>(
        "SELECT payload, published_at FROM outbox WHERE (payload->>'booking_id')::bigint = $1 ORDER BY id",
        [bookingId],
      )
    ).map((r) => ({ ...ReviewEventMessage.parse(r.payload), sent: r.published_at !== null }));

  it("asks both sides after completion, reminds the one left before the window closes, and announces publication", async () => {
    const b = await completedBooking();
    await sweepReviews(env);
    await sweepReviews(env);
    const asked = await events(b.id);
    expect(asked.map((e) => [e.type, e.to, e.sent])).toEqual([["review.requested", ["customer", "provider"], true]]);
    expect(asked[0]).toMatchObject({ customer_id: b.customer.userId, provider_user_id: b.p.user.userId });

    expect((await review(b.customer.access, b.id, { rating: 4 })).status).toBe(201);
    await windowClosesIn(b.id, 3600); // inside REVIEW_REMINDER_BEFORE_H (48 h)
    await sweepReviews(env);
    await sweepReviews(env);
    const reminded = (await events(b.id)).filter((e) => e.type === "review.reminder");
    expect(reminded.map((e) => [e.to, e.sent])).toEqual([[["provider"], true]]);

    const second = await review(b.p.user.access, b.id, { rating: 5 });
    expect(second.status).toBe(201);
    const published = (
      await eventually(
        () => events(b.id),
        (all) => all.filter((e) => e.type === "review.published" && e.sent).length === 2,
      )
    ).filter((e) => e.type === "review.published");
    // Each to the party reviewed, with the stars they got.
    expect(published.map((e) => [e.to, e.meta.rating, e.sent])).toEqual(
      expect.arrayContaining([
        [["provider"], 4, true],
        [["customer"], 5, true],
      ]),
    );
    expect(published).toHaveLength(2);
  });
});
