// Two-sided, double-blind reviews of completed bookings: visibility in every order, one publication whatever races,
// who may review, what input is refused, and the guards against gamed reviews.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ReviewEventMessage } from "../../../lib/messages";
import { sweepReviews } from "../scheduled";
import { acceptedBooking, call, errorCode, type Json, login, loginAdmin, makeProvider, sql } from "./helpers";
import { bookingReviews, completedBooking, review, windowClosesIn } from "./review-fixtures";

type Review = { id: number; rating: number; published_at: string | null; text: string | null; redacted: boolean };
const mine = (body: Json, side: "customer" | "provider") => body[`${side}_review`] as Review | null;

/** The review.published events in the outbox for a booking, by review id. */
async function publications(bookingId: number): Promise<Map<number, number>> {
  const rows = await sql<{ payload: unknown }>(
    "SELECT payload FROM outbox WHERE payload->>'type' = 'review.published' AND (payload->>'booking_id')::bigint = $1",
    [bookingId],
  );
  const byReview = new Map<number, number>();
  for (const r of rows) {
    const e = ReviewEventMessage.parse(r.payload);
    const id = e.meta.review_id as number;
    byReview.set(id, (byReview.get(id) ?? 0) + 1);
  }
  return byReview;
}

const rating = async (providerId: number) =>
  (
    await sql<{ rating_avg: string; rating_count: number; rating_sum: number }>(
      "SELECT rating_avg, rating_count, rating_sum FROM providers WHERE id = $1",
      [providerId],
    )
  )[0];

describe("double-blind reviews", () => {
  it("keeps the customer's review from the provider until the provider writes theirs, then publishes both", async () => {
    const b = await completedBooking();
    const first = await review(b.customer.access, b.id, {
      rating: 5,
      text: "Great driver, very careful.",
      ratings: { punctuality: 5, quality: 4, behaviour: 5 },
    });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({ author_role: "customer", rating: 5, published_at: null, hidden: false });
    expect(first.body.ratings).toEqual({ punctuality: 5, quality: 4, behaviour: 5 });
    // Blind: the provider sees nothing of it, the customer sees their own; nothing is public; nothing counts yet.
    const providerView = await bookingReviews(b.p.user.access, b.id);
    expect(providerView.status).toBe(200);
    expect(mine(providerView.body, "customer")).toBeNull();
    expect(mine((await bookingReviews(b.customer.access, b.id)).body, "customer")?.id).toBe(first.body.id);
    expect((await call(`/provider/providers/${b.p.providerId}/reviews`)).body.items).toEqual([]);
    expect(await rating(b.p.providerId)).toMatchObject({ rating_avg: "4.50", rating_count: 10 });

    const second = await review(b.p.user.access, b.id, { rating: 4, text: "Polite and ready on time." });
    expect(second.status).toBe(201);
    expect(second.body.published_at).not.toBeNull();
    // Both published together, in the same statement: each sees the other's now.
    const seen = await bookingReviews(b.p.user.access, b.id);
    expect(mine(seen.body, "customer")).toMatchObject({ id: first.body.id, rating: 5 });
    expect(mine(seen.body, "customer")?.published_at).toBe(second.body.published_at);
    expect(mine((await bookingReviews(b.customer.access, b.id)).body, "provider")?.rating).toBe(4);
    expect(seen.body.window).toMatchObject({ open: false });
    // The provider's aggregates moved in the same transaction: (10 × 4 + 5) / (10 + 1) = 4.0909 → 4.09.
    expect(await rating(b.p.providerId)).toEqual({ rating_avg: "4.09", rating_count: 1, rating_sum: 5 });
    const list = await call(`/provider/providers/${b.p.providerId}/reviews`);
    expect((list.body.items as Json[]).map((i) => i.id)).toEqual([first.body.id]);
    expect([...(await publications(b.id)).values()]).toEqual([1, 1]);
  });

  it("publishes both when the provider writes first and the customer second", async () => {
    const b = await completedBooking();
    const first = await review(b.p.user.access, b.id, { rating: 3 });
    expect(first.status).toBe(201);
    expect(mine((await bookingReviews(b.customer.access, b.id)).body, "provider")).toBeNull();
    expect((await call(`/booking/bookings/${b.id}/customer-rating`, { token: b.p.user.access })).body).toMatchObject({
      rating_count: 0,
    });
    const second = await review(b.customer.access, b.id, { rating: 2 });
    expect(second.status).toBe(201);
    expect(mine((await bookingReviews(b.customer.access, b.id)).body, "provider")).toMatchObject({ rating: 3 });
    expect(mine((await bookingReviews(b.p.user.access, b.id)).body, "customer")).toMatchObject({ rating: 2 });
    expect(await rating(b.p.providerId)).toEqual({ rating_avg: "3.82", rating_count: 1, rating_sum: 2 });
  });

  it("publishes the one review written when the window closes, and refuses the other side after", async () => {
    const b = await completedBooking();
    const written = await review(b.customer.access, b.id, { rating: 4, text: "Fine." });
    expect(written.status).toBe(201);
    await windowClosesIn(b.id, 3600);
    await sweepReviews(env);
    expect(mine((await bookingReviews(b.p.user.access, b.id)).body, "customer")).toBeNull();
    await windowClosesIn(b.id, -1);
    await sweepReviews(env);
    const seen = await bookingReviews(b.p.user.access, b.id);
    expect(mine(seen.body, "customer")).toMatchObject({ id: written.body.id, rating: 4 });
    expect(mine(seen.body, "customer")?.published_at).not.toBeNull();
    expect(seen.body.window).toMatchObject({ open: false });
    const late = await review(b.p.user.access, b.id, { rating: 5 });
    expect(late.status).toBe(409);
    expect(errorCode(late.body)).toBe("conflict");
    expect((late.body.error as { message: string }).message).toBe("The time to review this booking has ended.");
    expect(await rating(b.p.providerId)).toMatchObject({ rating_avg: "4.00", rating_count: 1 });
    // The sweep that already closed it finds nothing more to publish.
    await sweepReviews(env);
    expect([...(await publications(b.id)).values()]).toEqual([1]);
  });

  it("closes a window nobody reviewed without publishing anything", async () => {
    const b = await completedBooking();
    await windowClosesIn(b.id, -5);
    await sweepReviews(env);
    const [w] = await sql<{ published_at: string | null }>(
      "SELECT published_at FROM review_windows WHERE booking_id = $1",
      [b.id],
    );
    expect(w?.published_at).not.toBeNull();
    expect((await publications(b.id)).size).toBe(0);
    expect((await review(b.customer.access, b.id, { rating: 5 })).status).toBe(409);
    expect(await rating(b.p.providerId)).toMatchObject({ rating_avg: "4.50", rating_count: 10 });
  });

  it("publishes each review exactly once when the second review races the window's timer", async () => {
    // Windows closing from 20 ms to 300 ms after the provider sends their review: the early ones close before the
    // review takes the window's lock, the late ones after, and the sweeps fire right as each closes.
    const closesIn = [0.02, 0.06, 0.1, 0.14, 0.2, 0.3];
    const runs = await Promise.all(closesIn.map(() => completedBooking()));
    for (const b of runs) expect((await review(b.customer.access, b.id, { rating: 5 })).status).toBe(201);
    const sleep = (s: number) => new Promise((r) => setTimeout(r, s * 1000));
    const outcomes = await Promise.all(
      runs.map(async (b, i) => {
        const t = closesIn[i] as number;
        await windowClosesIn(b.id, t);
        const [late] = await Promise.all([
          review(b.p.user.access, b.id, { rating: 2 }),
          sleep(t).then(() => sweepReviews(env)),
          sleep(t + 0.01).then(() => sweepReviews(env)),
          sleep(t + 0.05).then(() => sweepReviews(env)),
        ]);
        return late.status;
      }),
    );
    expect(outcomes.every((s) => s === 201 || s === 409)).toBe(true);
    await sweepReviews(env);
    for (const [i, b] of runs.entries()) {
      const reviews = await sql<{ id: string; author_role: string; published_at: string | null }>(
        "SELECT id, author_role, published_at FROM reviews WHERE booking_id = $1 ORDER BY id",
        [b.id],
      );
      // The provider's review exists exactly when it was accepted, and every review written is published once.
      expect(reviews.map((r) => r.author_role)).toEqual(outcomes[i] === 201 ? ["customer", "provider"] : ["customer"]);
      expect(reviews.every((r) => r.published_at !== null)).toBe(true);
      const events = await publications(b.id);
      expect([...events.keys()].sort()).toEqual(reviews.map((r) => Number(r.id)).sort());
      expect([...events.values()].every((n) => n === 1)).toBe(true);
      // One five-star review counted, once: (40 + 5) / 11.
      expect(await rating(b.p.providerId)).toEqual({ rating_avg: "4.09", rating_count: 1, rating_sum: 5 });
    }
  });

  it("publishes both once when the two sides write at the same moment", async () => {
    const b = await completedBooking();
    const [c, p] = await Promise.all([
      review(b.customer.access, b.id, { rating: 4 }),
      review(b.p.user.access, b.id, { rating: 5 }),
    ]);
    expect([c.status, p.status]).toEqual([201, 201]);
    const published = await sql<{ n: number }>(
      "SELECT count(*)::int AS n FROM reviews WHERE booking_id = $1 AND published_at IS NOT NULL",
      [b.id],
    );
    expect(published[0]?.n).toBe(2);
    expect([...(await publications(b.id)).values()]).toEqual([1, 1]);
    expect(await rating(b.p.providerId)).toEqual({ rating_avg: "4.00", rating_count: 1, rating_sum: 4 });
  });
});

describe("who may review, and what", () => {
  it("lets only the booking's customer and provider review it (the authorization matrix)", async () => {
    const b = await completedBooking();
    const stranger = await login();
    const otherProvider = await makeProvider();
    const admin = await loginAdmin();
    const body = { rating: 4 };
    const noToken = await call(`/booking/bookings/${b.id}/review`, {
      method: "POST",
      body,
      headers: { "idempotency-key": crypto.randomUUID() },
    });
    expect(noToken.status).toBe(401);
    expect((await review(stranger.access, b.id, body)).status).toBe(404);
    expect((await review(otherProvider.user.access, b.id, body)).status).toBe(404);
    expect((await review(admin.access, b.id, body)).status).toBe(403);
    expect((await review(b.customer.access, 999_999_999, body)).status).toBe(404);
    // Reading the booking's reviews: its parties and admins; anyone else learns nothing.
    expect((await bookingReviews(stranger.access, b.id)).status).toBe(404);
    expect((await bookingReviews(admin.access, b.id)).status).toBe(200);
    expect((await call(`/booking/bookings/${b.id}/reviews`)).status).toBe(401);
    // The customer's rating summary is the provider's (and admins') to see.
    expect((await call(`/booking/bookings/${b.id}/customer-rating`, { token: b.customer.access })).status).toBe(403);
    expect((await call(`/booking/bookings/${b.id}/customer-rating`, { token: stranger.access })).status).toBe(404);
    expect((await call(`/booking/bookings/${b.id}/customer-rating`, { token: admin.access })).status).toBe(200);
    expect((await review(b.customer.access, b.id, body)).status).toBe(201);
    expect((await review(b.p.user.access, b.id, body)).status).toBe(201);
  });

  it("gives no review to a booking that is not completed: pending, confirmed, cancelled", async () => {
    const pending = await acceptedBooking("cash");
    const accepted = await review(pending.customer.access, pending.id, { rating: 5 });
    expect(accepted.status).toBe(409);
    expect(accepted.body.error).toMatchObject({ code: "conflict", details: { kind: "state", status: "ACCEPTED" } });
    const canceled = await call(`/booking/bookings/${pending.id}/cancel`, {
      method: "POST",
      token: pending.customer.access,
    });
    expect(canceled.status).toBe(200);
    const after = await review(pending.customer.access, pending.id, { rating: 1 }, crypto.randomUUID());
    expect(after.status).toBe(409);
    expect((after.body.error as { message: string }).message).toBe("Only a completed booking can be reviewed.");
    expect(await sql("SELECT 1 FROM review_windows WHERE booking_id = $1", [pending.id])).toEqual([]);
  });

  it("takes one review per side, and replays the first answer under its key (422 for another body)", async () => {
    const b = await completedBooking();
    const key = crypto.randomUUID();
    const first = await review(b.customer.access, b.id, { rating: 4, text: "Good." }, key);
    const again = await review(b.customer.access, b.id, { rating: 4, text: "Good." }, key);
    expect([first.status, again.status]).toEqual([201, 201]);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body).toEqual(first.body);
    const mismatch = await review(b.customer.access, b.id, { rating: 1 }, key);
    expect(mismatch.status).toBe(422);
    const second = await review(b.customer.access, b.id, { rating: 1 });
    expect(second.status).toBe(409);
    expect((second.body.error as { message: string }).message).toBe("You have already reviewed this booking.");
    // Ten retries of one request at once: one review, ten identical answers.
    const c = await completedBooking();
    const k = crypto.randomUUID();
    const burst = await Promise.all(
      Array.from({ length: 10 }, () => review(c.customer.access, c.id, { rating: 5 }, k)),
    );
    expect(burst.map((r) => r.status).filter((s) => s === 201).length).toBeGreaterThanOrEqual(1);
    expect(burst.every((r) => r.status === 201 || r.status === 409)).toBe(true);
    expect(await sql("SELECT id FROM reviews WHERE booking_id = $1", [c.id])).toHaveLength(1);
    const without = await call(`/booking/bookings/${c.id}/review`, {
      method: "POST",
      token: c.p.user.access,
      body: { rating: 5 },
    });
    expect(without.status).toBe(400);
    expect((without.body.error as { message: string }).message).toContain("Idempotency-Key");
  });

  it("refuses bad input with a 400 in the caller's language, never a 500", async () => {
    const b = await completedBooking();
    const cases: [Json | string, string][] = [
      [{ rating: 0 }, "rating"],
      [{ rating: 6 }, "rating"],
      [{ rating: 4.5 }, "rating"],
      [{}, "rating"],
      [{ rating: 5, text: "x".repeat(1001) }, "text"],
      [{ rating: 5, text: "a\u0000b" }, "text"],
      [{ rating: 5, ratings: { punctuality: 9 } }, "ratings.punctuality"],
      ["not json", ""],
    ];
    for (const [body, path] of cases) {
      const res = await review(b.customer.access, b.id, body as Json);
      expect(res.status, JSON.stringify(body)).toBe(400);
      if (path) {
        const issues = (res.body.error as { details: { issues: { path: string }[] } }).details.issues;
        expect(issues.map((i) => i.path)).toContain(path);
      }
    }
    const bn = await call(`/booking/bookings/${b.id}/review`, {
      method: "POST",
      token: b.customer.access,
      body: { rating: 9 },
      headers: { "idempotency-key": crypto.randomUUID(), "accept-language": "bn" },
    });
    expect((bn.body.error as { message: string }).message).toBe("অনুরোধটি সঠিক নয়।");
    // Sub-ratings are the customer's: the provider sending them is told which field.
    const provider = await review(b.p.user.access, b.id, { rating: 4, ratings: { quality: 3 } });
    expect(provider.status).toBe(400);
    expect(provider.body.error).toMatchObject({ details: { issues: [{ path: "ratings" }] } });
    expect(await sql("SELECT id FROM reviews WHERE booking_id = $1", [b.id])).toEqual([]);
  });

  it("takes contact details out of the text before anyone else can read it", async () => {
    const b = await completedBooking();
    const res = await review(b.customer.access, b.id, { rating: 5, text: "Call him on 01712345678, he is great." });
    expect(res.status).toBe(201);
    expect(res.body.redacted).toBe(true);
    expect(res.body.text).not.toContain("01712345678");
    expect(res.body.text).toContain("[•••]");
    const [stored] = await sql<{ body: string; redactions: Record<string, number> }>(
      "SELECT body, redactions FROM reviews WHERE id = $1",
      [res.body.id],
    );
    expect(stored?.body).not.toContain("01712345678");
    expect(stored?.redactions.phone).toBe(1);
  });
});

describe("guards", () => {
  it("refuses a review between accounts that ever signed in on the same device", async () => {
    const p = await makeProvider();
    const customer = await login();
    // The provider's user signs in on the customer's phone too.
    const [device] = await sql<{ device_id: string }>("SELECT device_id FROM auth_sessions WHERE user_id = $1", [
      customer.userId,
    ]);
    await login(p.user.phone, { device_id: device?.device_id });
    const b = await completedBooking({ p, customer });
    const res = await review(customer.access, b.id, { rating: 5 });
    expect(res.status).toBe(403);
    expect((res.body.error as { message: string }).message).toBe(
      "Reviews between accounts that have used the same device are not accepted.",
    );
    expect((await review(p.user.access, b.id, { rating: 5 })).status).toBe(403);
  });

  it("refuses a review of a booking whose money was refunded in full", async () => {
    const b = await completedBooking();
    await sql("UPDATE payments SET status = 'refunded', refunded_poisha = captured_poisha WHERE booking_id = $1", [
      b.id,
    ]);
    const res = await review(b.customer.access, b.id, { rating: 1 });
    expect(res.status).toBe(409);
    expect((res.body.error as { message: string }).message).toBe(
      "This booking was refunded, so it cannot be reviewed.",
    );
  });

  it("flags a burst of reviews for one provider from new accounts, for an admin to look at", async () => {
    const p = await makeProvider();
    const jobs = [];
    for (let i = 0; i < 3; i++) jobs.push(await completedBooking({ p, customer: await login() }));
    const ids: number[] = [];
    for (const j of jobs) {
      const res = await review(j.customer.access, j.id, { rating: 5 });
      expect(res.status).toBe(201);
      ids.push(res.body.id as number);
    }
    const flags = await sql<{ id: string; flags: string[] }>(
      "SELECT id, flags FROM reviews WHERE id = ANY($1::bigint[]) ORDER BY id",
      [ids],
    );
    expect(flags.map((f) => f.flags)).toEqual([["burst"], ["burst"], ["burst"]]);
    const admin = await loginAdmin();
    const queue = await call("/provider/reviews/moderation", { token: admin.access });
    expect(queue.status).toBe(200);
    const listed = (queue.body.items as { review: { id: number }; flags: string[] }[]).filter((i) =>
      ids.includes(i.review.id),
    );
    expect(listed.map((i) => i.flags)).toEqual([["burst"], ["burst"], ["burst"]]);
  });
});
