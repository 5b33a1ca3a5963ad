// Matching through the gateway: creating a job request (idempotent, validated, capped), waves driven by the
// request's alarm, timeouts and declines, the first acceptance winning a booking, races for one request and for one
// provider's time, the customer's cancel, and who may see and answer what.
import { describe, expect, it } from "vitest";
import { call, errorCode, idemKey, login, sql, window } from "./helpers";
import {
  accept,
  createRequest,
  decline,
  endWave,
  offerFor,
  offersOf,
  postRequest,
  recordEvents,
  requestBody,
  requestRow,
  SERVICE,
  settled,
  spot,
  tutor,
  tutors,
  until,
  waveOut,
} from "./matching-helpers";

describe("creating a job request", () => {
  it("answers 201 SEARCHING once per Idempotency-Key: the same body replays, another body is 422, none is 400", async () => {
    const at = spot();
    await tutor(at, 300);
    const customer = await login();
    const body = requestBody(at, { max_price_poisha: 200_000, notes: "Maths, class 8" });
    const key = idemKey();
    const first = await postRequest(customer, body, key);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ status: "SEARCHING", service_type: SERVICE, booking_id: null, location: at });
    const again = await postRequest(customer, body, key);
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body.id).toBe(first.body.id);
    const other = await postRequest(customer, { ...body, notes: "Physics" }, key);
    expect(other.status).toBe(422);
    expect(errorCode(other.body)).toBe("idempotency_mismatch");
    // Two sends of one request at the same moment (a retry racing its original) make one request.
    const raced = idemKey();
    const both = await Promise.all([postRequest(customer, body, raced), postRequest(customer, body, raced)]);
    expect(both.map((r) => r.status)).toEqual([201, 201]);
    expect(both[0]?.body.id).toBe(both[1]?.body.id);
    expect(both.filter((r) => r.headers.get("idempotent-replayed") === "true")).toHaveLength(1);
    const none = await call("/booking/requests", { method: "POST", token: customer.access, body });
    expect(none.status).toBe(400);
    const [n] = await sql<{ n: number }>("SELECT count(*)::int AS n FROM job_requests WHERE customer_id = $1", [
      customer.userId,
    ]);
    expect(n?.n).toBe(2);
    expect((await call("/booking/requests", { method: "POST", headers: idemKey(), body })).status).toBe(401);
  });

  it("refuses bad input with 400 in the caller's language, and never makes a request of it", async () => {
    const customer = await login();
    const at = spot();
    const bn = { ...idemKey(), "accept-language": "bn" };
    const cases: [Record<string, unknown>, string][] = [
      [requestBody(at, { service_type: "astronaut" }), "service_type"],
      [requestBody(at, { location: { lat: 95, lng: 10 } }), "location.lat"],
      [{ ...requestBody(at), ...window(48, 2), end_date: window(40, 1).start_date }, "end_date"],
      [requestBody(at, { max_price_poisha: -5 }), "max_price_poisha"],
    ];
    for (const [body, path] of cases) {
      const res = await postRequest(customer, body, { ...bn, "idempotency-key": crypto.randomUUID() });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      const issues = (res.body.error as { details: { issues: { path: string; message: string }[] } }).details.issues;
      expect(issues.map((i) => i.path)).toContain(path);
      expect(issues[0]?.message).toMatch(/[\u0980-\u09ff]/);
    }
    const soon = await postRequest(customer, { ...requestBody(at), ...window(-1, 2) }, bn);
    expect(soon.status).toBe(400);
    expect((soon.body.error as { message: string }).message).toMatch(/[\u0980-\u09ff]/);
    const long = await postRequest(customer, { ...requestBody(at), ...window(48, 100) });
    expect(long.status).toBe(400);
    expect((long.body.error as { details: { kind: string } }).details.kind).toBe("range");
    const [n] = await sql<{ n: number }>("SELECT count(*)::int AS n FROM job_requests WHERE customer_id = $1", [
      customer.userId,
    ]);
    expect(n?.n).toBe(0);
  });

  it("lets a customer have three requests searching at once (429 after), and frees the key of the refused one", async () => {
    const at = spot();
    await tutor(at, 300);
    const customer = await login();
    for (let i = 0; i < 3; i++) await createRequest(customer, requestBody(at));
    const key = idemKey();
    const over = await postRequest(customer, requestBody(at), key);
    expect(over.status).toBe(429);
    expect(over.body.error).toMatchObject({
      code: "rate_limited",
      details: { kind: "limit", name: "open_requests_per_customer", limit: 3 },
    });
    expect(
      await sql("SELECT 1 FROM idempotency_keys WHERE user_id = $1 AND key = $2", [
        customer.userId,
        key["idempotency-key"],
      ]),
    ).toEqual([]);
  });
});

describe("waves", () => {
  it("offers the best three first, the next when the wave runs out, then NO_PROVIDER once nobody is left", async () => {
    const at = spot();
    const helpers = await tutors(at, 5);
    const customer = await login();
    const id = await createRequest(customer, requestBody(at));
    await waveOut(id, 1);
    const wave1 = await offersOf(id);
    expect(wave1.map((o) => o.provider_id)).toEqual(helpers.slice(0, 3).map((h) => h.providerId));
    const events = await recordEvents(id);
    await endWave(id);
    const after = await offersOf(id);
    expect(after.filter((o) => o.wave === 1).map((o) => o.status)).toEqual(["expired", "expired", "expired"]);
    expect(after.filter((o) => o.wave === 2).map((o) => o.provider_id)).toEqual(
      helpers.slice(3).map((h) => h.providerId),
    );
    expect(events.map((e) => [e.type, e.recipient_id])).toEqual(
      helpers.slice(3).map((h) => ["offer.created", h.user.userId]),
    );
    await endWave(id);
    expect(await requestRow(id)).toMatchObject({ status: "NO_PROVIDER", booking_id: null, wave: 2 });
    expect(events.at(-1)).toMatchObject({ type: "request.no_provider", recipient_id: customer.userId });
    const seen = await call(`/booking/requests/${id}`, { token: customer.access });
    expect(seen.body).toMatchObject({ status: "NO_PROVIDER" });
    expect(seen.body.closed_at).not.toBeNull();
  });

  it("sends the next wave at once when everyone in a wave declines, and ends NO_PROVIDER when all have", async () => {
    const at = spot();
    const helpers = await tutors(at, 4);
    const customer = await login();
    const id = await createRequest(customer, requestBody(at));
    await waveOut(id, 1);
    for (const h of helpers.slice(0, 3))
      expect((await decline(await offerFor(id, h), h.user, "busy")).status).toBe(200);
    await waveOut(id, 2);
    const fourth = helpers[3];
    if (!fourth) throw new Error("no fourth tutor");
    expect((await offersOf(id)).filter((o) => o.wave === 2).map((o) => o.provider_id)).toEqual([fourth.providerId]);
    expect((await decline(await offerFor(id, fourth), fourth.user)).status).toBe(200);
    expect(await settled(id)).toMatchObject({ status: "NO_PROVIDER" });
  });

  it("gives up when the search time is over, even with providers left to ask", async () => {
    const at = spot();
    await tutors(at, 4);
    const id = await createRequest(await login(), requestBody(at));
    await waveOut(id, 1);
    await sql("UPDATE job_requests SET search_until = now() - interval '1 second' WHERE id = $1", [id]);
    await endWave(id);
    expect(await requestRow(id)).toMatchObject({ status: "NO_PROVIDER", wave: 1 });
    expect((await offersOf(id)).map((o) => o.status)).toEqual(["expired", "expired", "expired"]);
  });

  it("answers NO_PROVIDER at once when nobody near is free", async () => {
    const id = await createRequest(await login(), requestBody(spot()));
    expect(await settled(id)).toMatchObject({ status: "NO_PROVIDER", wave: 0 });
  });

  it("asks only verified providers of the service, free for the whole window, within reach; as search finds them", async () => {
    const at = spot();
    const body = requestBody(at);
    const w = { start: body.start_date as string, end: body.end_date as string };
    const good = await tutor(at, 400);
    await tutor(at, 500, { verified: false });
    await tutor(at, 600, { weekly: [{ day: "mon", start: "00:00", end: "00:30" }] });
    await tutor(at, 8_000, { radiusKm: 3 });
    const off = await tutor(at, 700);
    await sql("INSERT INTO provider_time_off (provider_id, period) VALUES ($1, tstzrange($2, $3))", [
      off.providerId,
      w.start,
      w.end,
    ]);
    const busy = await tutor(at, 800);
    const other = await login();
    const taken = await call("/booking/bookings", {
      method: "POST",
      token: other.access,
      headers: idemKey(),
      body: { provider_id: busy.providerId, service_type: SERVICE, start_date: w.start, end_date: w.end },
    });
    expect(taken.status).toBe(201);
    // The customer's own provider profile is never offered their request.
    const self = await tutor(at, 300);
    const id = await createRequest(self.user, body);
    await waveOut(id, 1);
    expect((await offersOf(id)).map((o) => o.provider_id)).toEqual([good.providerId]);
    const q = new URLSearchParams({
      lat: String(at.lat),
      lng: String(at.lng),
      radius_km: "20",
      service_type: SERVICE,
      ...w,
    });
    const search = await call(`/search/providers?${q}`);
    const found = (search.body.items as { provider_id: number }[]).map((i) => i.provider_id).sort();
    expect(found).toEqual([good.providerId, self.providerId].sort());
  });

  it("leaves out providers whose price for the window is above the customer's ceiling", async () => {
    const at = spot();
    const cheap = await tutor(at, 900, { price: 30_000 });
    await tutor(at, 200, { price: 90_000 });
    const id = await createRequest(await login(), requestBody(at, { max_price_poisha: 60_000 }));
    await waveOut(id, 1);
    expect((await offersOf(id)).map((o) => o.provider_id)).toEqual([cheap.providerId]);
  });
});

describe("accepting an offer", () => {
  it("makes the first acceptance the request's ACCEPTED booking; the other offers are withdrawn and answer 409", async () => {
    const at = spot();
    const [p1, p2, p3] = await tutors(at, 3);
    if (!p1 || !p2 || !p3) throw new Error("three tutors");
    const customer = await login();
    const id = await createRequest(customer, requestBody(at, { notes: "Call me on 01712345678, gate 4" }));
    await waveOut(id, 1);
    const events = await recordEvents(id);
    const won = await accept(await offerFor(id, p1), p1.user);
    expect(won.status, JSON.stringify(won.body)).toBe(200);
    const bookingId = won.body.booking_id as number;
    expect(won.body).toMatchObject({
      status: "accepted",
      request_id: id,
      booking: { id: bookingId, status: "ACCEPTED" },
    });
    expect((won.body.booking as { confirm_deadline: string | null }).confirm_deadline).not.toBeNull();
    expect(await requestRow(id)).toMatchObject({ status: "MATCHED", booking_id: bookingId });
    expect((await call(`/booking/requests/${id}`, { token: customer.access })).body).toMatchObject({
      status: "MATCHED",
      booking_id: bookingId,
    });
    expect((await offersOf(id)).map((o) => o.status)).toEqual(["accepted", "withdrawn", "withdrawn"]);
    const late = await accept(await offerFor(id, p2), p2.user);
    expect(late.status).toBe(409);
    expect(late.body.error).toMatchObject({ code: "conflict", details: { kind: "state", status: "withdrawn" } });
    // Accepting again is the same answer.
    expect((await accept(await offerFor(id, p1), p1.user)).body).toMatchObject({ booking_id: bookingId });
    const audit = await call(`/booking/bookings/${bookingId}/audit`, { token: customer.access });
    expect(audit.body.entries).toEqual([
      expect.objectContaining({
        action: "created",
        from_status: null,
        to_status: "ACCEPTED",
        actor_id: p1.user.userId,
        meta: expect.objectContaining({ source: "match", request_id: id, actor: "provider" }),
      }),
    ]);
    const [stored] = await sql<{ meta: Record<string, unknown> }>("SELECT meta FROM audit_log WHERE booking_id = $1", [
      bookingId,
    ]);
    expect(stored?.meta).toMatchObject({ source: "match", request_id: id, offer_id: await offerFor(id, p1) });
    const [outbox] = await sql<{ payload: { type: string; meta: { source: string } } }>(
      "SELECT payload FROM outbox WHERE payload ->> 'id' = $1",
      [String(bookingId)],
    );
    expect(outbox?.payload).toMatchObject({ type: "booking.accepted", meta: { source: "match" } });
    expect(events.map((e) => [e.type, e.recipient_id]).sort()).toEqual(
      [
        ["request.matched", customer.userId],
        ["offer.withdrawn", p2.user.userId],
        ["offer.withdrawn", p3.user.userId],
      ].sort(),
    );
    // The customer confirms and pays as for any accepted booking.
    const confirmed = await call(`/booking/bookings/${bookingId}/confirm`, { method: "POST", token: customer.access });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.status).toBe("CONFIRMED");
  });

  it("lets exactly one of two providers accepting at the same moment win", async () => {
    const at = spot();
    const [p1, p2] = await tutors(at, 2);
    if (!p1 || !p2) throw new Error("two tutors");
    const id = await createRequest(await login(), requestBody(at));
    await waveOut(id, 1);
    const [o1, o2] = [await offerFor(id, p1), await offerFor(id, p2)];
    const answers = await Promise.all([accept(o1, p1.user), accept(o2, p2.user)]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    const winner = answers.find((a) => a.status === 200);
    const row = await requestRow(id);
    expect(row).toMatchObject({ status: "MATCHED", booking_id: winner?.body.booking_id });
    const [n] = await sql<{ n: number }>(
      "SELECT count(*)::int AS n FROM bookings WHERE provider_id = ANY($1::bigint[]) AND status <> 'CANCELED'",
      [[p1.providerId, p2.providerId]],
    );
    expect(n?.n).toBe(1);
    expect((await offersOf(id)).filter((o) => o.status === "accepted")).toHaveLength(1);
  });

  it("lets a provider holding two offers for one time win only one; the other request goes on to someone else", async () => {
    const at = spot();
    const star = await tutor(at, 100, { rating: 5 });
    const body = requestBody(at);
    const a = await createRequest(await login(), body);
    const b = await createRequest(await login(), body);
    await Promise.all([waveOut(a, 1), waveOut(b, 1)]);
    const spare = await tutor(at, 900);
    const answers = await Promise.all([
      accept(await offerFor(a, star), star.user),
      accept(await offerFor(b, star), star.user),
    ]);
    expect(answers.map((x) => x.status).sort()).toEqual([200, 409]);
    const lost = answers.find((x) => x.status === 409);
    expect(lost?.body.error).toMatchObject({ code: "conflict", details: { status: "unavailable" } });
    const [n] = await sql<{ n: number }>(
      "SELECT count(*)::int AS n FROM bookings WHERE provider_id = $1 AND status IN ('PENDING', 'ACCEPTED', 'CONFIRMED')",
      [star.providerId],
    );
    expect(n?.n).toBe(1);
    const loser = answers[0]?.status === 409 ? a : b;
    // The loser's wave had nobody else: its next wave asks the provider who was free.
    await until(
      "the next wave",
      () => offersOf(loser),
      (os) => os.some((o) => o.provider_id === spare.providerId),
    );
    expect((await offersOf(loser)).find((o) => o.provider_id === star.providerId)?.status).toBe("unavailable");
    expect((await accept(await offerFor(loser, spare), spare.user)).status).toBe(200);
    expect((await requestRow(loser)).status).toBe("MATCHED");
  });

  it("withdraws the winner's open offers for other searches at that time at once; those searches move on", async () => {
    const at = spot();
    const star = await tutor(at, 100, { rating: 5 });
    const body = requestBody(at);
    const a = await createRequest(await login(), body);
    await waveOut(a, 1);
    const b = await createRequest(await login(), body);
    await waveOut(b, 1);
    const spare = await tutor(at, 900);
    const events = await recordEvents(b);
    expect((await accept(await offerFor(a, star), star.user)).status).toBe(200);
    await until(
      "the next wave of the other search",
      () => offersOf(b),
      (os) => os.some((o) => o.provider_id === spare.providerId),
    );
    expect((await offersOf(b)).find((o) => o.provider_id === star.providerId)?.status).toBe("unavailable");
    expect(events[0]).toMatchObject({ type: "offer.withdrawn", recipient_id: star.user.userId, reason: "busy" });
  });

  it("refuses an offer declined or expired (409), and its declines and reasons stay with the platform", async () => {
    const at = spot();
    const [p1, p2] = await tutors(at, 2);
    if (!p1 || !p2) throw new Error("two tutors");
    const customer = await login();
    const id = await createRequest(customer, requestBody(at));
    await waveOut(id, 1);
    const o1 = await offerFor(id, p1);
    expect((await decline(o1, p1.user, "secret-reason-7731")).body).toMatchObject({ status: "declined" });
    expect((await decline(o1, p1.user)).status).toBe(200);
    expect((await accept(o1, p1.user)).status).toBe(409);
    await sql("UPDATE job_offers SET expires_at = now() - interval '1 second' WHERE id = $1", [await offerFor(id, p2)]);
    const expired = await accept(await offerFor(id, p2), p2.user);
    expect(expired.status).toBe(409);
    expect(expired.body.error).toMatchObject({ details: { status: "expired" } });
    const seen = JSON.stringify((await call(`/booking/requests/${id}`, { token: customer.access })).body);
    expect(seen).not.toContain("secret-reason-7731");
    expect(seen).not.toMatch(/declin/i);
    expect(seen).not.toContain(`"provider_id"`);
  });
});

describe("cancelling a request", () => {
  it("withdraws the open offers when the customer cancels mid-wave; a late accept is 409 and no wave follows", async () => {
    const at = spot();
    const helpers = await tutors(at, 4);
    const customer = await login();
    const id = await createRequest(customer, requestBody(at));
    await waveOut(id, 1);
    const events = await recordEvents(id);
    const res = await call(`/booking/requests/${id}/cancel`, { method: "POST", token: customer.access });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, status: "CANCELED" });
    expect((await call(`/booking/requests/${id}/cancel`, { method: "POST", token: customer.access })).body.status).toBe(
      "CANCELED",
    );
    expect((await offersOf(id)).map((o) => o.status)).toEqual(["withdrawn", "withdrawn", "withdrawn"]);
    expect(events.map((e) => e.type)).toEqual(["offer.withdrawn", "offer.withdrawn", "offer.withdrawn"]);
    const p1 = helpers[0];
    if (!p1) throw new Error("a tutor");
    expect((await accept(await offerFor(id, p1), p1.user)).status).toBe(409);
    await endWave(id);
    expect(await offersOf(id)).toHaveLength(3);
  });

  it("refuses to cancel a matched request (cancel its booking instead)", async () => {
    const at = spot();
    const [p1] = await tutors(at, 1);
    if (!p1) throw new Error("a tutor");
    const customer = await login();
    const id = await createRequest(customer, requestBody(at));
    await waveOut(id, 1);
    expect((await accept(await offerFor(id, p1), p1.user)).status).toBe(200);
    const res = await call(`/booking/requests/${id}/cancel`, { method: "POST", token: customer.access });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ details: { kind: "state", status: "MATCHED" } });
  });
});

describe("who sees and answers what", () => {
  it("shows a provider only their own offers, without the customer; another provider or the customer gets 404", async () => {
    const at = spot();
    const [p1, p2] = await tutors(at, 2);
    const outsider = await tutor(spot(), 100);
    if (!p1 || !p2) throw new Error("two tutors");
    const customer = await login();
    const id = await createRequest(
      customer,
      requestBody(at, { address: "House 9, Road 2", notes: "ring me: 01712345678 or rahim@example.com" }),
    );
    await waveOut(id, 1);
    const o1 = await offerFor(id, p1);
    for (const who of [p2.user, outsider.user, customer]) {
      expect((await accept(o1, who)).status).toBe(404);
      expect((await decline(o1, who)).status).toBe(404);
    }
    expect((await call(`/booking/offers/${o1}/accept`, { method: "POST" })).status).toBe(401);
    const mine = await call("/booking/offers?status=open", { token: p1.user.access });
    const items = mine.body.items as Record<string, unknown>[];
    expect(items.map((i) => i.id)).toEqual([o1]);
    const text = JSON.stringify(items[0]);
    expect(text).not.toContain("01712345678");
    expect(text).not.toContain("rahim@example.com");
    expect(text).not.toContain("House 9");
    expect(text).not.toContain(String(customer.userId));
    expect(items[0]).toMatchObject({ request_id: id, status: "open", service_type: SERVICE });
    expect((await call("/booking/offers?status=open", { token: outsider.user.access })).body.items).toEqual([]);
    expect((await call("/booking/offers", { token: customer.access })).body.items).toEqual([]);
  });

  it("shows a request to its customer only; another customer can neither see nor cancel it", async () => {
    const at = spot();
    await tutor(at, 300);
    const customer = await login();
    const id = await createRequest(customer, requestBody(at));
    const stranger = await login();
    expect((await call(`/booking/requests/${id}`, { token: stranger.access })).status).toBe(404);
    expect((await call(`/booking/requests/${id}/cancel`, { method: "POST", token: stranger.access })).status).toBe(404);
    expect((await call(`/booking/requests/${id}`)).status).toBe(401);
    expect((await call("/booking/requests/999999999", { token: customer.access })).status).toBe(404);
    expect((await requestRow(id)).status).toBe("SEARCHING");
  });
});
