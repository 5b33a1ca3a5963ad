// The typed client (clients/typescript) driving the gateway under test: OTP login with a DPoP-bound device key,
// search, the booking steps paid by card and by bKash, refresh with rotation, Idempotency-Keys and logout.
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createKormoClient, dpopProof, type KormoClient, type Lang } from "../../../clients/typescript/src";
import { call, freshPhone, makeProvider, plantCode, startNow, window } from "./helpers";

const BASE = "http://api.test";
const bkashSim = new URL(String(env.BKASH_API_URL)).origin;

interface Sent {
  method: string;
  path: string;
  key: string | null;
  auth: string | null;
  dpop: string | null;
}

type Forward = (request: Request) => Promise<Response>;

/**
 * A client on the worker under test that records every request it sends. Each has its own address, as phones do,
 * so per-IP limits stay per test. `intercept` may stand between the client and the worker (to lose an answer).
 */
function journeyClient(
  opts: { lang?: Lang; intercept?: (request: Request, forward: Forward) => Promise<Response> } = {},
) {
  const sent: Sent[] = [];
  const ip = `198.18.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
  const forward: Forward = (request) => {
    const headers = new Headers(request.headers);
    headers.set("cf-connecting-ip", ip);
    return exports.default.fetch(new Request(request, { headers }));
  };
  const kormo = createKormoClient({
    baseUrl: BASE,
    lang: opts.lang,
    retry: { delayMs: 0 },
    fetch: (request) => {
      const h = request.headers;
      sent.push({
        method: request.method,
        path: new URL(request.url).pathname,
        key: h.get("idempotency-key"),
        auth: h.get("authorization"),
        dpop: h.get("dpop"),
      });
      return opts.intercept ? opts.intercept(request, forward) : forward(request);
    },
  });
  return {
    kormo,
    sent,
    to: (method: string, path: string) => sent.filter((s) => s.method === method && s.path === path),
  };
}

/** The login a phone does: ask for a code, receive it (planted, standing in for the SMS), and verify it. */
async function signIn(kormo: KormoClient, phone = freshPhone()) {
  const asked = await kormo.requestOtp(phone);
  expect(asked.response.status).toBe(202);
  expect(asked.data?.status).toBe("sent");
  const verified = await kormo.verifyOtp(phone, await plantCode(phone));
  expect(verified.response.status).toBe(200);
  if (!verified.data) throw new Error(`login failed: ${JSON.stringify(verified.error)}`);
  return verified.data;
}

/** A random spot far from other tests' providers, so search finds ours. */
const isolatedCenter = () => ({ lat: -35 + Math.random() * 20, lng: 100 + Math.random() * 40 });

/** A verified provider (seeded) and a customer, each signed in through their own client. */
async function marketplace() {
  const at = isolatedCenter();
  const fixture = await makeProvider(at);
  const provider = journeyClient();
  const providerLogin = await signIn(provider.kormo, fixture.user.phone);
  const customer = journeyClient();
  const customerLogin = await signIn(customer.kormo);
  return { at, providerId: fixture.providerId, provider, providerLogin, customer, customerLogin };
}

const pathId = (id: number) => ({ path: { id } });

async function book(
  kormo: KormoClient,
  providerId: number,
  hoursAhead: number,
  payment: { payment_method: "card"; payment_method_id: string } | { payment_method: "bkash" | "cash" },
) {
  const created = await kormo.raw.POST("/booking/bookings", {
    body: { provider_id: providerId, service_type: "driver", ...payment, ...window(hoursAhead, 2) },
  });
  expect(created.response.status).toBe(201);
  if (!created.data) throw new Error(`booking failed: ${JSON.stringify(created.error)}`);
  return created.data;
}

async function accepted(kormo: KormoClient, id: number) {
  const res = await kormo.raw.POST("/booking/bookings/{id}/accept", { params: pathId(id) });
  expect(res.response.status).toBe(200);
  expect(res.data?.status).toBe("ACCEPTED");
  return res.data;
}

describe("the typed client against the gateway", () => {
  it("signs a customer and a provider in, finds the provider, books, accepts, confirms by card and completes", async () => {
    const { at, providerId, provider, providerLogin, customer, customerLogin } = await marketplace();
    expect(providerLogin.user.role).toBe("provider");
    expect(customerLogin.user.role).toBe("customer");
    expect(customerLogin.token_type).toBe("Bearer");
    // The device key went up with the login, public half only.
    expect((await customer.kormo.session())?.deviceKey?.publicJwk).toMatchObject({ kty: "EC", crv: "P-256" });

    const found = await customer.kormo.raw.GET("/search/providers", {
      params: { query: { lat: at.lat, lng: at.lng, radius_km: 10, service_type: "driver" } },
    });
    expect(found.response.status).toBe(200);
    const hit = found.data?.items.find((i) => i.provider_id === providerId);
    expect(hit).toMatchObject({ service_type: "driver", price_poisha: 25_000, unit: "hour", verified: true });

    const booking = await book(customer.kormo, providerId, 48, {
      payment_method: "card",
      payment_method_id: "pm_card_visa",
    });
    expect(booking).toMatchObject({
      status: "PENDING",
      provider_id: providerId,
      customer_id: customerLogin.user.id,
      price_poisha: 50_000,
      payment_method: "card",
    });
    // The client keyed the create itself, with a UUID.
    expect(customer.to("POST", "/booking/bookings")[0]?.key).toMatch(/^[0-9a-f-]{36}$/);

    await accepted(provider.kormo, booking.id);
    const confirmed = await customer.kormo.raw.POST("/booking/bookings/{id}/confirm", { params: pathId(booking.id) });
    expect(confirmed.response.status).toBe(200);
    expect(confirmed.data).toMatchObject({
      status: "CONFIRMED",
      payment: { gateway: "stripe", status: "authorized", amount_poisha: 50_000 },
    });

    await startNow(booking.id);
    const completed = await provider.kormo.raw.POST("/booking/bookings/{id}/complete", {
      params: pathId(booking.id),
    });
    expect(completed.response.status).toBe(200);
    expect(completed.data?.status).toBe("COMPLETED");
    expect(completed.data?.payment).toMatchObject({ status: "captured", captured_poisha: 50_000 });

    const mine = await customer.kormo.raw.GET("/booking/bookings", { params: { query: { role: "customer" } } });
    expect(mine.data?.items.map((b) => [b.id, b.status])).toEqual([[booking.id, "COMPLETED"]]);
    // Every step carried its own key; reads carried none.
    const keys = [...customer.sent, ...provider.sent].filter(
      (s) => s.method === "POST" && s.path.startsWith("/booking"),
    );
    expect(new Set(keys.map((s) => s.key)).size).toBe(keys.length);
    expect(customer.to("GET", "/booking/bookings")[0]?.key).toBeNull();
  });

  it("confirms a second booking by bKash: the wallet page, the verified callback, then CONFIRMED", async () => {
    const { providerId, provider, customer } = await marketplace();
    const booking = await book(customer.kormo, providerId, 72, { payment_method: "bkash" });
    await accepted(provider.kormo, booking.id);

    const started = await customer.kormo.raw.POST("/booking/bookings/{id}/confirm", { params: pathId(booking.id) });
    expect(started.response.status).toBe(202);
    expect(started.data).toMatchObject({
      status: "ACCEPTED",
      payment: { status: "requires_action", gateway: "bkash" },
    });
    const redirect = started.data?.payment?.redirect_url ?? "";
    expect(redirect.startsWith(bkashSim)).toBe(true);

    // The customer approves at the wallet, which sends the browser back to our callback.
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
    // The public callback answers no booking details: only the id, the status and the outcome.
    expect(done.data).toEqual({ booking_id: booking.id, status: "CONFIRMED", outcome: "confirmed" });

    const read = await customer.kormo.raw.GET("/booking/bookings/{id}", { params: pathId(booking.id) });
    expect(read.data).toMatchObject({ status: "CONFIRMED", payment: { gateway: "bkash", status: "authorized" } });
  });

  it("cancels a third booking under the caller's own Idempotency-Key, and a repeat replays the answer", async () => {
    const { providerId, customer } = await marketplace();
    const booking = await book(customer.kormo, providerId, 96, { payment_method: "cash" });
    const key = `cancel-${crypto.randomUUID()}`;
    const cancel = () =>
      customer.kormo.raw.POST("/booking/bookings/{id}/cancel", {
        params: { ...pathId(booking.id), header: { "idempotency-key": key } },
        body: { reason: "plans changed" },
      });
    const canceled = await cancel();
    expect(canceled.response.status).toBe(200);
    expect(canceled.data).toMatchObject({ status: "CANCELED", fee_poisha: 0, cancel_reason: "plans changed" });
    const again = await cancel();
    expect(again.response.headers.get("idempotent-replayed")).toBe("true");
    expect(again.data?.status).toBe("CANCELED");
    expect(customer.to("POST", `/booking/bookings/${booking.id}/cancel`).map((s) => s.key)).toEqual([key, key]);
  });

  it("rotates the refresh token with a DPoP proof, and the server refuses the spent one", async () => {
    const { kormo, to } = journeyClient();
    await signIn(kormo);
    const before = await kormo.session();
    expect(await kormo.refresh()).toBe(true);
    const after = await kormo.session();
    expect(after?.refreshToken).toMatch(/^kmr_/);
    expect(after?.refreshToken).not.toBe(before?.refreshToken);
    expect(after?.accessToken).not.toBe(before?.accessToken);
    const [refreshCall] = to("POST", "/auth/token/refresh");
    expect(refreshCall?.auth).toBe(`Bearer ${before?.refreshToken}`);
    expect(refreshCall?.dpop?.split(".")).toHaveLength(3);
    expect((await kormo.raw.GET("/auth/whoami")).data?.user_id).toBe(after?.user.id);

    // Even signed by the enrolled key, the spent token is refused. Straight after a rotation that reads as the
    // client racing itself, so the session lives on (refresh.test.ts covers the later reuse that ends the family).
    const key = after?.deviceKey;
    if (!key) throw new Error("the session has no device key");
    const spent = await call("/auth/token/refresh", {
      method: "POST",
      token: before?.refreshToken,
      headers: { dpop: await dpopProof(key, "POST", `${BASE}/auth/token/refresh`) },
    });
    expect(spent.status).toBe(401);
    expect(spent.body.error).toMatchObject({ code: "unauthenticated", message: expect.stringContaining("replaced") });
    expect(await kormo.refresh()).toBe(true);
    expect((await kormo.session())?.refreshToken).not.toBe(after?.refreshToken);
    // Without a proof from the device key the live token is refused too: the session really is DPoP-bound.
    const unsigned = await call("/auth/token/refresh", {
      method: "POST",
      token: (await kormo.session())?.refreshToken,
    });
    expect(unsigned.status).toBe(401);
    expect(unsigned.body.error).toMatchObject({ message: expect.stringContaining("DPoP") });
  });

  it("refreshes once for concurrent 401s and retries each request with the new token", async () => {
    const { kormo, to } = journeyClient();
    const login = await signIn(kormo);
    const session = await kormo.session();
    if (!session) throw new Error("no session");
    // An access token the server no longer takes (as after its 15 minutes).
    await kormo.storage.save({ ...session, accessToken: "expired.access.token" });
    const [a, b, c] = await Promise.all([
      kormo.raw.GET("/auth/whoami"),
      kormo.raw.GET("/auth/sessions"),
      kormo.raw.GET("/booking/bookings"),
    ]);
    expect([a.response.status, b.response.status, c.response.status]).toEqual([200, 200, 200]);
    expect(a.data?.user_id).toBe(login.user.id);
    expect(b.data?.sessions.find((s) => s.current)?.id).toBe(login.session_id);
    expect(c.data?.items).toEqual([]);
    expect(to("POST", "/auth/token/refresh")).toHaveLength(1);
    expect(to("GET", "/auth/whoami").map((s) => s.auth)).toEqual([
      "Bearer expired.access.token",
      `Bearer ${(await kormo.session())?.accessToken}`,
    ]);
  });

  it("resends a keyed request after a lost answer or a 503 under the same Idempotency-Key", async () => {
    let loseNextCreate = true;
    let failNextAccept = true;
    const { kormo: customer, to } = journeyClient({
      intercept: async (request, forward) => {
        const path = new URL(request.url).pathname;
        if (loseNextCreate && path === "/booking/bookings" && request.method === "POST") {
          loseNextCreate = false;
          await forward(request); // the server books; the answer never arrives
          throw new TypeError("network connection lost");
        }
        return forward(request);
      },
    });
    const { providerId, provider } = await (async () => {
      const fixture = await makeProvider(isolatedCenter());
      const p = journeyClient({
        intercept: async (request, forward) => {
          if (failNextAccept && new URL(request.url).pathname.endsWith("/accept")) {
            failNextAccept = false;
            return new Response('{"error":{"code":"dependency_unavailable"}}', {
              status: 503,
              headers: { "retry-after": "0", "content-type": "application/json" },
            });
          }
          return forward(request);
        },
      });
      await signIn(p.kormo, fixture.user.phone);
      return { providerId: fixture.providerId, provider: p };
    })();
    await signIn(customer);

    const created = await customer.raw.POST("/booking/bookings", {
      body: { provider_id: providerId, service_type: "driver", payment_method: "cash", ...window(30, 1) },
    });
    expect(created.response.status).toBe(201);
    expect(created.response.headers.get("idempotent-replayed")).toBe("true");
    const creates = to("POST", "/booking/bookings");
    expect(creates).toHaveLength(2);
    expect(creates[1]?.key).toBe(creates[0]?.key);
    const mine = await customer.raw.GET("/booking/bookings", { params: { query: { role: "customer" } } });
    expect(mine.data?.items.map((b) => b.id)).toEqual([created.data?.id]);

    const id = created.data?.id ?? 0;
    const acceptedRes = await provider.kormo.raw.POST("/booking/bookings/{id}/accept", { params: pathId(id) });
    expect(acceptedRes.data?.status).toBe("ACCEPTED");
    const accepts = provider.to("POST", `/booking/bookings/${id}/accept`);
    expect(accepts).toHaveLength(2);
    expect(accepts[1]?.key).toBe(accepts[0]?.key);
    // A new logical call gets a new key.
    await customer.raw.POST("/booking/bookings/{id}/cancel", { params: pathId(id) });
    expect(to("POST", `/booking/bookings/${id}/cancel`)[0]?.key).not.toBe(accepts[0]?.key);
  });

  it("logs out: the session ends at the server, the client forgets it, and its calls go without a token", async () => {
    const { kormo, to } = journeyClient();
    await signIn(kormo);
    const session = await kormo.session();
    const out = await kormo.logout();
    expect(out.response.status).toBe(200);
    expect(out.data).toEqual({ revoked: 1 });
    expect(await kormo.session()).toBeUndefined();
    expect((await call("/auth/token/refresh", { method: "POST", token: session?.refreshToken })).status).toBe(401);
    const after = await kormo.raw.GET("/auth/whoami");
    expect(after.response.status).toBe(401);
    expect(after.error?.error.code).toBe("unauthenticated");
    expect(to("GET", "/auth/whoami").map((s) => s.auth)).toEqual([null]);
    expect(await kormo.refresh()).toBe(false);
  });

  it("asks in the client's language: a Bangla client gets its errors in Bangla", async () => {
    const { kormo } = journeyClient({ lang: "bn" });
    await signIn(kormo);
    const missing = await kormo.raw.GET("/booking/bookings/{id}", { params: pathId(2_000_000_000) });
    expect(missing.response.status).toBe(404);
    expect(missing.error?.error).toMatchObject({ code: "not_found", message: "খুঁজে পাওয়া যায়নি।" });
  });
});
