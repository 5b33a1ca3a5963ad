// The public side of reviews and what keeps them honest: the provider's public list, the provider's reply, reports by
// either party, and admins hiding (kept, audited, aggregates recomputed) or keeping a review.
import { describe, expect, it } from "vitest";
import { call, type Json, login, loginAdmin, makeProvider, sql } from "./helpers";
import { type Completed, completedBooking, eventually, review } from "./review-fixtures";

/** A booking both sides reviewed: the customer's review (`stars`, `text`) is published. */
async function published(opts: Parameters<typeof completedBooking>[0] = {}, stars = 5, text = "Very good.") {
  const b = await completedBooking(opts);
  const mine = await review(b.customer.access, b.id, { rating: stars, text });
  expect(mine.status).toBe(201);
  expect((await review(b.p.user.access, b.id, { rating: 4 })).status).toBe(201);
  return { ...b, reviewId: mine.body.id as number };
}

const reply = (token: string | undefined, id: number, text: string) =>
  call(`/provider/reviews/${id}/reply`, { method: "POST", token, body: { text } });
const report = (token: string | undefined, id: number, reason = "Not about my job.") =>
  call(`/provider/reviews/${id}/report`, { method: "POST", token, body: { reason } });
const moderate = (token: string | undefined, id: number, body: Json) =>
  call(`/provider/reviews/${id}/moderate`, { method: "POST", token, body });
const listOf = (providerId: number, q = "") => call(`/provider/providers/${providerId}/reviews${q}`);

describe("a provider's public reviews", () => {
  it("lists published reviews newest first, by first name and area only, a page at a time", async () => {
    const p = await makeProvider();
    await sql("UPDATE providers SET area = 'Banani' WHERE id = $1", [p.providerId]);
    const customer = await login();
    await sql("UPDATE users SET name = 'Nusrat Jahan Chowdhury' WHERE id = $1", [customer.userId]);
    const done: Completed[] = [];
    for (let i = 0; i < 3; i++) done.push(await published({ p, customer }, 3 + i, `Job ${i}`));
    // A fourth, still blind: not listed.
    const blind = await completedBooking({ p, customer });
    expect((await review(customer.access, blind.id, { rating: 1 })).status).toBe(201);

    const first = await listOf(p.providerId, "?limit=2");
    expect(first.status).toBe(200);
    expect(first.headers.get("cache-control")).toContain("public");
    const items = first.body.items as Json[];
    expect(items.map((i) => i.text)).toEqual(["Job 2", "Job 1"]);
    expect(items[0]).toMatchObject({ rating: 5, reviewer: { first_name: "Nusrat", area: "Banani" }, reply: null });
    expect(JSON.stringify(first.body)).not.toContain("Chowdhury");
    expect(JSON.stringify(first.body)).not.toContain(customer.phone);
    const second = await listOf(p.providerId, `?limit=2&cursor=${first.body.next_cursor}`);
    expect((second.body.items as Json[]).map((i) => i.text)).toEqual(["Job 0"]);
    expect(second.body.next_cursor).toBeNull();
    const other = await makeProvider();
    expect((await listOf(other.providerId, `?cursor=${first.body.next_cursor}`)).status).toBe(400);
    const unverified = await makeProvider({ verified: false });
    expect((await listOf(unverified.providerId)).status).toBe(404);
    expect((await listOf(999_999_999)).status).toBe(404);
  });

  it("shows the new rating, its sample size and the reliability figures on the public profile", async () => {
    const b = await published({}, 5);
    // The rating moved with the publication; the figures follow right after the answer.
    const profile = await eventually(
      () => call(`/provider/providers/${b.p.providerId}`),
      (r) => (r.body.reliability as { completed_jobs: number }).completed_jobs === 1,
    );
    expect(profile.status).toBe(200);
    expect(profile.body).toMatchObject({
      rating: 4.09,
      rating_count: 1,
      reliability: {
        acceptance_rate: { value: 1, n: 1 },
        cancel_rate: { value: 0, n: 1 },
        completed_jobs: 1,
      },
    });
    expect((profile.body.reliability as { median_response_minutes: { n: number } }).median_response_minutes.n).toBe(1);
  });
});

describe("the provider's reply", () => {
  it("is written once by the provider reviewed, edited within 48 hours, and refused after", async () => {
    const b = await published();
    const first = await reply(b.p.user.access, b.reviewId, "Thank you! Call 01812345678 next time.");
    expect(first.status).toBe(200);
    const r1 = first.body.reply as { text: string; created_at: string; edited_at: string | null };
    expect(r1.text).not.toContain("01812345678");
    expect(r1.edited_at).toBeNull();
    const edited = await reply(b.p.user.access, b.reviewId, "Thank you for the kind words.");
    expect(edited.body.reply).toMatchObject({ text: "Thank you for the kind words.", created_at: r1.created_at });
    expect((edited.body.reply as { edited_at: string | null }).edited_at).not.toBeNull();
    const list = await listOf(b.p.providerId);
    expect((list.body.items as Json[])[0]?.reply).toMatchObject({ text: "Thank you for the kind words." });
    await sql("UPDATE reviews SET reply_at = now() - interval '49 hours' WHERE id = $1", [b.reviewId]);
    const late = await reply(b.p.user.access, b.reviewId, "Edited again.");
    expect(late.status).toBe(409);
    expect((late.body.error as { message: string }).message).toContain("The time to edit this reply has ended");
  });

  it("is the reviewed provider's alone (the authorization matrix)", async () => {
    const b = await published();
    const stranger = await login();
    const admin = await loginAdmin();
    expect((await reply(undefined, b.reviewId, "Hi")).status).toBe(401);
    expect((await reply(b.customer.access, b.reviewId, "Hi")).status).toBe(403);
    expect((await reply(stranger.access, b.reviewId, "Hi")).status).toBe(403);
    expect((await reply(admin.access, b.reviewId, "Hi")).status).toBe(403);
    expect((await reply(b.p.user.access, 999_999_999, "Hi")).status).toBe(404);
    expect((await reply(b.p.user.access, b.reviewId, "")).status).toBe(400);
    // The provider's own review of the customer takes no reply, and a blind review cannot be answered yet.
    const [own] = await sql<{ id: string }>(
      "SELECT id FROM reviews WHERE booking_id = $1 AND author_role = 'provider'",
      [b.id],
    );
    expect((await reply(b.p.user.access, Number(own?.id), "Hi")).status).toBe(403);
    const blind = await completedBooking({ p: b.p });
    const unseen = await review(blind.customer.access, blind.id, { rating: 2 });
    expect((await reply(b.p.user.access, unseen.body.id as number, "Hi")).status).toBe(409);
    expect((await reply(stranger.access, unseen.body.id as number, "Hi")).status).toBe(404);
  });
});

describe("moderation", () => {
  it("takes a report from either party once, and lets an admin hide the review: kept, audited, no longer counted", async () => {
    const b = await published({}, 1, "Terrible.");
    const stranger = await login();
    expect((await report(stranger.access, b.reviewId)).status).toBe(403);
    expect((await report(undefined, b.reviewId)).status).toBe(401);
    const first = await report(b.p.user.access, b.reviewId);
    expect(first.status).toBe(200);
    const again = await report(b.p.user.access, b.reviewId, "Another reason");
    expect(again.body).toEqual(first.body);
    expect((await report(b.customer.access, b.reviewId)).status).toBe(200);

    const admin = await loginAdmin();
    const queue = await call("/provider/reviews/moderation", { token: admin.access });
    const item = (queue.body.items as { review: { id: number }; reports: unknown[] }[]).find(
      (i) => i.review.id === b.reviewId,
    );
    expect(item?.reports).toHaveLength(2);
    expect((await call("/provider/reviews/moderation", { token: b.p.user.access })).status).toBe(403);
    expect((await moderate(b.p.user.access, b.reviewId, { decision: "hide", reason: "x" })).status).toBe(403);
    expect((await moderate(admin.access, b.reviewId, { decision: "hide" })).status).toBe(400);

    const before = await sql<{ rating_count: number }>("SELECT rating_count FROM providers WHERE id = $1", [
      b.p.providerId,
    ]);
    expect(before[0]?.rating_count).toBe(1);
    const hidden = await moderate(admin.access, b.reviewId, { decision: "hide", reason: "Abusive language." });
    expect(hidden.status).toBe(200);
    expect(hidden.body).toMatchObject({ id: b.reviewId, hidden: true });
    // Again: the same answer, one audit entry.
    expect((await moderate(admin.access, b.reviewId, { decision: "hide", reason: "Abusive language." })).status).toBe(
      200,
    );
    // Aggregates back to the prior, in the same transaction; gone from the public list; still in the database.
    expect(await sql("SELECT rating_avg, rating_count FROM providers WHERE id = $1", [b.p.providerId])).toEqual([
      { rating_avg: "4.00", rating_count: 0 },
    ]);
    expect((await listOf(b.p.providerId)).body.items).toEqual([]);
    expect(await sql("SELECT hidden_reason FROM reviews WHERE id = $1", [b.reviewId])).toEqual([
      { hidden_reason: "Abusive language." },
    ]);
    const trail = await sql<{ action: string; target_id: string }>(
      "SELECT action, target_id FROM admin_audit WHERE admin_id = $1 ORDER BY id",
      [admin.userId],
    );
    expect(trail).toEqual([{ action: "review.hide", target_id: String(b.reviewId) }]);
    // Kept, never deleted: the database refuses.
    const deleted = await sql("DELETE FROM reviews WHERE id = $1", [b.reviewId]).catch(
      (e: { code?: string }) => e.code,
    );
    expect(deleted).toBe("42501");
    // The party reviewed no longer sees it; its author does, marked hidden.
    const providerView = await call(`/booking/bookings/${b.id}/reviews`, { token: b.p.user.access });
    expect(providerView.body.customer_review).toBeNull();
    const authorView = await call(`/booking/bookings/${b.id}/reviews`, { token: b.customer.access });
    expect(authorView.body.customer_review).toMatchObject({ hidden: true });
    const listed = await call("/provider/reviews/moderation", { token: admin.access });
    expect((listed.body.items as { review: { id: number } }[]).some((i) => i.review.id === b.reviewId)).toBe(false);
  });

  it("keeps a reported review when an admin decides so, until someone reports it again", async () => {
    const b = await published({}, 4);
    expect((await report(b.p.user.access, b.reviewId)).status).toBe(200);
    const admin = await loginAdmin();
    const kept = await moderate(admin.access, b.reviewId, { decision: "keep" });
    expect(kept.status).toBe(200);
    expect(kept.body).toMatchObject({ hidden: false });
    const queued = async () =>
      (
        (await call("/provider/reviews/moderation", { token: admin.access })).body.items as { review: { id: number } }[]
      ).some((i) => i.review.id === b.reviewId);
    expect(await queued()).toBe(false);
    expect((await report(b.customer.access, b.reviewId)).status).toBe(200);
    expect(await queued()).toBe(true);
    expect((await moderate(admin.access, 999_999_999, { decision: "keep" })).status).toBe(404);
    const blind = await completedBooking();
    const unseen = await review(blind.customer.access, blind.id, { rating: 3 });
    expect((await moderate(admin.access, unseen.body.id as number, { decision: "hide", reason: "x" })).status).toBe(
      409,
    );
  });
});
