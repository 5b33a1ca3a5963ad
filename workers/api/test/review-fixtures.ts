// Review test fixtures: bookings taken to COMPLETED through the API (as the quickstart does), bulk completed jobs
// seeded straight into Postgres for the aggregate tests, windows moved in time, and a review submission.
import {
  acceptedBooking,
  call,
  type Json,
  login,
  makeProvider,
  type ProviderFixture,
  type Session,
  sql,
  startNow,
  window,
} from "./helpers";

export interface Completed {
  p: ProviderFixture;
  customer: Session;
  id: number;
}

/** Slots ahead for fixtures that reuse one provider: each booking its own, so none overlap before they start. */
let nextSlot = 0;

/** A cash booking its provider completed: created, accepted, confirmed, started and completed through the API. */
export async function completedBooking(
  opts: { p?: ProviderFixture; customer?: Session; hoursAhead?: number } = {},
): Promise<Completed> {
  if (!opts.p && !opts.customer) {
    const b = await acceptedBooking("cash", { hoursAhead: opts.hoursAhead ?? 48 });
    return finish(b.p, b.customer, b.id);
  }
  const p = opts.p ?? (await makeProvider());
  const customer = opts.customer ?? (await login());
  const created = await call("/booking/bookings", {
    method: "POST",
    token: customer.access,
    headers: { "idempotency-key": crypto.randomUUID() },
    body: { provider_id: p.providerId, service_type: "driver", ...window(opts.hoursAhead ?? 48 + 2 * nextSlot++, 1) },
  });
  if (created.status !== 201) throw new Error(`booking failed: ${created.status} ${JSON.stringify(created.body)}`);
  const id = created.body.id as number;
  const accepted = await call(`/booking/bookings/${id}/accept`, { method: "POST", token: p.user.access });
  if (accepted.status !== 200) throw new Error(`accept failed: ${accepted.status}`);
  return finish(p, customer, id);
}

async function finish(p: ProviderFixture, customer: Session, id: number): Promise<Completed> {
  const confirmed = await call(`/booking/bookings/${id}/confirm`, { method: "POST", token: customer.access });
  if (confirmed.status !== 200) throw new Error(`confirm failed: ${confirmed.status}`);
  await startNow(id);
  const done = await call(`/booking/bookings/${id}/complete`, { method: "POST", token: p.user.access });
  if (done.status !== 200) throw new Error(`complete failed: ${done.status} ${JSON.stringify(done.body)}`);
  return { p, customer, id };
}

/** POST /booking/bookings/{id}/review with a fresh key (or the one given). */
export const review = (token: string | undefined, id: number, body: Json, key: string = crypto.randomUUID()) =>
  call(`/booking/bookings/${id}/review`, { method: "POST", token, body, headers: { "idempotency-key": key } });

/** GET /booking/bookings/{id}/reviews as someone. */
export const bookingReviews = (token: string, id: number) => call(`/booking/bookings/${id}/reviews`, { token });

/** Moves a booking's completion back so that its review window closes `inS` seconds from now (negative: closed). */
export const windowClosesIn = (bookingId: number, inS: number, windowDays = 14) =>
  sql("UPDATE review_windows SET completed_at = now() - make_interval(secs => $2::float8) WHERE booking_id = $1", [
    bookingId,
    windowDays * 86_400 - inS,
  ]);

/**
 * Completed, paid (cash, recorded as due) jobs of one provider for one customer, seeded in Postgres with their
 * review windows open, as the completing statement's trigger leaves them.
 */
export async function seededJobs(providerId: number, customerId: number, n: number): Promise<number[]> {
  const ids = await sql<{ id: string }>(
    `INSERT INTO bookings (customer_id, provider_id, service_type, start_date, end_date, status, price_poisha,
                           unit_price_poisha, unit)
     SELECT $1, $2, 'driver', now() - make_interval(hours => 1000 + 2 * g), now() - make_interval(hours => 999 + 2 * g),
            'COMPLETED', 25000, 25000, 'hour'
       FROM generate_series(1, $3) g RETURNING id`,
    [customerId, providerId, n],
  );
  const bookingIds = ids.map((r) => Number(r.id));
  await sql(
    `INSERT INTO review_windows (booking_id, provider_id, customer_id, completed_at)
     SELECT b, $2, $3, now() FROM unnest($1::bigint[]) b`,
    [bookingIds, providerId, customerId],
  );
  await sql(
    `INSERT INTO payments (booking_id, gateway, status, amount_poisha, captured_poisha)
     SELECT b, 'cash', 'captured', 25000, 25000 FROM unnest($1::bigint[]) b`,
    [bookingIds],
  );
  return bookingIds;
}

/** Unpublished customer reviews of seeded jobs, one per job with the given stars (published later by the sweep). */
export async function seededReviews(
  jobs: number[],
  stars: number[],
  authorId: number,
  subjectId: number,
  providerId: number,
) {
  await sql(
    `INSERT INTO reviews (booking_id, author_role, author_id, subject_id, provider_id, rating)
     SELECT b, 'customer', $2, $3, $4, s FROM unnest($1::bigint[], $5::int[]) AS x(b, s)`,
    [jobs, authorId, subjectId, providerId, stars],
  );
}

/** Waits for what a request leaves to run after its answer (its events, the trust score, the cached searches). */
export async function eventually<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 5_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}
