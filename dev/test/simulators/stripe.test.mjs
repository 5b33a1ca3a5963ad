// The Stripe simulator is the spec for our card adapter: holds, captures, refunds, idempotency, webhooks and outages.
import { createHmac, timingSafeEqual } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { listen, readBody } from "../../simulators/http.mjs";
import { signStripePayload, startStripeSimulator } from "../../simulators/stripe.mjs";

const KEY = "sk_test_kormo_spec";
const SECRET = "whsec_kormo_spec";

/** @type {Awaited<ReturnType<typeof startStripeSimulator>>} */
let sim;
let receiver;
/** Webhook requests as received; `refuse` makes the receiver answer 500 to that many deliveries first. */
const received = [];
let refuse = 0;

beforeAll(async () => {
  receiver = await listen(async (req, res) => {
    const body = await readBody(req);
    if (refuse > 0) {
      refuse -= 1;
      res.writeHead(500).end();
      return;
    }
    received.push({ headers: req.headers, body });
    res.writeHead(200).end();
  });
  sim = await startStripeSimulator({
    secretKey: KEY,
    webhookSecret: SECRET,
    webhookUrl: `${receiver.url}/webhooks/stripe`,
  });
});
afterAll(async () => {
  await sim?.close();
  await receiver?.close();
});
beforeEach(async () => {
  await sim.webhooksSettled();
  await fetch(`${sim.url}/__sim/reset`, { method: "POST" });
  received.length = 0;
  refuse = 0;
});

/** Stripe's bracket form encoding, as our adapter must produce it. */
function form(params, prefix = "") {
  return Object.entries(params).flatMap(([k, v]) => {
    const name = prefix ? `${prefix}[${k}]` : k;
    return typeof v === "object" ? form(v, name) : [[name, String(v)]];
  });
}

async function stripe(path, params = {}, { key = KEY, idempotencyKey, method = "POST", signal, url = sim.url } = {}) {
  const headers = { authorization: `Bearer ${key}` };
  if (idempotencyKey) headers["idempotency-key"] = idempotencyKey;
  const body = method === "POST" ? new URLSearchParams(form(params)) : undefined;
  const res = await fetch(`${url}${path}`, { method, headers, body, signal });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

/** A booking's card hold, as our adapter places it. */
const hold = (extra = {}, options = {}) =>
  stripe(
    "/v1/payment_intents",
    {
      amount: 150000,
      currency: "bdt",
      capture_method: "manual",
      confirm: true,
      payment_method: "pm_card_visa",
      metadata: { booking_id: "12" },
      ...extra,
    },
    options,
  );

async function heldIntent() {
  const { status, body } = await hold();
  expect(status).toBe(200);
  return body;
}

const simEvents = async () => (await (await fetch(`${sim.url}/__sim/events`)).json()).events;

const fail = (spec) => fetch(`${sim.url}/__sim/fail`, { method: "POST", body: JSON.stringify(spec) });

describe("Stripe simulator: authentication", () => {
  it.each([
    ["no Authorization header", {}, /did not provide an API key/],
    ["a wrong key", { authorization: "Bearer sk_test_wrong_key_1234" }, /^Invalid API Key provided: sk_test_\*+1234$/],
  ])("answers 401 invalid_request_error to %s", async (_case, headers, pattern) => {
    const res = await fetch(`${sim.url}/v1/payment_intents/pi_x`, { headers });
    expect(res.status).toBe(401);
    const { error } = await res.json();
    expect(error.type).toBe("invalid_request_error");
    expect(error.message).toMatch(pattern);
  });

  it("accepts the key as the username of HTTP Basic auth, as Stripe does", async () => {
    const basic = Buffer.from(`${KEY}:`).toString("base64");
    const res = await fetch(`${sim.url}/v1/payment_intents/pi_missing`, {
      headers: { authorization: `Basic ${basic}` },
    });
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe("resource_missing");
  });
});

describe("Stripe simulator: PaymentIntents", () => {
  it("places a hold with a confirmed manual-capture intent and parses bracketed metadata", async () => {
    const pi = await heldIntent();
    expect(pi).toMatchObject({
      id: expect.stringMatching(/^pi_/),
      object: "payment_intent",
      amount: 150000,
      amount_capturable: 150000,
      amount_received: 0,
      currency: "bdt",
      capture_method: "manual",
      status: "requires_capture",
      metadata: { booking_id: "12" },
      latest_charge: expect.stringMatching(/^ch_/),
      last_payment_error: null,
      created: expect.any(Number),
    });
    const fetched = await stripe(`/v1/payment_intents/${pi.id}`, {}, { method: "GET" });
    expect(fetched.body).toEqual(pi);
  });

  it("leaves an unconfirmed intent in requires_confirmation until /confirm places the hold", async () => {
    const created = await hold({ confirm: false });
    expect(created.body.status).toBe("requires_confirmation");
    const confirmed = await stripe(`/v1/payment_intents/${created.body.id}/confirm`);
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ status: "requires_capture", amount_capturable: 150000 });
  });

  it.each([
    ["pm_card_chargeDeclined", "generic_decline", "Your card was declined."],
    ["pm_card_chargeDeclinedInsufficientFunds", "insufficient_funds", "Your card has insufficient funds."],
  ])(
    "declines %s with 402 card_error %s and leaves the intent needing a new method",
    async (pm, declineCode, message) => {
      const { status, body } = await hold({ payment_method: pm });
      expect(status).toBe(402);
      expect(body.error).toMatchObject({
        type: "card_error",
        code: "card_declined",
        decline_code: declineCode,
        message,
        payment_intent: { status: "requires_payment_method", amount_capturable: 0 },
      });
      const fetched = await stripe(`/v1/payment_intents/${body.error.payment_intent.id}`, {}, { method: "GET" });
      expect(fetched.body.last_payment_error).toMatchObject({ code: "card_declined", decline_code: declineCode });
    },
  );

  it("answers 400 resource_missing for an unknown payment method", async () => {
    const { status, body } = await hold({ payment_method: "pm_card_unknown" });
    expect(status).toBe(400);
    expect(body.error).toMatchObject({
      type: "invalid_request_error",
      code: "resource_missing",
      param: "payment_method",
    });
  });

  it.each([
    ["a zero amount", { amount: 0 }, "amount", "parameter_invalid_integer"],
    ["a fractional amount", { amount: "12.50" }, "amount", "parameter_invalid_integer"],
    ["a missing currency", { currency: undefined }, "currency", "parameter_missing"],
    ["a currency that is not a 3-letter code", { currency: "taka" }, "currency", "parameter_invalid_string"],
    ["an unknown parameter", { amount_in_taka: 1500 }, "amount_in_taka", "parameter_unknown"],
  ])("refuses %s with 400 naming the parameter and creates nothing", async (_case, change, param, code) => {
    const params = {
      amount: 150000,
      currency: "bdt",
      capture_method: "manual",
      confirm: true,
      payment_method: "pm_card_visa",
    };
    const merged = Object.fromEntries(Object.entries({ ...params, ...change }).filter(([, v]) => v !== undefined));
    const { status, body } = await stripe("/v1/payment_intents", merged);
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ type: "invalid_request_error", param, code });
    expect(await simEvents()).toEqual([]);
  });

  it("refuses a JSON body, because Stripe only reads form encoding", async () => {
    const res = await fetch(`${sim.url}/v1/payment_intents`, {
      method: "POST",
      headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ amount: 150000, currency: "bdt" }),
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toMatch(/x-www-form-urlencoded/);
  });

  it("captures the full hold into succeeded and refuses to capture it twice", async () => {
    const pi = await heldIntent();
    const captured = await stripe(`/v1/payment_intents/${pi.id}/capture`);
    expect(captured.status).toBe(200);
    expect(captured.body).toMatchObject({ status: "succeeded", amount_received: 150000, amount_capturable: 0 });
    const again = await stripe(`/v1/payment_intents/${pi.id}/capture`);
    expect(again.status).toBe(400);
    expect(again.body.error).toMatchObject({
      code: "payment_intent_unexpected_state",
      payment_intent: { status: "succeeded" },
    });
  });

  it("captures part of a hold and refuses to capture more than is capturable", async () => {
    const pi = await heldIntent();
    const over = await stripe(`/v1/payment_intents/${pi.id}/capture`, { amount_to_capture: 150001 });
    expect(over.status).toBe(400);
    expect(over.body.error).toMatchObject({ code: "amount_too_large", param: "amount_to_capture" });
    const part = await stripe(`/v1/payment_intents/${pi.id}/capture`, { amount_to_capture: 100000 });
    expect(part.body).toMatchObject({ status: "succeeded", amount_received: 100000, amount_capturable: 0 });
  });

  it("releases a hold on cancel and refuses to cancel a captured intent", async () => {
    const pi = await heldIntent();
    const canceled = await stripe(`/v1/payment_intents/${pi.id}/cancel`, { cancellation_reason: "abandoned" });
    expect(canceled.body).toMatchObject({ status: "canceled", amount_capturable: 0, cancellation_reason: "abandoned" });

    const other = await heldIntent();
    await stripe(`/v1/payment_intents/${other.id}/capture`);
    const late = await stripe(`/v1/payment_intents/${other.id}/cancel`);
    expect(late.status).toBe(400);
    expect(late.body.error.code).toBe("payment_intent_unexpected_state");
  });

  it("answers 404 resource_missing for an unknown intent", async () => {
    const { status, body } = await stripe("/v1/payment_intents/pi_nope/capture");
    expect(status).toBe(404);
    expect(body.error).toMatchObject({ type: "invalid_request_error", code: "resource_missing" });
  });
});

describe("Stripe simulator: refunds", () => {
  async function capturedIntent(amountToCapture) {
    const pi = await heldIntent();
    const { body } = await stripe(
      `/v1/payment_intents/${pi.id}/capture`,
      amountToCapture ? { amount_to_capture: amountToCapture } : {},
    );
    return body;
  }

  it("refunds part of the received amount, then refuses a refund above the rest with amount_too_large", async () => {
    const pi = await capturedIntent(100000);
    const first = await stripe("/v1/refunds", { payment_intent: pi.id, amount: 60000 });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      id: expect.stringMatching(/^re_/),
      object: "refund",
      amount: 60000,
      payment_intent: pi.id,
      status: "succeeded",
    });
    const over = await stripe("/v1/refunds", { payment_intent: pi.id, amount: 40001 });
    expect(over.status).toBe(400);
    expect(over.body.error).toMatchObject({ type: "invalid_request_error", code: "amount_too_large" });
    const rest = await stripe("/v1/refunds", { payment_intent: pi.id });
    expect(rest.body.amount).toBe(40000);
  });

  it("refuses to refund a fully refunded payment with charge_already_refunded", async () => {
    const pi = await capturedIntent();
    expect((await stripe("/v1/refunds", { payment_intent: pi.id })).body.amount).toBe(150000);
    const again = await stripe("/v1/refunds", { payment_intent: pi.id, amount: 1 });
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe("charge_already_refunded");
  });

  it("refuses to refund a hold that was never captured", async () => {
    const pi = await heldIntent();
    const { status, body } = await stripe("/v1/refunds", { payment_intent: pi.id });
    expect(status).toBe(400);
    expect(body.error.code).toBe("charge_not_refundable");
  });
});

describe("Stripe simulator: idempotency", () => {
  it("replays the stored answer for the same key and parameters without acting twice", async () => {
    const first = await hold({}, { idempotencyKey: "booking-12-hold" });
    const replay = await hold({}, { idempotencyKey: "booking-12-hold" });
    expect(replay.status).toBe(200);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    expect(replay.body).toEqual(first.body);
    expect((await simEvents()).filter((r) => r.event.type === "payment_intent.created")).toHaveLength(1);
  });

  it("refuses the same key with other parameters with 400 idempotency_error", async () => {
    await stripe("/v1/payment_intents", { amount: 1000, currency: "bdt" }, { idempotencyKey: "k-mismatch" });
    const other = await stripe(
      "/v1/payment_intents",
      { amount: 2000, currency: "bdt" },
      { idempotencyKey: "k-mismatch" },
    );
    expect(other.status).toBe(400);
    expect(other.body.error.type).toBe("idempotency_error");
    expect(other.body.error.message).toMatch(/same parameters they were first used with/);
  });

  it("replays a decline, because the endpoint ran, but not a parameter error, because it did not", async () => {
    const declined = { amount: 1000, currency: "bdt", confirm: true, payment_method: "pm_card_chargeDeclined" };
    await stripe("/v1/payment_intents", declined, { idempotencyKey: "k-decline" });
    const replay = await stripe("/v1/payment_intents", declined, { idempotencyKey: "k-decline" });
    expect(replay.status).toBe(402);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");

    const bad = await stripe("/v1/payment_intents", { amount: 0, currency: "bdt" }, { idempotencyKey: "k-fixable" });
    expect(bad.status).toBe(400);
    const fixed = await stripe("/v1/payment_intents", { amount: 10, currency: "bdt" }, { idempotencyKey: "k-fixable" });
    expect(fixed.status).toBe(200);
    expect(fixed.headers.get("idempotent-replayed")).toBeNull();
  });

  it("answers 409 idempotency_key_in_use to a second request while the first with that key is still running", async () => {
    const slow = await startStripeSimulator({ secretKey: KEY, latencyMs: 200 });
    try {
      const post = () =>
        fetch(`${slow.url}/v1/payment_intents`, {
          method: "POST",
          headers: { authorization: `Bearer ${KEY}`, "idempotency-key": "k-race" },
          body: new URLSearchParams({ amount: "1000", currency: "bdt" }),
        });
      const statuses = (await Promise.all([post(), post()])).map((r) => r.status).sort();
      expect(statuses).toEqual([200, 409]);
      expect(slow.events.filter((r) => r.event.type === "payment_intent.created")).toHaveLength(1);
    } finally {
      await slow.close();
    }
  });
});

describe("Stripe simulator: webhooks", () => {
  it("posts events whose Stripe-Signature verifies against a recomputed HMAC of the raw body", async () => {
    const pi = await heldIntent();
    await sim.webhooksSettled();
    expect(received.map((r) => JSON.parse(r.body).type)).toEqual(
      expect.arrayContaining(["payment_intent.created", "payment_intent.amount_capturable_updated"]),
    );
    for (const { headers, body } of received) {
      const { t, v1 } = Object.fromEntries(headers["stripe-signature"].split(",").map((p) => p.split("=")));
      expect(Math.abs(Date.now() / 1000 - Number(t))).toBeLessThan(300);
      const expected = createHmac("sha256", SECRET).update(`${t}.${body}`).digest();
      expect(timingSafeEqual(Buffer.from(v1, "hex"), expected)).toBe(true);
    }
    const event = received
      .map((r) => JSON.parse(r.body))
      .find((e) => e.type === "payment_intent.amount_capturable_updated");
    expect(event).toMatchObject({
      id: expect.stringMatching(/^evt_/),
      object: "event",
      data: { object: { id: pi.id, status: "requires_capture" } },
    });
  });

  it("emits succeeded, canceled, payment_failed and charge.refunded as the state changes", async () => {
    const pi = await heldIntent();
    await stripe(`/v1/payment_intents/${pi.id}/capture`);
    await stripe("/v1/refunds", { payment_intent: pi.id, amount: 500 });
    await stripe(`/v1/payment_intents/${(await heldIntent()).id}/cancel`);
    await hold({ payment_method: "pm_card_chargeDeclined" });
    const types = (await simEvents()).map((r) => r.event.type);
    expect(types).toEqual(
      expect.arrayContaining([
        "payment_intent.succeeded",
        "charge.refunded",
        "refund.created",
        "payment_intent.canceled",
        "payment_intent.payment_failed",
      ]),
    );
    const refunded = (await simEvents()).find((r) => r.event.type === "charge.refunded").event.data.object;
    expect(refunded).toMatchObject({ object: "charge", payment_intent: pi.id, amount_refunded: 500, refunded: false });
  });

  it("retries a refused delivery and records it as delivered on the second attempt", async () => {
    refuse = 1;
    await stripe("/v1/payment_intents", { amount: 1000, currency: "bdt" });
    await sim.webhooksSettled();
    const [record] = await simEvents();
    expect(record.delivery).toMatchObject({ status: "delivered", attempts: 2, response_status: 200 });
    expect(received).toHaveLength(1);
  });

  it("gives up after three refused attempts and records the delivery as failed", async () => {
    refuse = 3;
    await stripe("/v1/payment_intents", { amount: 1000, currency: "bdt" });
    await sim.webhooksSettled();
    const [record] = await simEvents();
    expect(record.delivery).toMatchObject({ status: "failed", attempts: 3, response_status: 500 });
  });

  it("signStripePayload signs the timestamp and raw payload with HMAC-SHA256 in Stripe's header format", () => {
    const payload = '{"id":"evt_1"}';
    const expected = createHmac("sha256", "whsec_x").update(`1700000000.${payload}`).digest("hex");
    expect(signStripePayload("whsec_x", payload, 1700000000)).toBe(`t=1700000000,v1=${expected}`);
    expect(signStripePayload("whsec_other", payload, 1700000000)).not.toBe(`t=1700000000,v1=${expected}`);
  });
});

describe("Stripe simulator: injected failures", () => {
  it("in timeout mode places the hold but never answers; a retry with the same key recovers the intent", async () => {
    await fail({ mode: "timeout", count: 1, path_prefix: "/v1/payment_intents" });
    const gaveUp = await hold({}, { idempotencyKey: "booking-7-hold", signal: AbortSignal.timeout(300) }).catch(
      (e) => e,
    );
    expect(gaveUp).toBeInstanceOf(Error);
    expect(gaveUp.name).toBe("TimeoutError");
    const [created] = await simEvents();
    expect(created.event.type).toBe("payment_intent.created");

    const retry = await hold({}, { idempotencyKey: "booking-7-hold" });
    expect(retry.status).toBe(200);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(retry.body).toMatchObject({ id: created.event.data.object.id, status: "requires_capture" });
  });

  it("in 500 mode answers api_error without acting, so a retry with the same key runs for the first time", async () => {
    await fail({ mode: "500", count: 1 });
    const failed = await hold({}, { idempotencyKey: "booking-8-hold" });
    expect(failed.status).toBe(500);
    expect(failed.body.error.type).toBe("api_error");
    expect(await simEvents()).toEqual([]);
    const retry = await hold({}, { idempotencyKey: "booking-8-hold" });
    expect(retry.status).toBe(200);
    expect(retry.headers.get("idempotent-replayed")).toBeNull();
  });

  it("only fails requests under path_prefix", async () => {
    const pi = await heldIntent();
    await fail({ mode: "500", count: 1, path_prefix: "/v1/refunds" });
    expect((await stripe(`/v1/payment_intents/${pi.id}/capture`)).status).toBe(200);
    expect((await stripe("/v1/refunds", { payment_intent: pi.id })).status).toBe(500);
    expect((await stripe("/v1/refunds", { payment_intent: pi.id })).status).toBe(200);
  });

  it("forgets intents, idempotency keys, events and failures on reset", async () => {
    const pi = await heldIntent();
    await stripe("/v1/payment_intents", { amount: 1000, currency: "bdt" }, { idempotencyKey: "k-reset" });
    await fail({ mode: "500", count: 5 });
    await fetch(`${sim.url}/__sim/reset`, { method: "POST" });
    expect(sim.events).toEqual([]);
    expect((await stripe(`/v1/payment_intents/${pi.id}`, {}, { method: "GET" })).status).toBe(404);
    const reused = await stripe(
      "/v1/payment_intents",
      { amount: 2000, currency: "bdt" },
      { idempotencyKey: "k-reset" },
    );
    expect(reused.status).toBe(200);
  });
});

describe("a webhook endpoint subscribed to some event types", () => {
  it("delivers only the enabled types, and still records every event", async () => {
    const got = [];
    const only = await listen(async (req, res) => {
      got.push(JSON.parse(await readBody(req)).type);
      res.writeHead(200).end();
    });
    const picky = await startStripeSimulator({
      secretKey: KEY,
      webhookSecret: SECRET,
      webhookUrl: `${only.url}/hook`,
      enabledEvents: ["payment_intent.succeeded"],
    });
    try {
      const { body: pi } = await hold({}, { idempotencyKey: "picky-hold", url: picky.url });
      await stripe(`/v1/payment_intents/${pi.id}/capture`, {}, { idempotencyKey: "picky-capture", url: picky.url });
      await picky.webhooksSettled();
      expect(got).toEqual(["payment_intent.succeeded"]);
      const all = (await (await fetch(`${picky.url}/__sim/events`)).json()).events.map((r) => r.event.type);
      expect(all).toEqual(expect.arrayContaining(["payment_intent.created", "payment_intent.succeeded"]));
    } finally {
      await picky.close();
      await only.close();
    }
  });
});
