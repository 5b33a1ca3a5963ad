import { describe, expect, it } from "vitest";
import { call, errorCode, type Json, login, makeProvider, sql, startNow, window } from "./helpers";

const create = (token: string, body: Json, key: string | null = crypto.randomUUID()) =>
  call("/booking/bookings", { method: "POST", token, body, headers: key ? { "idempotency-key": key } : {} });
const step = (token: string, id: number, action: string, headers: Record<string, string> = {}) =>
  call(`/booking/bookings/${id}/${action}`, { method: "POST", token, headers });

describe("booking lifecycle", () => {
  it("runs create, accept, confirm and complete, and audits each step in order", async () => {
    const p = await makeProvider();
    const customer = await login();
    const w = window(0, 2); // starts at the next full hour: dev policy allows it
    const created = await create(customer.access, { provider_id: p.providerId, service_type: "driver", ...w });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: "PENDING", price_poisha: 50_000, provider_id: p.providerId });
    const id = created.body.id as number;

    expect((await step(p.user.access, id, "accept")).body).toMatchObject({ status: "ACCEPTED" });
    expect((await step(customer.access, id, "confirm")).body).toMatchObject({ status: "CONFIRMED" });
    // Completing before the start time is refused.
    const early = await step(p.user.access, id, "complete");
    expect(early.status).toBe(409);
    await startNow(id);
    expect((await step(p.user.access, id, "complete")).body).toMatchObject({ status: "COMPLETED" });

    const audit = await call(`/booking/bookings/${id}/audit`, { token: customer.access });
    const entries = audit.body.entries as { action: string; from_status: string | null; to_status: string }[];
    expect(entries.map((e) => [e.action, e.from_status, e.to_status])).toEqual([
      ["created", null, "PENDING"],
      ["accept", "PENDING", "ACCEPTED"],
      ["confirm", "ACCEPTED", "CONFIRMED"],
      ["complete", "CONFIRMED", "COMPLETED"],
    ]);
    const events = await sql<{ type: string }>(
      "SELECT payload->>'type' AS type FROM outbox o WHERE (payload->>'id')::bigint = $1 ORDER BY id",
      [id],
    );
    expect(events.map((e) => e.type)).toEqual([
      "booking.created",
      "booking.accepted",
      "booking.confirmed",
      "booking.completed",
    ]);
  });

  it("creates exactly one booking when 40 customers race for one slot", async () => {
    const p = await makeProvider();
    const customers = await Promise.all(Array.from({ length: 8 }, () => login()));
    const w = window(3, 2);
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        create((customers[i % customers.length] as { access: string }).access, {
          provider_id: p.providerId,
          service_type: "driver",
          ...w,
        }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(39);
    const rows = await sql("SELECT id FROM bookings WHERE provider_id = $1", [p.providerId]);
    expect(rows).toHaveLength(1);
  });

  it("creates one booking for ten concurrent retries of one key, replaying the same answer", async () => {
    const p = await makeProvider();
    const customer = await login();
    const body = { provider_id: p.providerId, service_type: "driver", ...window(5, 1) };
    const key = `retry-${crypto.randomUUID()}`;
    const results = await Promise.all(Array.from({ length: 10 }, () => create(customer.access, body, key)));
    const ids = new Set(results.map((r) => r.body.id));
    expect(ids.size).toBe(1);
    // Replays answer the stored status and body: 201 every time, nine of them marked as replays.
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(201));
    expect(results.filter((r) => r.headers.get("idempotent-replayed") === "true")).toHaveLength(9);
    expect(await sql("SELECT id FROM bookings WHERE provider_id = $1", [p.providerId])).toHaveLength(1);
  });

  it("replays every step under its key with the stored status and body, refusals included", async () => {
    const p = await makeProvider();
    const customer = await login();
    const key = `replay-${crypto.randomUUID()}`;
    const body = { provider_id: p.providerId, service_type: "driver", ...window(11, 1) };
    const created = await create(customer.access, body, key);
    const again = await create(customer.access, body, key);
    expect([created.status, again.status]).toEqual([201, 201]);
    expect(created.headers.get("idempotent-replayed")).toBeNull();
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body).toEqual(created.body);
    const id = created.body.id as number;

    const acceptKey = { "idempotency-key": crypto.randomUUID() };
    const accepted = await step(p.user.access, id, "accept", acceptKey);
    const acceptedAgain = await step(p.user.access, id, "accept", acceptKey);
    expect([accepted.status, acceptedAgain.status]).toEqual([200, 200]);
    expect(acceptedAgain.headers.get("idempotent-replayed")).toBe("true");
    expect(acceptedAgain.body).toEqual(accepted.body);

    // A refusal is an answer too: the same key gives the same 409, marked as a replay.
    const declineKey = { "idempotency-key": crypto.randomUUID() };
    const declined = await step(p.user.access, id, "decline", declineKey);
    const declinedAgain = await step(p.user.access, id, "decline", declineKey);
    expect([declined.status, declinedAgain.status]).toEqual([409, 409]);
    expect(declinedAgain.headers.get("idempotent-replayed")).toBe("true");
    expect(declinedAgain.body.error).toMatchObject({ code: "conflict" });
  });

  it("refuses the same key with a different body with 422", async () => {
    const p = await makeProvider();
    const customer = await login();
    const key = `mismatch-${crypto.randomUUID()}`;
    expect(
      (await create(customer.access, { provider_id: p.providerId, service_type: "driver", ...window(7, 1) }, key))
        .status,
    ).toBe(201);
    const other = await create(
      customer.access,
      { provider_id: p.providerId, service_type: "driver", ...window(9, 1) },
      key,
    );
    expect(other.status).toBe(422);
    expect(errorCode(other.body)).toBe("idempotency_mismatch");
  });

  it("keeps keys per user: another user's identical key is a different request", async () => {
    const p = await makeProvider();
    const [a, b] = [await login(), await login()];
    const key = `shared-${crypto.randomUUID()}`;
    const first = await create(a.access, { provider_id: p.providerId, service_type: "driver", ...window(11, 1) }, key);
    const second = await create(b.access, { provider_id: p.providerId, service_type: "driver", ...window(13, 1) }, key);
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(first.body.id).not.toBe(second.body.id);
  });
});

describe("booking input", () => {
  it("refuses bad input with 4xx, never 5xx", async () => {
    const p = await makeProvider();
    const customer = await login();
    const base = { provider_id: p.providerId, service_type: "driver" };
    const w = window(2, 2);
    const cases: [string, Json | string, number, string | null][] = [
      ["end before start", { ...base, start_date: w.end_date, end_date: w.start_date }, 400, "x"],
      ["a past date", { ...base, start_date: "2020-01-01T09:00:00Z", end_date: "2020-01-01T10:00:00Z" }, 400, "x"],
      ["too long", { ...base, ...window(2, 80) }, 400, "x"],
      [
        "too short",
        { ...base, start_date: w.start_date, end_date: new Date(Date.parse(w.start_date) + 10 * 60_000).toISOString() },
        400,
        "x",
      ],
      ["unknown provider", { ...base, provider_id: 987654321, ...w }, 404, "x"],
      ["service not offered", { ...base, service_type: "plumber", ...w }, 400, "x"],
      ["not a date", { ...base, start_date: "tomorrow", end_date: "later" }, 400, "x"],
      ["non-JSON", "{not json", 400, "x"],
      ["missing key", { ...base, ...w }, 400, null],
    ];
    for (const [name, body, status, key] of cases) {
      const res = await create(customer.access, body as Json, key === null ? null : crypto.randomUUID());
      expect(res.status, name).toBe(status);
      expect(res.body.error, name).toBeDefined();
    }
  });

  it("refuses booking an unverified provider and booking yourself", async () => {
    const hidden = await makeProvider({ verified: false });
    const customer = await login();
    expect(
      (await create(customer.access, { provider_id: hidden.providerId, service_type: "driver", ...window(2) })).status,
    ).toBe(404);
    const p = await makeProvider();
    const self = await create(p.user.access, { provider_id: p.providerId, service_type: "driver", ...window(2) });
    expect(self.status).toBe(403);
  });

  it("refuses a window outside the weekly plan", async () => {
    const p = await makeProvider({ weekly: [{ day: "mon", start: "09:00", end: "10:00" }] });
    const customer = await login();
    const res = await create(customer.access, { provider_id: p.providerId, service_type: "driver", ...window(30, 3) });
    expect(res.status).toBe(409);
    expect((res.body.error as { message: string }).message).toContain("not available");
  });
});

describe("booking authorization", () => {
  it("shows each party only its share of the audit meta: never the provider's user id to the customer", async () => {
    const p = await makeProvider();
    const customer = await login();
    const admin = await login();
    await sql("UPDATE users SET role = 'admin' WHERE id = $1", [admin.userId]);
    const adminNow = await login(admin.phone);
    const id = (await create(customer.access, { provider_id: p.providerId, service_type: "driver", ...window(6) })).body
      .id as number;
    await step(p.user.access, id, "accept");
    const metaOf = async (token: string) =>
      ((await call(`/booking/bookings/${id}/audit`, { token })).body.entries as { meta: Json }[]).map((e) => e.meta);
    const mine = await metaOf(customer.access);
    expect(mine).toHaveLength(2);
    for (const meta of mine) {
      expect(meta).not.toHaveProperty("provider_user_id");
      expect(meta).toHaveProperty("price_poisha", 50_000);
    }
    expect((await metaOf(p.user.access))[1]).toMatchObject({ provider_user_id: p.user.userId, actor: "provider" });
    expect((await metaOf(adminNow.access))[0]).toMatchObject({ provider_user_id: p.user.userId });
  });

  it("lets the customer, the provider and an admin see a booking, and nobody else", async () => {
    const p = await makeProvider();
    const customer = await login();
    const stranger = await login();
    const admin = await login();
    await sql("UPDATE users SET role = 'admin' WHERE id = $1", [admin.userId]);
    const adminNow = await login(admin.phone);
    const id = (await create(customer.access, { provider_id: p.providerId, service_type: "driver", ...window(4) })).body
      .id as number;
    expect((await call(`/booking/bookings/${id}`, { token: customer.access })).status).toBe(200);
    expect((await call(`/booking/bookings/${id}`, { token: p.user.access })).status).toBe(200);
    expect((await call(`/booking/bookings/${id}`, { token: adminNow.access })).status).toBe(200);
    expect((await call(`/booking/bookings/${id}`, { token: stranger.access })).status).toBe(404);
    expect((await call(`/booking/bookings/${id}/audit`, { token: stranger.access })).status).toBe(404);
    expect((await call(`/booking/bookings/${id}`)).status).toBe(401);
  });

  it("lets only the right party take each step", async () => {
    const p = await makeProvider();
    const customer = await login();
    const stranger = await login();
    const id = (await create(customer.access, { provider_id: p.providerId, service_type: "driver", ...window(6) })).body
      .id as number;
    expect((await step(stranger.access, id, "accept")).status).toBe(404);
    const own = await step(customer.access, id, "accept");
    expect(own.status).toBe(403);
    expect((await step(customer.access, id, "confirm")).status).toBe(409);
    // Many HTTP clients send a JSON content type with an empty body for a bare action: that is not malformed JSON.
    const accepted = await step(p.user.access, id, "accept", {
      "content-type": "application/json",
      "content-length": "0",
    });
    expect(accepted.body.status).toBe("ACCEPTED");
    // A retried accept answers the booking as it is, not an error.
    const again = await step(p.user.access, id, "accept");
    expect(again.status).toBe(200);
    expect(again.body.status).toBe("ACCEPTED");
    expect((await step(p.user.access, id, "confirm")).status).toBe(403);
    const illegal = await step(p.user.access, id, "decline");
    expect(illegal.status).toBe(409);
    expect((illegal.body.error as { details: unknown }).details).toEqual({ kind: "state", status: "ACCEPTED" });
  });

  it("lists my bookings as customer and as provider", async () => {
    const p = await makeProvider();
    const customer = await login();
    const a = (await create(customer.access, { provider_id: p.providerId, service_type: "driver", ...window(8) })).body
      .id;
    const b = (await create(customer.access, { provider_id: p.providerId, service_type: "driver", ...window(12) })).body
      .id;
    const mine = await call("/booking/bookings?role=customer&limit=1", { token: customer.access });
    expect((mine.body.items as Json[]).map((x) => x.id)).toEqual([b]);
    const next = await call(`/booking/bookings?role=customer&limit=1&cursor=${mine.body.next_cursor}`, {
      token: customer.access,
    });
    expect((next.body.items as Json[]).map((x) => x.id)).toEqual([a]);
    const asProvider = await call("/booking/bookings?role=provider&status=PENDING", { token: p.user.access });
    expect((asProvider.body.items as Json[]).map((x) => x.id).sort()).toEqual([a, b].sort());
  });
});

describe("cancellation", () => {
  it("charges no late fee for cash (nothing is held to keep it from) and lets a cancel free the slot", async () => {
    const p = await makeProvider();
    const customer = await login();
    const w = window(2, 3);
    const id = (await create(customer.access, { provider_id: p.providerId, service_type: "driver", ...w })).body
      .id as number;
    await step(p.user.access, id, "accept");
    await step(customer.access, id, "confirm");
    const canceled = await step(customer.access, id, "cancel");
    expect(canceled.body).toMatchObject({ status: "CANCELED", canceled_by: "customer", fee_poisha: 0 });
    const again = await create(customer.access, { provider_id: p.providerId, service_type: "driver", ...w });
    expect(again.status).toBe(201);
  });
});
