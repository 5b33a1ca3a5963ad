// Stripe simulator: manual-capture PaymentIntents, refunds, idempotency keys and signed webhooks, checked like the real API.
import { createHmac, randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { listen, readBody, sendJson } from "./http.mjs";

const API_VERSION = "2024-06-20";
const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
// "timeout" failures hold the socket this long: longer than any sane client timeout, so the client gives up first.
const HOLD_MS = 30_000;
const WEBHOOK_RETRY_DELAYS_MS = [100, 400];
const WEBHOOK_TIMEOUT_MS = 10_000;
const MAX_AMOUNT = 99_999_999;
const CONFIRMABLE = ["requires_payment_method", "requires_confirmation"];
const CANCELABLE = [
  "requires_payment_method",
  "requires_confirmation",
  "requires_action",
  "requires_capture",
  "processing",
];
// Parameters we accept on create; anything else is refused as Stripe refuses unknown ones, so typos surface here.
const CREATE_PARAMS = [
  ...["amount", "currency", "capture_method", "confirm", "payment_method", "payment_method_types", "metadata"],
  ...["description", "receipt_email", "statement_descriptor_suffix"],
];
const NO_KEY =
  "You did not provide an API key. You need to provide your API key in the Authorization header, " +
  "using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').";

/** Stripe's test-mode payment methods we use: card details, or the decline they always produce. */
const PAYMENT_METHODS = {
  pm_card_visa: { brand: "visa", last4: "4242" },
  pm_card_mastercard: { brand: "mastercard", last4: "4444" },
  pm_card_chargeDeclined: { brand: "visa", last4: "0002", decline: ["generic_decline", "Your card was declined."] },
  pm_card_chargeDeclinedInsufficientFunds: {
    brand: "visa",
    last4: "9995",
    decline: ["insufficient_funds", "Your card has insufficient funds."],
  },
};

const ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const newId = (prefix) => `${prefix}_${Array.from(randomBytes(24), (b) => ALNUM[b % ALNUM.length]).join("")}`;
const unix = () => Math.floor(Date.now() / 1000);

/** The `Stripe-Signature` header value for `payload` (the exact raw body) signed at unix time `t`. */
export function signStripePayload(secret, payload, t = unix()) {
  return `t=${t},v1=${createHmac("sha256", secret).update(`${t}.${payload}`).digest("hex")}`;
}

class StripeError extends Error {
  /** `saved: false` marks refusals made before the endpoint began executing: Stripe keeps no idempotent result for them. */
  constructor(status, error, saved = true) {
    super(error.message);
    Object.assign(this, { status, error, saved });
  }
}

const paramError = (param, message, code) =>
  new StripeError(400, { type: "invalid_request_error", code, param, message }, false);

/** A 400 raised while the endpoint runs, so Stripe stores it under the idempotency key. */
const refusal = (code, message, extra = {}) =>
  new StripeError(400, { type: "invalid_request_error", code, message, ...extra });

const missing = (status, param, message) =>
  new StripeError(status, { type: "invalid_request_error", code: "resource_missing", param, message }, false);

const stateError = (pi, message) =>
  refusal("payment_intent_unexpected_state", message, { payment_intent: structuredClone(pi) });

/** Stripe's form encoding: `metadata[k]=v` nests; `expand[]=x` and `a[0]=x` build arrays. Null prototypes: keys are data. */
function parseForm(text) {
  const root = Object.create(null);
  for (const [key, value] of new URLSearchParams(text)) {
    const path = key.replaceAll("]", "").split("[");
    let node = root;
    path.forEach((part, i) => {
      const slot = Array.isArray(node) && part === "" ? node.length : part;
      if (i === path.length - 1) node[slot] = value;
      else node = node[slot] ??= path[i + 1] === "" || /^\d+$/.test(path[i + 1]) ? [] : Object.create(null);
    });
  }
  return root;
}

/** Same parameters in any order give the same fingerprint; repeated keys (arrays) keep their order. */
function fingerprint(method, path, raw) {
  const entries = [...new URLSearchParams(raw)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${method} ${path} ${JSON.stringify(entries)}`;
}

function allow(params, names) {
  for (const key of Object.keys(params)) {
    if (key === "expand") throw paramError(key, "The simulator does not support expand[]; fetch the object by id.");
    if (!names.includes(key)) throw paramError(key, `Received unknown parameter: ${key}`, "parameter_unknown");
  }
}

function amountParam(params, name, required) {
  const raw = params[name];
  if (raw === undefined) {
    if (required) throw paramError(name, `Missing required param: ${name}.`, "parameter_missing");
    return undefined;
  }
  if (typeof raw !== "string" || !/^-?\d+$/.test(raw)) {
    throw paramError(name, `Invalid integer: ${raw}`, "parameter_invalid_integer");
  }
  const amount = Number(raw);
  if (amount < 1) throw paramError(name, "This value must be greater than or equal to 1.", "parameter_invalid_integer");
  if (amount > MAX_AMOUNT) throw paramError(name, `Amount must be no more than ${MAX_AMOUNT}`, "amount_too_large");
  return amount;
}

function enumParam(params, name, values) {
  const raw = params[name];
  if (raw !== undefined && !values.includes(raw)) {
    throw paramError(name, `Invalid ${name}: must be one of ${values.join(", ")}`, "parameter_invalid_string");
  }
  return raw;
}

function metadataParam(raw) {
  if (raw === undefined || raw === "") return {};
  if (typeof raw !== "object" || Array.isArray(raw))
    throw paramError("metadata", "Invalid hash", "parameter_invalid_string");
  const entries = Object.entries(raw);
  if (entries.length > 50) throw paramError("metadata", "Metadata can have at most 50 keys.");
  for (const [key, value] of entries) {
    if (key.length > 40 || typeof value !== "string" || value.length > 500) {
      throw paramError(
        `metadata[${key}]`,
        "Metadata keys are at most 40 characters and values strings of at most 500.",
      );
    }
  }
  return Object.fromEntries(entries);
}

function paymentMethodParam(id) {
  if (typeof id !== "string" || !Object.hasOwn(PAYMENT_METHODS, id)) {
    throw missing(400, "payment_method", `No such PaymentMethod: '${id}'`);
  }
  return id;
}

/** Stripe shows the first 8 and last 4 characters of a wrong key. */
const redact = (key) => `${key.slice(0, 8)}${"*".repeat(Math.max(0, key.length - 12))}${key.slice(-4)}`;

/** The API key from `Bearer <key>` or from HTTP Basic with the key as username, as Stripe accepts both. */
function apiKeyOf(authorization = "") {
  const [scheme, value = ""] = authorization.split(" ");
  if (/^bearer$/i.test(scheme)) return value;
  if (/^basic$/i.test(scheme)) return Buffer.from(value, "base64").toString("utf8").split(":")[0];
  return "";
}

/**
 * Stripe's PaymentIntents (confirm, capture, cancel) and refunds, answering in Stripe's shapes.
 * Idempotency: per API key and Idempotency-Key for 24 h; a key still executing answers 409 idempotency_key_in_use
 * (Stripe-Should-Retry: true) rather than waiting. Webhooks: every state change becomes an Event, POSTed to
 * `webhookUrl` (if set, and the type is in `enabledEvents`) with a Stripe-Signature, after the API answer is decided
 * and without holding it back.
 * Test hooks (not part of the real API): GET /__sim/events, POST /__sim/fail {mode: "500"|"timeout", count, path_prefix},
 * POST /__sim/reset. `latencyMs` delays every API operation while its idempotency key is marked in flight.
 */
export async function startStripeSimulator({
  port = 0,
  secretKey = "sk_test_kormo",
  webhookSecret = `whsec_${randomBytes(24).toString("base64url")}`,
  webhookUrl,
  // Like a webhook endpoint's enabled_events in the Stripe dashboard: only these types are delivered ("*": all).
  enabledEvents = ["*"],
  latencyMs = 0,
} = {}) {
  const intents = new Map();
  const charges = new Map();
  const refunds = new Map();
  /** `${apiKey}\n${idempotencyKey}` -> {fingerprint, expires, requestId, result?}; no result yet = in flight. */
  const idempotency = new Map();
  /** [{event, delivery: {status, attempts, response_status}}] in emission order. */
  const events = [];
  const deliveries = new Set();
  let webhooks = new AbortController();
  let failures = { mode: "", count: 0, pathPrefix: "/" };

  async function deliver(record, signal) {
    const body = JSON.stringify(record.event);
    try {
      for (let attempt = 0; attempt <= WEBHOOK_RETRY_DELAYS_MS.length; attempt += 1) {
        if (attempt > 0) await sleep(WEBHOOK_RETRY_DELAYS_MS[attempt - 1], undefined, { signal });
        record.delivery.attempts = attempt + 1;
        try {
          const res = await fetch(webhookUrl, {
            method: "POST",
            body,
            signal: AbortSignal.any([signal, AbortSignal.timeout(WEBHOOK_TIMEOUT_MS)]),
            headers: {
              "content-type": "application/json; charset=utf-8",
              "user-agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
              // Each attempt is signed afresh, so a retry never carries a stale timestamp.
              "stripe-signature": signStripePayload(webhookSecret, body),
            },
          });
          record.delivery.response_status = res.status;
          await res.arrayBuffer();
          if (res.ok) {
            record.delivery.status = "delivered";
            return;
          }
        } catch (err) {
          if (signal.aborted) throw err;
          record.delivery.response_status = null;
        }
      }
      record.delivery.status = "failed";
    } catch {
      record.delivery.status = "aborted";
    }
  }

  function emit(type, object, ctx) {
    const subscribed = Boolean(webhookUrl) && (enabledEvents.includes("*") || enabledEvents.includes(type));
    const event = {
      id: newId("evt"),
      object: "event",
      api_version: API_VERSION,
      created: unix(),
      data: { object: structuredClone(object) },
      livemode: false,
      pending_webhooks: subscribed ? 1 : 0,
      request: { id: ctx.requestId, idempotency_key: ctx.idempotencyKey },
      type,
    };
    const record = {
      event,
      delivery: { status: subscribed ? "pending" : "not_configured", attempts: 0, response_status: null },
    };
    events.push(record);
    if (!subscribed) return;
    const delivery = deliver(record, webhooks.signal).finally(() => deliveries.delete(delivery));
    deliveries.add(delivery);
  }

  function findIntent(id) {
    const pi = intents.get(id);
    if (!pi) throw missing(404, "intent", `No such payment_intent: '${id}'`);
    return pi;
  }

  /** Authorizes the card: a hold (manual capture) or an immediate charge; declines leave the intent retryable. */
  function confirm(pi, paymentMethod, ctx) {
    const card = PAYMENT_METHODS[paymentMethod];
    const charge = {
      id: newId("ch"),
      object: "charge",
      amount: pi.amount,
      amount_captured: 0,
      amount_refunded: 0,
      captured: false,
      created: unix(),
      currency: pi.currency,
      failure_code: null,
      failure_message: null,
      metadata: pi.metadata,
      paid: true,
      payment_intent: pi.id,
      payment_method: paymentMethod,
      refunded: false,
      status: "succeeded",
    };
    charges.set(charge.id, charge);
    pi.latest_charge = charge.id;
    if (card.decline) {
      const [declineCode, message] = card.decline;
      Object.assign(charge, { paid: false, status: "failed", failure_code: "card_declined", failure_message: message });
      const error = {
        type: "card_error",
        code: "card_declined",
        decline_code: declineCode,
        message,
        charge: charge.id,
        doc_url: "https://stripe.com/docs/error-codes/card-declined",
        payment_method: {
          id: paymentMethod,
          object: "payment_method",
          type: "card",
          card: { brand: card.brand, last4: card.last4 },
        },
      };
      // Stripe detaches the failed method, so the intent asks for a new one.
      Object.assign(pi, { status: "requires_payment_method", payment_method: null, last_payment_error: error });
      emit("payment_intent.payment_failed", pi, ctx);
      throw new StripeError(402, { ...error, payment_intent: structuredClone(pi) });
    }
    Object.assign(pi, { payment_method: paymentMethod, last_payment_error: null });
    if (pi.capture_method === "manual") {
      Object.assign(pi, { status: "requires_capture", amount_capturable: pi.amount });
      emit("payment_intent.amount_capturable_updated", pi, ctx);
    } else {
      Object.assign(charge, { captured: true, amount_captured: pi.amount });
      Object.assign(pi, { status: "succeeded", amount_received: pi.amount });
      emit("payment_intent.succeeded", pi, ctx);
    }
  }

  function createIntent(params, _id, ctx) {
    allow(params, CREATE_PARAMS);
    const amount = amountParam(params, "amount", true);
    if (params.currency === undefined)
      throw paramError("currency", "Missing required param: currency.", "parameter_missing");
    if (typeof params.currency !== "string" || !/^[a-z]{3}$/i.test(params.currency)) {
      throw paramError("currency", `Invalid currency: ${params.currency}.`, "parameter_invalid_string");
    }
    const captureMethod = enumParam(params, "capture_method", ["automatic", "automatic_async", "manual"]);
    const doConfirm = enumParam(params, "confirm", ["true", "false"]) === "true";
    const metadata = metadataParam(params.metadata);
    const paymentMethod = params.payment_method === undefined ? null : paymentMethodParam(params.payment_method);
    if (doConfirm && !paymentMethod) {
      throw paramError(
        "payment_method",
        "You cannot confirm this PaymentIntent because it's missing a payment method.",
        "parameter_missing",
      );
    }
    const id = newId("pi");
    const pi = {
      id,
      object: "payment_intent",
      amount,
      amount_capturable: 0,
      amount_received: 0,
      canceled_at: null,
      cancellation_reason: null,
      capture_method: captureMethod ?? "automatic_async",
      client_secret: `${id}_secret_${randomBytes(12).toString("hex")}`,
      confirmation_method: "automatic",
      created: unix(),
      currency: params.currency.toLowerCase(),
      description: params.description ?? null,
      last_payment_error: null,
      latest_charge: null,
      livemode: false,
      metadata,
      payment_method: paymentMethod,
      payment_method_types: params.payment_method_types ?? ["card"],
      receipt_email: params.receipt_email ?? null,
      status: paymentMethod ? "requires_confirmation" : "requires_payment_method",
    };
    intents.set(id, pi);
    emit("payment_intent.created", pi, ctx);
    if (doConfirm) confirm(pi, paymentMethod, ctx);
    return pi;
  }

  function confirmIntent(params, id, ctx) {
    allow(params, ["payment_method", "return_url"]);
    const pi = findIntent(id);
    const paymentMethod =
      params.payment_method === undefined ? pi.payment_method : paymentMethodParam(params.payment_method);
    if (!CONFIRMABLE.includes(pi.status)) {
      throw stateError(
        pi,
        `You cannot confirm this PaymentIntent because it has a status of ${pi.status}. ` +
          `Only a PaymentIntent with one of the following statuses may be confirmed: ${CONFIRMABLE.join(", ")}.`,
      );
    }
    if (!paymentMethod) {
      throw paramError(
        "payment_method",
        "You cannot confirm this PaymentIntent because it's missing a payment method.",
        "parameter_missing",
      );
    }
    confirm(pi, paymentMethod, ctx);
    return pi;
  }

  function captureIntent(params, id, ctx) {
    allow(params, ["amount_to_capture", "metadata"]);
    const pi = findIntent(id);
    const amount = amountParam(params, "amount_to_capture", false) ?? pi.amount_capturable;
    if (pi.status !== "requires_capture") {
      throw stateError(
        pi,
        `This PaymentIntent could not be captured because it has a status of ${pi.status}. ` +
          "Only a PaymentIntent with one of the following statuses may be captured: requires_capture.",
      );
    }
    if (amount > pi.amount_capturable) {
      throw refusal(
        "amount_too_large",
        `The amount to capture (${amount}) must be less than or equal to the amount capturable (${pi.amount_capturable}).`,
        { param: "amount_to_capture" },
      );
    }
    if (params.metadata !== undefined) pi.metadata = { ...pi.metadata, ...metadataParam(params.metadata) };
    // The uncaptured remainder of the hold is released at once: nothing stays capturable.
    Object.assign(pi, { status: "succeeded", amount_capturable: 0, amount_received: amount });
    Object.assign(charges.get(pi.latest_charge), { captured: true, amount_captured: amount });
    emit("payment_intent.succeeded", pi, ctx);
    return pi;
  }

  function cancelIntent(params, id, ctx) {
    allow(params, ["cancellation_reason"]);
    const reason = enumParam(params, "cancellation_reason", [
      "duplicate",
      "fraudulent",
      "requested_by_customer",
      "abandoned",
    ]);
    const pi = findIntent(id);
    if (!CANCELABLE.includes(pi.status)) {
      throw stateError(
        pi,
        `You cannot cancel this PaymentIntent because it has a status of ${pi.status}. ` +
          `Only a PaymentIntent with one of the following statuses may be canceled: ${CANCELABLE.join(", ")}.`,
      );
    }
    Object.assign(pi, {
      status: "canceled",
      amount_capturable: 0,
      canceled_at: unix(),
      cancellation_reason: reason ?? null,
    });
    emit("payment_intent.canceled", pi, ctx);
    return pi;
  }

  function createRefund(params, _id, ctx) {
    allow(params, ["payment_intent", "charge", "amount", "reason", "metadata"]);
    const requested = amountParam(params, "amount", false);
    const reason = enumParam(params, "reason", ["duplicate", "fraudulent", "requested_by_customer"]);
    const metadata = metadataParam(params.metadata);
    const chargeId = params.charge;
    if (!params.payment_intent && !chargeId) {
      throw paramError("payment_intent", "One of `charge` or `payment_intent` is required.", "parameter_missing");
    }
    if (chargeId && !charges.has(chargeId)) throw missing(404, "charge", `No such charge: '${chargeId}'`);
    const pi = findIntent(params.payment_intent ?? charges.get(chargeId).payment_intent);
    const charge = charges.get(pi.latest_charge);
    if (pi.status !== "succeeded") {
      throw refusal(
        "charge_not_refundable",
        `This PaymentIntent does not have a successful charge to refund (status ${pi.status}).`,
      );
    }
    const remaining = pi.amount_received - charge.amount_refunded;
    if (remaining === 0) {
      throw refusal("charge_already_refunded", `Charge ${charge.id} has already been refunded.`);
    }
    const amount = requested ?? remaining;
    if (amount > remaining) {
      throw refusal(
        "amount_too_large",
        `Refund amount (${amount}) is greater than unrefunded amount on charge (${remaining}).`,
        { param: "amount" },
      );
    }
    const refund = {
      id: newId("re"),
      object: "refund",
      amount,
      charge: charge.id,
      created: unix(),
      currency: pi.currency,
      metadata,
      payment_intent: pi.id,
      reason: reason ?? null,
      status: "succeeded",
    };
    refunds.set(refund.id, refund);
    charge.amount_refunded += amount;
    charge.refunded = charge.amount_refunded === charge.amount_captured;
    // Like Stripe: charge.refunded carries the Charge, refund.created the Refund.
    emit("charge.refunded", charge, ctx);
    emit("refund.created", refund, ctx);
    return refund;
  }

  function getRefund(params, id) {
    allow(params, []);
    const refund = refunds.get(id);
    if (!refund) throw missing(404, "id", `No such refund: '${id}'`);
    return refund;
  }

  const routes = [
    ["POST", /^\/v1\/payment_intents$/, createIntent],
    [
      "GET",
      /^\/v1\/payment_intents\/([^/]+)$/,
      (params, id) => {
        allow(params, []);
        return findIntent(id);
      },
    ],
    ["POST", /^\/v1\/payment_intents\/([^/]+)\/confirm$/, confirmIntent],
    ["POST", /^\/v1\/payment_intents\/([^/]+)\/capture$/, captureIntent],
    ["POST", /^\/v1\/payment_intents\/([^/]+)\/cancel$/, cancelIntent],
    ["POST", /^\/v1\/refunds$/, createRefund],
    ["GET", /^\/v1\/refunds\/([^/]+)$/, getRefund],
  ];

  /** Runs one operation; the answer is a snapshot, so later state changes never leak into a stored idempotent reply. */
  async function execute(handler, raw, id, ctx) {
    if (latencyMs) await sleep(latencyMs);
    try {
      return { status: 200, body: structuredClone(handler(parseForm(raw), id, ctx)), saved: true };
    } catch (err) {
      if (!(err instanceof StripeError)) throw err;
      return { status: err.status, body: { error: err.error }, saved: err.saved };
    }
  }

  async function idempotent(slot, key, print, requestId, run) {
    const seen = idempotency.get(slot);
    if (seen && seen.expires > Date.now()) {
      if (!seen.result) {
        return {
          status: 409,
          headers: { "stripe-should-retry": "true" },
          body: {
            error: {
              type: "idempotency_error",
              code: "idempotency_key_in_use",
              message:
                "There is currently another in-progress request using this Idempotency-Key. Please try again later.",
            },
          },
        };
      }
      if (seen.fingerprint !== print) {
        return {
          status: 400,
          body: {
            error: {
              type: "idempotency_error",
              message:
                "Keys for idempotent requests can only be used with the same parameters they were first used with. " +
                `Try using a key other than '${key}' if you meant to execute a different request.`,
            },
          },
        };
      }
      return { ...seen.result, headers: { "idempotent-replayed": "true", "original-request": seen.requestId } };
    }
    const entry = { fingerprint: print, expires: Date.now() + IDEMPOTENCY_TTL_MS, requestId };
    idempotency.set(slot, entry);
    let result;
    try {
      result = await run();
    } finally {
      // Unsaved refusals and crashes free the key, so a corrected retry can use it.
      if (result?.saved) entry.result = result;
      else if (idempotency.get(slot) === entry) idempotency.delete(slot);
    }
    return result;
  }

  function takeFailure(path) {
    if (failures.count <= 0 || !path.startsWith(failures.pathPrefix)) return "";
    failures.count -= 1;
    return failures.mode;
  }

  /** Never answers: the client times out although the operation happened, as when a gateway drops the response. */
  function hold(res) {
    const timer = setTimeout(() => res.destroy(), HOLD_MS);
    timer.unref();
    res.on("close", () => clearTimeout(timer));
  }

  async function simRoute(req, res, url) {
    if (url.pathname === "/__sim/events" && req.method === "GET") {
      const type = url.searchParams.get("type");
      return sendJson(res, 200, { events: events.filter((r) => !type || r.event.type === type) });
    }
    if (url.pathname === "/__sim/fail" && req.method === "POST") {
      const body = JSON.parse((await readBody(req)) || "{}");
      const mode = String(body.mode ?? "500");
      if (mode !== "500" && mode !== "timeout") return sendJson(res, 400, { error: 'mode must be "500" or "timeout"' });
      failures = { mode, count: Number(body.count ?? 1), pathPrefix: body.path_prefix ?? "/" };
      return sendJson(res, 200, failures);
    }
    if (url.pathname === "/__sim/reset" && req.method === "POST") {
      webhooks.abort();
      webhooks = new AbortController();
      for (const map of [intents, charges, refunds, idempotency]) map.clear();
      events.length = 0;
      failures = { mode: "", count: 0, pathPrefix: "/" };
      return sendJson(res, 200, { reset: true });
    }
    return sendJson(res, 404, { error: "unknown simulator hook" });
  }

  const server = await listen(
    async (req, res, url) => {
      if (url.pathname.startsWith("/__sim/")) return simRoute(req, res, url);
      const requestId = newId("req");
      const reply = (status, body, headers = {}) =>
        sendJson(res, status, body, { "request-id": requestId, ...headers });
      const apiKey = apiKeyOf(req.headers.authorization);
      if (apiKey !== secretKey) {
        const message = apiKey ? `Invalid API Key provided: ${redact(apiKey)}` : NO_KEY;
        return reply(401, { error: { type: "invalid_request_error", message } });
      }
      let match = null;
      const route = routes.find(([method, pattern]) => {
        match = method === req.method ? pattern.exec(url.pathname) : null;
        return match;
      });
      if (!route) {
        return reply(404, {
          error: {
            type: "invalid_request_error",
            message: `Unrecognized request URL (${req.method}: ${url.pathname}).`,
          },
        });
      }
      const raw = req.method === "POST" ? await readBody(req) : url.search.slice(1);
      if (
        req.method === "POST" &&
        raw &&
        !/^application\/x-www-form-urlencoded/i.test(req.headers["content-type"] ?? "")
      ) {
        return reply(400, {
          error: {
            type: "invalid_request_error",
            message: "Invalid request (check that your POST content type is application/x-www-form-urlencoded).",
          },
        });
      }
      const failure = takeFailure(url.pathname);
      // A 500 from in front of Stripe: nothing ran, nothing is stored under the idempotency key.
      if (failure === "500")
        return reply(500, { error: { type: "api_error", message: "An unknown error occurred (injected)." } });
      // Stripe ignores idempotency keys on GET and DELETE.
      const key = req.method === "POST" ? req.headers["idempotency-key"] : undefined;
      const ctx = { requestId, idempotencyKey: key ?? null };
      const id = match[1] && decodeURIComponent(match[1]);
      const run = () => execute(route[2], raw, id, ctx);
      let result;
      if (key === undefined) result = await run();
      else if (key.length > 255) {
        result = {
          status: 400,
          body: {
            error: { type: "invalid_request_error", message: "Idempotency-Key must be at most 255 characters long." },
          },
        };
      } else {
        result = await idempotent(`${apiKey}\n${key}`, key, fingerprint(req.method, url.pathname, raw), requestId, run);
      }
      if (failure === "timeout") return hold(res);
      return reply(result.status, result.body, result.headers);
    },
    { port },
  );

  return {
    ...server,
    secretKey,
    webhookSecret,
    events,
    /** Resolves once every webhook delivery started so far has succeeded or given up. */
    webhooksSettled: async () => {
      while (deliveries.size) await Promise.all([...deliveries]);
    },
    close: () => {
      webhooks.abort();
      return server.close();
    },
  };
}
