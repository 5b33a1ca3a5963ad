// The marketplace journey through Stoplight Prism's validating proxy (`prism proxy docs/openapi.json <gateway>
// --errors`) in front of the real gateway under `wrangler dev`: the typed client signs a customer and a provider in
// by SMS code, the provider sets up shop, the customer finds and books them, and the bookings are accepted, paid by
// card and by bKash, completed and canceled; then refresh and logout. With --errors Prism refuses a request the
// document does not allow and replaces an answer that breaks it by a 500 of its own, listing what it found in
// `sl-violations`; so every exchange must come back with the status the step expects and no `sl-violations`, and a
// few reads are repeated straight at the gateway to show that Prism passed its status through unchanged.
// What no endpoint does stands in as SQL: the KYC review's outcome (verified) and the booking's start moving into the
// past (a provider completes from the start time on). The error cases are in errors.test.ts.
import { describe, expect, it } from "vitest";
import { ALWAYS } from "../../lib/availability";
import {
  contractClient,
  type Exchange,
  freshPhone,
  printPrismOnFailure,
  send,
  smsCode,
  sql,
  window,
} from "./lib/exchange";

type Client = ReturnType<typeof contractClient>;

/** Every exchange so far passed Prism clean: no violation listed, and no answer Prism made up itself. */
function expectClean(...clients: Client[]) {
  const seen: Exchange[] = clients.flatMap((c) => c.exchanges);
  expect(seen.length).toBeGreaterThan(0);
  const flagged = seen
    .filter((e) => e.violations.length > 0 || e.headers.get("content-type")?.includes("application/problem+json"))
    .map((e) => ({ call: `${e.method} ${e.path} -> ${e.status}`, violations: e.violations, body: e.json }));
  expect(flagged).toEqual([]);
}

async function signIn({ kormo }: Client, phone = freshPhone()) {
  const asked = await kormo.requestOtp(phone);
  expect(asked.response.status).toBe(202);
  const verified = await kormo.verifyOtp(phone, await smsCode(phone));
  expect(verified.response.status).toBe(200);
  if (!verified.data) throw new Error(`login failed: ${JSON.stringify(verified.error)}`);
  return verified.data;
}

/** A random spot far from everything else, so search finds this provider. */
const isolatedCenter = () => ({ lat: 21 + Math.random() * 4, lng: 88.5 + Math.random() * 3 });

describe("the journey through Prism's validating proxy", () => {
  printPrismOnFailure();
  const customer = contractClient();
  const provider = contractClient();
  const at = isolatedCenter();
  let providerId = 0;
  const pathId = (id: number) => ({ path: { id } });

  async function book(payment: Record<string, string>, hoursAhead: number) {
    const created = await customer.kormo.raw.POST("/booking/bookings", {
      body: {
        provider_id: providerId,
        service_type: "driver",
        ...(payment as { payment_method: "cash" }),
        ...window(hoursAhead, 2),
      },
    });
    expect(created.response.status).toBe(201);
    if (!created.data) throw new Error(`booking failed: ${JSON.stringify(created.error)}`);
    return created.data.id;
  }

  async function accept(id: number) {
    const res = await provider.kormo.raw.POST("/booking/bookings/{id}/accept", { params: pathId(id) });
    expect(res.response.status).toBe(200);
    expect(res.data?.status).toBe("ACCEPTED");
  }

  it("signs a customer and a future provider in with the code the SMS brought", async () => {
    const me = await signIn(customer);
    expect(me.user.role).toBe("customer");
    await signIn(provider);
    const whoami = await customer.kormo.raw.GET("/auth/whoami");
    expect(whoami.data?.user_id).toBe(me.user.id);
    expect((await customer.kormo.raw.GET("/auth/sessions")).response.status).toBe(200);
    expect((await customer.kormo.raw.GET("/auth/me")).response.status).toBe(200);
    expectClean(customer, provider);
  });

  it("makes the provider: profile, weekly plan, verified, a refresh for the new role", async () => {
    expect((await provider.kormo.raw.GET("/provider/services")).response.status).toBe(200);
    const created = await provider.kormo.raw.POST("/provider/providers", {
      body: {
        display_name: "Contract Driver",
        bio: "Drives through Prism.",
        languages: ["bn", "en"],
        services: [{ service_type: "driver", price_poisha: 25_000, unit: "hour" }],
        location: at,
        service_radius_km: 20,
        area: { division: "Khulna", district: "Khulna", area: "Sonadanga" },
      },
    });
    expect(created.response.status).toBe(201);
    providerId = created.data?.id ?? 0;
    // The token says "customer" until it is renewed: refresh, signed by the device key (DPoP).
    expect(await provider.kormo.refresh()).toBe(true);
    expect((await provider.kormo.session())?.refreshToken).toMatch(/^kmr_/);
    const plan = await provider.kormo.raw.PUT("/provider/providers/me/availability", {
      body: { weekly: ALWAYS, time_off: [] },
    });
    expect(plan.response.status).toBe(200);
    // The KYC review's outcome (its uploads and admin approval are covered by the route tests).
    await sql("UPDATE providers SET verification_status = 'verified' WHERE id = $1", [providerId]);
    expect((await provider.kormo.raw.GET("/provider/providers/me")).data?.verification_status).toBe("verified");
    const profile = await customer.kormo.raw.GET("/provider/providers/{id}", { params: pathId(providerId) });
    expect(profile.response.status).toBe(200);
    const free = await customer.kormo.raw.GET("/provider/providers/{id}/availability", {
      params: { ...pathId(providerId), query: { from: window(24).start_date } },
    });
    expect(free.response.status).toBe(200);
    expectClean(customer, provider);
  });

  it("finds the provider, and the gateway itself answers the same", async () => {
    const query = { lat: at.lat, lng: at.lng, radius_km: 10, service_type: "driver" } as const;
    const found = await customer.kormo.raw.GET("/search/providers", { params: { query } });
    expect(found.response.status).toBe(200);
    expect(found.data?.items.find((i) => i.provider_id === providerId)).toMatchObject({ verified: true });
    const qs = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]));
    const direct = await send("gateway", `/search/providers?${qs}`);
    expect(direct.status).toBe(found.response.status);
    expect((direct.json as { items: { provider_id: number }[] }).items.map((i) => i.provider_id)).toEqual(
      found.data?.items.map((i) => i.provider_id),
    );
    expectClean(customer);
  });

  it("books, accepts, confirms by card and completes", async () => {
    const id = await book({ payment_method: "card", payment_method_id: "pm_card_visa" }, 48);
    await accept(id);
    const confirmed = await customer.kormo.raw.POST("/booking/bookings/{id}/confirm", { params: pathId(id) });
    expect(confirmed.response.status).toBe(200);
    expect(confirmed.data).toMatchObject({ status: "CONFIRMED", payment: { gateway: "stripe", status: "authorized" } });
    // A provider completes from the start time on.
    await sql(
      "UPDATE bookings SET start_date = now() - interval '1 minute', end_date = now() + interval '1 hour' WHERE id = $1",
      [id],
    );
    const completed = await provider.kormo.raw.POST("/booking/bookings/{id}/complete", { params: pathId(id) });
    expect(completed.response.status).toBe(200);
    expect(completed.data?.payment).toMatchObject({ status: "captured" });
    const read = await customer.kormo.raw.GET("/booking/bookings/{id}", { params: pathId(id) });
    expect(read.data?.status).toBe("COMPLETED");
    const token = (await customer.kormo.session())?.accessToken;
    expect((await send("gateway", `/booking/bookings/${id}`, { token })).status).toBe(read.response.status);
    expect((await provider.kormo.raw.GET("/booking/bookings/{id}/audit", { params: pathId(id) })).response.status).toBe(
      200,
    );
    expectClean(customer, provider);
  });

  it("confirms by bKash: the wallet's redirect, then its callback through Prism", async () => {
    const id = await book({ payment_method: "bkash" }, 72);
    await accept(id);
    const started = await customer.kormo.raw.POST("/booking/bookings/{id}/confirm", { params: pathId(id) });
    expect(started.response.status).toBe(202);
    const redirect = started.data?.payment?.redirect_url ?? "";
    const atWallet = await fetch(redirect, { redirect: "manual" });
    expect(atWallet.status).toBe(302);
    const back = new URL(atWallet.headers.get("location") ?? "");
    expect(back.pathname).toBe("/payments/callbacks/bkash");
    const done = await customer.kormo.raw.GET("/payments/callbacks/bkash", {
      params: {
        query: { paymentID: back.searchParams.get("paymentID") ?? "", status: back.searchParams.get("status") ?? "" },
      },
    });
    expect(done.response.status).toBe(200);
    expect(done.data).toEqual({ booking_id: id, status: "CONFIRMED", outcome: "confirmed" });
    expectClean(customer, provider);
  });

  it("cancels a cash booking and lists the customer's bookings", async () => {
    const id = await book({ payment_method: "cash" }, 96);
    const canceled = await customer.kormo.raw.POST("/booking/bookings/{id}/cancel", {
      params: pathId(id),
      body: { reason: "plans changed" },
    });
    expect(canceled.response.status).toBe(200);
    expect(canceled.data?.status).toBe("CANCELED");
    const mine = await customer.kormo.raw.GET("/booking/bookings", { params: { query: { role: "customer" } } });
    expect(mine.data?.items).toHaveLength(3);
    expectClean(customer);
  });

  it("refreshes with rotation, then logs out", async () => {
    const before = await customer.kormo.session();
    expect(await customer.kormo.refresh()).toBe(true);
    expect((await customer.kormo.session())?.refreshToken).not.toBe(before?.refreshToken);
    const out = await customer.kormo.logout();
    expect(out.response.status).toBe(200);
    expect(out.data).toEqual({ revoked: 1 });
    // The ended session's refresh token is refused by the gateway itself.
    const spent = await send("gateway", "/auth/token/refresh", {
      method: "POST",
      token: before?.refreshToken,
    });
    expect(spent.status).toBe(401);
    expectClean(customer);
  });
});
