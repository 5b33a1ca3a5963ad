// Nagad merchant checkout simulator: RSA-sealed initialize/complete, customer page, verify and refund, real shapes.
import {
  constants,
  createSign,
  createVerify,
  generateKeyPairSync,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
} from "node:crypto";
import { listen, readBody, sendJson } from "./http.mjs";
import { poisha, refCode, validAmount, walletFaults, walletHooks } from "./wallet.mjs";

const BASE = "/remote-payment-gateway-1.0/api/dfs";
// Nagad gives merchants 30 s or so; a "timeout" failure withholds the answer that long.
const HOLD_MS = 30_000;
const CLOCK_SKEW_MS = 5 * 60_000;
const CUSTOMER_WALLET = "01711111111";
const CLIENT_TYPES = ["PC_WEB", "MOBILE_APP"];
// Our adapter uses exactly these under workerd's nodejs_compat: PKCS#1 v1.5 RSA and SHA256withRSA.
const PADDING = constants.RSA_PKCS1_PADDING;

const isHttpUrl = (s) => typeof s === "string" && /^https?:\/\//.test(s) && URL.canParse(s);
const dhakaIso = (ms) => new Date(ms + 6 * 3600_000).toISOString();
/** YYYYMMDDHHmmss in Asia/Dhaka (UTC+6, no DST): Nagad's request and callback timestamps. */
const dhakaStamp = (ms = Date.now()) => dhakaIso(ms).slice(0, 19).replace(/[-T:]/g, "");
/** "2020-08-04 13:28:28.0": how verify prints times (assumed from Nagad's Java timestamps). */
const verifyTime = (ms) => (ms ? `${dhakaIso(ms).slice(0, 19).replace("T", " ")}.0` : null);

function parseDhakaStamp(stamp) {
  const m = typeof stamp === "string" && stamp.match(/^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/);
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4] - 6, +m[5], +m[6]) : Number.NaN;
}

class Refusal extends Error {
  constructor(status, reason, message) {
    super(message);
    this.status = status;
    this.reason = reason;
  }
}

/** Fresh RSA-2048 keys for both sides, PEM (SPKI public, PKCS#8 private), so dev and tests get matching sets. */
export async function generateNagadKeys() {
  const pair = () =>
    generateKeyPairSync("rsa", {
      modulusLength: 2048,
      publicKeyEncoding: { type: "spki", format: "pem" },
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
    });
  const merchant = pair();
  const nagad = pair();
  return {
    merchantPrivateKeyPem: merchant.privateKey,
    merchantPublicKeyPem: merchant.publicKey,
    nagadPrivateKeyPem: nagad.privateKey,
    nagadPublicKeyPem: nagad.publicKey,
  };
}

/**
 * Under `${url}/remote-payment-gateway-1.0/api/dfs`, every call needs X-KM-Api-Version: v-0.2.0, X-KM-IP-V4 (the
 * customer's IPv4) and X-KM-Client-Type: PC_WEB|MOBILE_APP.
 *   POST check-out/initialize/{merchantId}/{orderId} {accountNumber?, dateTime, sensitiveData, signature}
 *     -> {sensitiveData, signature} sealing {paymentReferenceId, challenge, acceptDateTime} for the merchant.
 *   POST check-out/complete/{paymentReferenceId} {sensitiveData, signature, merchantCallbackURL, additionalMerchantInfo?}
 *     -> {status: "Success", callBackUrl} (the customer's page on this simulator).
 *   GET verify/payment/{paymentReferenceId} -> {merchantId, orderId, paymentRefId, amount, ..., status, statusCode}.
 *   POST purchase/cancel?paymentRefId=&orderId= {sensitiveData, signature} -> sealed refund result. ASSUMED path and
 *     fields (Nagad's refund API is thinly documented): confirm at onboarding.
 * Sealing: sensitiveData = base64 RSA PKCS#1 v1.5 encryption of a JSON string with the receiver's public key; signature
 * = base64 SHA256withRSA over that same JSON string with the sender's private key.
 * Refusals: {reason, message} with 400 (headers, fields, state), 401 (signature) or 404 (unknown payment reference).
 * status: OrderInitiated (initialize) -> Ready (complete) -> Success | Aborted (customer cancelled) | Failed
 * (insufficient balance); statusCode "000" only for Success.
 * Test hooks (not part of the real API): POST /__sim/fail {mode: "insufficient_balance"|"500"|"timeout", count = 1,
 * path_suffix}, POST /__sim/reset, GET /__sim/payments/{paymentReferenceId}, POST /__sim/payments/{paymentReferenceId}
 * {amount} (rewrites the recorded amount).
 */
/** `publicHost`: the host the customer's phone reaches this machine by (the wallet page's links use it). */
export async function startNagadSimulator({
  port = 0,
  host,
  publicHost,
  merchantId,
  merchantPublicKeyPem,
  nagadPrivateKeyPem,
}) {
  const payments = new Map();
  const orders = new Set();
  const faults = walletFaults({ holdMs: HOLD_MS });
  let origin = "";

  function checkHeaders(h) {
    if (h["x-km-api-version"] !== "v-0.2.0") {
      throw new Refusal(400, "InvalidHeader", "X-KM-Api-Version must be v-0.2.0");
    }
    if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(h["x-km-ip-v4"] ?? "")) {
      throw new Refusal(400, "InvalidHeader", "X-KM-IP-V4 must be the customer's IPv4 address");
    }
    if (!CLIENT_TYPES.includes(h["x-km-client-type"])) {
      throw new Refusal(400, "InvalidHeader", `X-KM-Client-Type must be one of ${CLIENT_TYPES.join(", ")}`);
    }
  }

  /** Decrypts with Nagad's key and checks the merchant's signature over the exact decrypted string. */
  function open({ sensitiveData, signature }) {
    if (typeof sensitiveData !== "string" || typeof signature !== "string") {
      throw new Refusal(400, "InvalidRequest", "sensitiveData and signature are required");
    }
    const encrypted = Buffer.from(sensitiveData, "base64");
    let plain = "";
    let data;
    try {
      plain = privateDecrypt({ key: nagadPrivateKeyPem, padding: PADDING }, encrypted).toString("utf8");
      data = JSON.parse(plain);
    } catch {
      // OpenSSL's implicit rejection turns a wrong key into random bytes rather than an error; JSON.parse catches it.
    }
    if (!data || typeof data !== "object") {
      throw new Refusal(400, "InvalidSensitiveData", "sensitiveData is not JSON encrypted with Nagad's public key");
    }
    if (!createVerify("RSA-SHA256").update(plain).verify(merchantPublicKeyPem, signature, "base64")) {
      throw new Refusal(401, "InvalidSignature", "signature does not match sensitiveData and the merchant's key");
    }
    if (data.merchantId !== merchantId) throw new Refusal(400, "InvalidMerchant", "merchantId does not match");
    return data;
  }

  /** Encrypts for the merchant and signs as Nagad; RSA-2048 PKCS#1 v1.5 fits at most 245 bytes of JSON. */
  function seal(data) {
    const plain = JSON.stringify(data);
    const encrypted = publicEncrypt({ key: merchantPublicKeyPem, padding: PADDING }, Buffer.from(plain));
    return {
      sensitiveData: encrypted.toString("base64"),
      signature: createSign("RSA-SHA256").update(plain).sign(nagadPrivateKeyPem, "base64"),
    };
  }

  function paymentFor(ref) {
    const p = payments.get(ref);
    if (!p) throw new Refusal(404, "InvalidPaymentReference", "unknown payment reference");
    return p;
  }

  function initialize(pathMerchantId, orderId, b) {
    if (pathMerchantId !== merchantId) throw new Refusal(400, "InvalidMerchant", "unknown merchant");
    // ASSUMED: Nagad wants a short alphanumeric orderId, unique per checkout attempt.
    if (!/^[A-Za-z0-9]{1,40}$/.test(orderId)) throw new Refusal(400, "InvalidOrderId", "orderId: 1-40 letters/digits");
    const d = open(b);
    if (d.orderId !== orderId) throw new Refusal(400, "InvalidOrderId", "orderId does not match the path");
    const sent = parseDhakaStamp(d.datetime);
    if (d.datetime !== b.dateTime || !(Math.abs(Date.now() - sent) <= CLOCK_SKEW_MS)) {
      throw new Refusal(
        400,
        "InvalidDateTime",
        "datetime must be now, YYYYMMDDHHmmss in Asia/Dhaka, equal to dateTime",
      );
    }
    if (typeof d.challenge !== "string" || d.challenge === "") {
      throw new Refusal(400, "InvalidChallenge", "challenge is required");
    }
    if (orders.has(orderId)) throw new Refusal(400, "DuplicateOrderId", "orderId was already used");
    let ref;
    do ref = randomBytes(24).toString("base64url");
    while (payments.has(ref));
    const p = {
      paymentRefId: ref,
      orderId,
      merchantChallenge: d.challenge,
      challenge: randomBytes(10).toString("hex"), // Nagad's own; complete must carry this one back
      merchantMobileNo: b.accountNumber ?? null,
      orderTime: Date.now(),
      status: "OrderInitiated",
      amount: null,
      merchantCallbackURL: null,
      additionalMerchantInfo: null,
      clientMobileNo: null,
      issuerPaymentRefNo: null,
      issuerPaymentTime: null,
      refunds: [],
    };
    payments.set(ref, p);
    orders.add(orderId);
    return seal({ paymentReferenceId: ref, challenge: p.challenge, acceptDateTime: dhakaStamp() });
  }

  function complete(ref, b) {
    const p = paymentFor(ref);
    const d = open(b);
    if (p.status !== "OrderInitiated") throw new Refusal(400, "InvalidPaymentState", `payment is ${p.status}`);
    if (d.orderId !== p.orderId) throw new Refusal(400, "InvalidOrderId", "orderId does not match initialize");
    if (d.challenge !== p.challenge) {
      throw new Refusal(400, "InvalidChallenge", "challenge must be the one Nagad returned from initialize");
    }
    if (!validAmount(d.amount)) throw new Refusal(400, "InvalidAmount", 'amount must be like "100.00" and above zero');
    if (d.currencyCode !== "050") throw new Refusal(400, "InvalidCurrency", "currencyCode must be 050 (BDT)");
    if (!isHttpUrl(b.merchantCallbackURL)) {
      throw new Refusal(400, "InvalidCallbackUrl", "merchantCallbackURL is invalid");
    }
    Object.assign(p, {
      status: "Ready",
      amount: d.amount,
      merchantCallbackURL: b.merchantCallbackURL,
      additionalMerchantInfo: b.additionalMerchantInfo ?? null,
    });
    return { status: "Success", callBackUrl: `${origin}/pay/${encodeURIComponent(ref)}` };
  }

  function verify(ref) {
    const p = paymentFor(ref);
    const last = p.refunds.at(-1);
    return {
      merchantId,
      orderId: p.orderId,
      paymentRefId: p.paymentRefId,
      amount: p.amount,
      clientMobileNo: p.clientMobileNo,
      merchantMobileNo: p.merchantMobileNo,
      orderDateTime: verifyTime(p.orderTime),
      issuerPaymentDateTime: verifyTime(p.issuerPaymentTime),
      issuerPaymentRefNo: p.issuerPaymentRefNo,
      additionalMerchantInfo: p.additionalMerchantInfo,
      status: p.status,
      // Only "000" is known for sure; the simulator answers "001" for everything that is not Success.
      statusCode: p.status === "Success" ? "000" : "001",
      // The latest refund, as Nagad reports cancellations on verify.
      cancelIssuerDateTime: last ? verifyTime(last.time) : null,
      cancelIssuerRefNo: last?.cancelIssuerRefNo ?? null,
    };
  }

  // ASSUMED refund API (confirm at onboarding): sealed {merchantId, originalRequestDate (the order's YYYYMMDD),
  // originalAmount, cancelAmount, referenceNo (unique per refund), referenceMessage}.
  function cancel(query, b) {
    const p = paymentFor(query.get("paymentRefId") ?? "");
    if (query.get("orderId") !== p.orderId) throw new Refusal(400, "InvalidOrderId", "orderId does not match");
    const d = open(b);
    if (p.status !== "Success") throw new Refusal(400, "InvalidPaymentState", `payment is ${p.status}`);
    if (d.originalAmount !== p.amount) throw new Refusal(400, "InvalidAmount", "originalAmount is not the paid amount");
    if (d.originalRequestDate !== dhakaStamp(p.orderTime).slice(0, 8)) {
      throw new Refusal(400, "InvalidRequestDate", "originalRequestDate must be the order's date, YYYYMMDD");
    }
    if (!validAmount(d.cancelAmount)) throw new Refusal(400, "InvalidAmount", 'cancelAmount must be like "50.00"');
    if (typeof d.referenceNo !== "string" || !/^[A-Za-z0-9_-]{1,20}$/.test(d.referenceNo)) {
      throw new Refusal(400, "InvalidReferenceNo", "referenceNo: 1-20 letters, digits, _ or -");
    }
    if (p.refunds.some((r) => r.referenceNo === d.referenceNo)) {
      throw new Refusal(400, "DuplicateReferenceNo", "referenceNo was already used for this payment");
    }
    const left = poisha(p.amount) - p.refunds.reduce((sum, r) => sum + poisha(r.cancelAmount), 0);
    if (poisha(d.cancelAmount) > left) {
      throw new Refusal(400, "CancelAmountExceeded", "refunds may not exceed the paid amount");
    }
    const r = {
      referenceNo: d.referenceNo,
      referenceMessage: d.referenceMessage ?? "",
      cancelAmount: d.cancelAmount,
      cancelIssuerRefNo: refCode(10),
      time: Date.now(),
    };
    p.refunds.push(r);
    const { referenceNo, cancelAmount, cancelIssuerRefNo } = r;
    return seal({
      paymentRefId: p.paymentRefId,
      referenceNo,
      cancelAmount,
      cancelIssuerRefNo,
      cancelIssuerDateTime: dhakaStamp(r.time),
    });
  }

  const routes = [
    ["POST", /^\/check-out\/initialize\/([^/]+)\/([^/]+)$/, (m, b) => initialize(m[1], m[2], b)],
    ["POST", /^\/check-out\/complete\/([^/]+)$/, (m, b) => complete(m[1], b)],
    ["GET", /^\/verify\/payment\/([^/]+)$/, (m) => verify(m[1])],
    ["POST", /^\/purchase\/cancel$/, (_m, b, query) => cancel(query, b)],
  ];

  /** The customer on Nagad's page; the redirect is only a hint, verify carries the truth. */
  function approve(res, path, params) {
    const p = payments.get(decodeURIComponent(path.slice("/pay/".length)));
    if (!p) return sendJson(res, 404, { reason: "InvalidPaymentReference", message: "unknown payment reference" });
    if (p.status !== "Ready") {
      return sendJson(res, 410, { reason: "InvalidPaymentState", message: `payment is ${p.status}` });
    }
    const outcome = { merchant: merchantId, order_id: p.orderId, payment_ref_id: p.paymentRefId };
    // Only 00_0000_000 is Nagad's known success code; the other status_code values are the simulator's own.
    if (params.get("action") === "cancel") {
      p.status = "Aborted";
      Object.assign(outcome, { status: "Aborted", status_code: "00_1050_001", message: "Aborted by customer" });
    } else if (faults.take("approval", path) === "insufficient_balance") {
      p.status = "Failed";
      Object.assign(outcome, { status: "Failed", status_code: "00_1010_023", message: "Insufficient balance" });
    } else {
      Object.assign(p, {
        status: "Success",
        clientMobileNo: CUSTOMER_WALLET,
        issuerPaymentRefNo: refCode(10),
        issuerPaymentTime: Date.now(),
      });
      Object.assign(outcome, {
        status: "Success",
        status_code: "00_0000_000",
        message: "Successful Transaction",
        payment_dt: dhakaStamp(p.issuerPaymentTime),
        issuer_payment_ref: p.issuerPaymentRefNo,
      });
    }
    const location = new URL(p.merchantCallbackURL);
    for (const [k, v] of Object.entries(outcome)) location.searchParams.set(k, v);
    res.writeHead(302, { location: location.href });
    res.end();
  }

  const simHook = walletHooks({
    faults,
    payments,
    reset: () => {
      payments.clear();
      orders.clear();
    },
  });

  const server = await listen(
    async (req, res, url) => {
      const path = url.pathname;
      if (path.startsWith("/__sim/")) return simHook(req, res, path);
      if (req.method === "GET" && path.startsWith("/pay/")) return approve(res, path, url.searchParams);
      const sub = path.startsWith(`${BASE}/`) ? path.slice(BASE.length) : "";
      const route = routes.find(([method, pattern]) => method === req.method && pattern.test(sub));
      if (!route) return sendJson(res, 404, { reason: "NotFound", message: `no such endpoint: ${req.method} ${path}` });
      const injected = faults.take("api", path);
      if (injected === "500") return sendJson(res, 500, { reason: "InternalServerError", message: "Injected failure" });
      let status = 200;
      let answer;
      try {
        checkHeaders(req.headers);
        let body = {};
        if (req.method === "POST") {
          try {
            body = JSON.parse((await readBody(req)) || "{}");
          } catch {
            throw new Refusal(400, "InvalidRequest", "body must be JSON");
          }
        }
        const m = sub.match(route[1]).map((part) => decodeURIComponent(part));
        answer = route[2](m, body ?? {}, url.searchParams);
      } catch (err) {
        if (!(err instanceof Refusal)) throw err;
        status = err.status;
        answer = { reason: err.reason, message: err.message };
      }
      if (injected === "timeout") return faults.hold(res, status, answer);
      sendJson(res, status, answer);
    },
    { port, host },
  );
  origin = publicHost ? `http://${publicHost}:${server.port}` : server.url;

  return {
    ...server,
    close: () => {
      faults.cancelAll();
      return server.close();
    },
    /** The internal record of a payment (the same object GET /__sim/payments/{ref} serialises). */
    payment: (paymentRefId) => payments.get(paymentRefId),
  };
}
