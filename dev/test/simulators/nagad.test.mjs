// The Nagad simulator, driven the way our adapter must drive Nagad: real RSA sealing, so these tests are the adapter's spec.
import {
  constants,
  createPublicKey,
  createSign,
  createVerify,
  generateKeyPairSync,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
} from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { generateNagadKeys, startNagadSimulator } from "../../simulators/nagad.mjs";

const MERCHANT_ID = "683002007104225";
const CALLBACK = "https://kormo.test/pay/nagad/callback";
const HEADERS = {
  "content-type": "application/json",
  "X-KM-Api-Version": "v-0.2.0",
  "X-KM-IP-V4": "103.4.145.2",
  "X-KM-Client-Type": "PC_WEB",
};

/** YYYYMMDDHHmmss in Asia/Dhaka (UTC+6), shifted by `offsetMs`. */
function dhakaNow(offsetMs = 0) {
  return new Date(Date.now() + offsetMs + 6 * 3600_000).toISOString().slice(0, 19).replace(/[-T:]/g, "");
}

describe("Nagad merchant checkout simulator", () => {
  /** @type {Awaited<ReturnType<typeof generateNagadKeys>>} */
  let keys;
  /** @type {Awaited<ReturnType<typeof startNagadSimulator>>} */
  let sim;
  let base = "";
  let orderSeq = 0;

  beforeAll(async () => {
    keys = await generateNagadKeys();
    sim = await startNagadSimulator({
      merchantId: MERCHANT_ID,
      merchantPublicKeyPem: keys.merchantPublicKeyPem,
      nagadPrivateKeyPem: keys.nagadPrivateKeyPem,
    });
    base = `${sim.url}/remote-payment-gateway-1.0/api/dfs`;
  });
  afterAll(() => sim.close());
  beforeEach(async () => {
    await (await fetch(`${sim.url}/__sim/reset`, { method: "POST" })).json();
  });

  // The merchant's side of the crypto, with exactly the primitives our Workers adapter uses.
  /** sensitiveData and signature for `data`: encrypted for Nagad, signed by `signer` (the merchant by default). */
  function sealForNagad(data, signer = keys.merchantPrivateKeyPem, recipient = keys.nagadPublicKeyPem) {
    const json = JSON.stringify(data);
    const encrypted = publicEncrypt({ key: recipient, padding: constants.RSA_PKCS1_PADDING }, Buffer.from(json));
    return {
      sensitiveData: encrypted.toString("base64"),
      signature: createSign("RSA-SHA256").update(json).sign(signer, "base64"),
    };
  }

  /** Decrypts Nagad's answer with the merchant key and insists Nagad's signature covers it. */
  function openFromNagad({ sensitiveData, signature }) {
    const json = privateDecrypt(
      { key: keys.merchantPrivateKeyPem, padding: constants.RSA_PKCS1_PADDING },
      Buffer.from(sensitiveData, "base64"),
    ).toString("utf8");
    expect(createVerify("RSA-SHA256").update(json).verify(keys.nagadPublicKeyPem, signature, "base64")).toBe(true);
    return JSON.parse(json);
  }

  async function call(method, path, body, headers = HEADERS, init = {}) {
    const res = await fetch(`${base}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      ...init,
    });
    return { status: res.status, body: await res.json() };
  }

  const newOrderId = () => `KM${Date.now()}${++orderSeq}`;

  function initializeBody(orderId, overrides = {}, sealing = []) {
    const datetime = overrides.datetime ?? dhakaNow();
    const data = {
      merchantId: MERCHANT_ID,
      datetime,
      orderId,
      challenge: randomBytes(20).toString("hex"),
      ...overrides,
    };
    return { accountNumber: "01711428036", dateTime: datetime, ...sealForNagad(data, ...sealing) };
  }

  async function initialize(orderId = newOrderId()) {
    const { status, body } = await call(
      "POST",
      `/check-out/initialize/${MERCHANT_ID}/${orderId}`,
      initializeBody(orderId),
    );
    expect(status).toBe(200);
    return { orderId, ...openFromNagad(body) };
  }

  function completeBody(init, overrides = {}) {
    const data = {
      merchantId: MERCHANT_ID,
      orderId: init.orderId,
      amount: "100.00",
      currencyCode: "050",
      challenge: init.challenge,
    };
    return { ...sealForNagad({ ...data, ...overrides }), merchantCallbackURL: CALLBACK };
  }

  /** initialize + complete; returns the init data and the customer's page URL. */
  async function checkout(overrides = {}) {
    const init = await initialize();
    const { status, body } = await call(
      "POST",
      `/check-out/complete/${init.paymentReferenceId}`,
      completeBody(init, overrides),
    );
    expect(status).toBe(200);
    return { ...init, callBackUrl: body.callBackUrl };
  }

  /** The customer on Nagad's page; returns where Nagad redirects the browser. */
  async function customer(pageUrl, query = "") {
    const res = await fetch(`${pageUrl}${query}`, { redirect: "manual" });
    expect(res.status).toBe(302);
    return new URL(/** @type {string} */ (res.headers.get("location")));
  }

  const verify = async (ref) => (await call("GET", `/verify/payment/${ref}`)).body;

  async function refund(paid, fields) {
    const data = {
      merchantId: MERCHANT_ID,
      originalRequestDate: dhakaNow().slice(0, 8),
      originalAmount: "100.00",
      cancelAmount: "40.00",
      referenceNo: `R${++orderSeq}`,
      referenceMessage: "booking cancelled",
      ...fields,
    };
    const query = `paymentRefId=${encodeURIComponent(paid.paymentReferenceId)}&orderId=${paid.orderId}`;
    return call("POST", `/purchase/cancel?${query}`, sealForNagad(data));
  }

  async function fail(rule) {
    const res = await fetch(`${sim.url}/__sim/fail`, { method: "POST", body: JSON.stringify(rule) });
    expect(res.status).toBe(200);
    await res.json();
  }

  it("generates two distinct RSA-2048 key pairs with PKCS#8 private keys", async () => {
    expect(keys.merchantPrivateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(keys.nagadPrivateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(keys.merchantPublicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(createPublicKey(keys.merchantPrivateKeyPem).export({ type: "spki", format: "pem" })).toBe(
      keys.merchantPublicKeyPem,
    );
    expect(createPublicKey(keys.nagadPublicKeyPem).asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(keys.nagadPublicKeyPem).not.toBe(keys.merchantPublicKeyPem);
  });

  it("initializes from an encrypted, merchant-signed request and answers sealed for the merchant with its own challenge", async () => {
    const orderId = newOrderId();
    const body = initializeBody(orderId);
    const { status, body: answer } = await call("POST", `/check-out/initialize/${MERCHANT_ID}/${orderId}`, body);
    expect(status).toBe(200);
    expect(Object.keys(answer).sort()).toEqual(["sensitiveData", "signature"]);
    const opened = openFromNagad(answer);
    expect(opened).toEqual({
      paymentReferenceId: expect.any(String),
      challenge: expect.stringMatching(/^[0-9a-f]{20}$/),
      acceptDateTime: expect.stringMatching(/^\d{14}$/),
    });
    expect(sim.payment(opened.paymentReferenceId)).toMatchObject({ orderId, status: "OrderInitiated" });
  });

  it("refuses calls without the X-KM headers or with a client type Nagad does not know", async () => {
    const orderId = newOrderId();
    const body = initializeBody(orderId);
    const path = `/check-out/initialize/${MERCHANT_ID}/${orderId}`;
    for (const name of ["X-KM-Api-Version", "X-KM-IP-V4", "X-KM-Client-Type"]) {
      const { [name]: _dropped, ...headers } = HEADERS;
      const { status, body: answer } = await call("POST", path, body, headers);
      expect(status, name).toBe(400);
      expect(answer).toEqual({ reason: "InvalidHeader", message: expect.stringContaining(name) });
    }
    expect((await call("POST", path, body, { ...HEADERS, "X-KM-Client-Type": "DESKTOP" })).status).toBe(400);
    expect((await call("GET", "/verify/payment/anything", undefined, {})).body.reason).toBe("InvalidHeader");
  });

  it("refuses a signature forged with another key (401) and data not encrypted for Nagad's key (400)", async () => {
    const stranger = generateKeyPairSync("rsa", {
      modulusLength: 2048,
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
      publicKeyEncoding: { type: "spki", format: "pem" },
    });
    const orderId = newOrderId();
    const path = `/check-out/initialize/${MERCHANT_ID}/${orderId}`;
    const forged = await call("POST", path, initializeBody(orderId, {}, [stranger.privateKey]));
    expect(forged).toEqual({
      status: 401,
      body: { reason: "InvalidSignature", message: expect.any(String) },
    });
    const misaddressed = await call("POST", path, initializeBody(orderId, {}, [undefined, keys.merchantPublicKeyPem]));
    expect(misaddressed.status).toBe(400);
    expect(misaddressed.body.reason).toBe("InvalidSensitiveData");
    // A signature over other bytes than the encrypted JSON also fails.
    const body = initializeBody(orderId);
    body.signature = sealForNagad({ merchantId: MERCHANT_ID, orderId: "other" }).signature;
    expect((await call("POST", path, body)).status).toBe(401);
  });

  it("refuses initialize when merchantId or orderId differ from the path, datetime is stale, or the orderId was used", async () => {
    const orderId = newOrderId();
    const path = `/check-out/initialize/${MERCHANT_ID}/${orderId}`;
    const reasonFor = async (body, at = path) => (await call("POST", at, body)).body.reason;
    expect(await reasonFor(initializeBody(orderId, { merchantId: "683002007100000" }))).toBe("InvalidMerchant");
    expect(await reasonFor(initializeBody(orderId), `/check-out/initialize/683002007100000/${orderId}`)).toBe(
      "InvalidMerchant",
    );
    expect(await reasonFor(initializeBody(orderId, { orderId: "KMother" }))).toBe("InvalidOrderId");
    expect(await reasonFor(initializeBody(orderId, { datetime: dhakaNow(-10 * 60_000) }))).toBe("InvalidDateTime");
    // A UTC timestamp is six hours off Dhaka time.
    const utc = new Date().toISOString().slice(0, 19).replace(/[-T:]/g, "");
    expect(await reasonFor(initializeBody(orderId, { datetime: utc }))).toBe("InvalidDateTime");
    expect((await call("POST", path, initializeBody(orderId))).status).toBe(200);
    expect(await reasonFor(initializeBody(orderId))).toBe("DuplicateOrderId");
  });

  it("completes with Nagad's challenge, approves on the customer page, redirects with Success, and verify agrees", async () => {
    const init = await initialize();
    const completed = await call("POST", `/check-out/complete/${init.paymentReferenceId}`, completeBody(init));
    expect(completed).toEqual({
      status: 200,
      body: { status: "Success", callBackUrl: `${sim.url}/pay/${init.paymentReferenceId}` },
    });
    expect(await verify(init.paymentReferenceId)).toMatchObject({ status: "Ready", statusCode: "001" });

    const callback = await customer(completed.body.callBackUrl);
    expect(`${callback.origin}${callback.pathname}`).toBe(CALLBACK);
    expect(Object.fromEntries(callback.searchParams)).toEqual({
      merchant: MERCHANT_ID,
      order_id: init.orderId,
      payment_ref_id: init.paymentReferenceId,
      status: "Success",
      status_code: "00_0000_000",
      message: "Successful Transaction",
      payment_dt: expect.stringMatching(/^\d{14}$/),
      issuer_payment_ref: expect.any(String),
    });

    const verified = await verify(init.paymentReferenceId);
    expect(verified).toMatchObject({
      merchantId: MERCHANT_ID,
      orderId: init.orderId,
      paymentRefId: init.paymentReferenceId,
      amount: "100.00",
      clientMobileNo: expect.stringMatching(/^01\d{9}$/),
      merchantMobileNo: "01711428036",
      issuerPaymentRefNo: callback.searchParams.get("issuer_payment_ref"),
      status: "Success",
      statusCode: "000",
    });
    expect(verified.issuerPaymentDateTime).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.0$/);
    // The page closes once the customer has paid.
    expect((await fetch(completed.body.callBackUrl, { redirect: "manual" })).status).toBe(410);
  });

  it("refuses complete carrying the merchant's own challenge instead of the one Nagad returned", async () => {
    const init = await initialize();
    const ownChallenge = completeBody(init, { challenge: randomBytes(20).toString("hex") });
    const answer = await call("POST", `/check-out/complete/${init.paymentReferenceId}`, ownChallenge);
    expect(answer).toEqual({ status: 400, body: { reason: "InvalidChallenge", message: expect.any(String) } });
    expect(sim.payment(init.paymentReferenceId)?.status).toBe("OrderInitiated");
  });

  it("refuses complete with a currency other than 050, an amount without two decimals, or an unknown reference", async () => {
    const init = await initialize();
    const path = `/check-out/complete/${init.paymentReferenceId}`;
    expect((await call("POST", path, completeBody(init, { currencyCode: "BDT" }))).body.reason).toBe("InvalidCurrency");
    expect((await call("POST", path, completeBody(init, { amount: "100" }))).body.reason).toBe("InvalidAmount");
    expect((await call("POST", path, completeBody(init, { amount: "0.00" }))).body.reason).toBe("InvalidAmount");
    expect((await call("POST", "/check-out/complete/nope", completeBody(init))).status).toBe(404);
    expect((await call("POST", path, completeBody(init))).status).toBe(200);
    expect((await call("POST", path, completeBody(init))).body.reason).toBe("InvalidPaymentState");
  });

  it("redirects with Aborted when the customer cancels, and verify reports Aborted", async () => {
    const paid = await checkout();
    const callback = await customer(paid.callBackUrl, "?action=cancel");
    expect(callback.searchParams.get("status")).toBe("Aborted");
    expect(callback.searchParams.get("status_code")).not.toBe("00_0000_000");
    expect(await verify(paid.paymentReferenceId)).toMatchObject({ status: "Aborted", issuerPaymentRefNo: null });
  });

  it("fails the payment for insufficient balance once when told to", async () => {
    await fail({ mode: "insufficient_balance", count: 1 });
    const broke = await checkout();
    expect((await customer(broke.callBackUrl)).searchParams.get("status")).toBe("Failed");
    expect((await verify(broke.paymentReferenceId)).status).toBe("Failed");
    const next = await checkout();
    expect((await customer(next.callBackUrl)).searchParams.get("status")).toBe("Success");
  });

  it("refunds in parts with sealed cancel requests, up to the paid amount and once per referenceNo", async () => {
    const paid = await checkout();
    await customer(paid.callBackUrl);
    const first = await refund(paid, { referenceNo: "RF1", cancelAmount: "60.00" });
    expect(first.status).toBe(200);
    const opened = openFromNagad(first.body);
    expect(opened).toEqual({
      paymentRefId: paid.paymentReferenceId,
      referenceNo: "RF1",
      cancelAmount: "60.00",
      cancelIssuerRefNo: expect.stringMatching(/^[A-Z0-9]{10}$/),
      cancelIssuerDateTime: expect.stringMatching(/^\d{14}$/),
    });
    expect((await verify(paid.paymentReferenceId)).cancelIssuerRefNo).toBe(opened.cancelIssuerRefNo);
    expect((await refund(paid, { referenceNo: "RF1", cancelAmount: "10.00" })).body.reason).toBe(
      "DuplicateReferenceNo",
    );
    expect((await refund(paid, { cancelAmount: "40.01" })).body.reason).toBe("CancelAmountExceeded");
    expect((await refund(paid, { originalAmount: "90.00" })).body.reason).toBe("InvalidAmount");
    expect((await refund(paid, { originalRequestDate: "20000101" })).body.reason).toBe("InvalidRequestDate");
    expect((await refund(paid, { cancelAmount: "40.00" })).status).toBe(200);
    expect((await refund(paid, { cancelAmount: "0.01" })).body.reason).toBe("CancelAmountExceeded");
  });

  it("refuses a refund before the payment succeeded", async () => {
    const unpaid = await checkout();
    const answer = await refund(unpaid, {});
    expect(answer).toEqual({ status: 400, body: { reason: "InvalidPaymentState", message: "payment is Ready" } });
  });

  it("answers HTTP 500 without acting under the 500 failure", async () => {
    const init = await initialize();
    await fail({ mode: "500", count: 1, path_suffix: `/complete/${init.paymentReferenceId}` });
    const path = `/check-out/complete/${init.paymentReferenceId}`;
    expect((await call("POST", path, completeBody(init))).status).toBe(500);
    expect(sim.payment(init.paymentReferenceId)?.status).toBe("OrderInitiated");
    expect((await call("POST", path, completeBody(init))).status).toBe(200);
  });

  it("performs a refund under the timeout failure but withholds the answer, so verify must settle it", async () => {
    const paid = await checkout();
    await customer(paid.callBackUrl);
    await fail({ mode: "timeout", count: 1, path_suffix: "/purchase/cancel" });
    const query = `paymentRefId=${encodeURIComponent(paid.paymentReferenceId)}&orderId=${paid.orderId}`;
    const data = {
      merchantId: MERCHANT_ID,
      originalRequestDate: dhakaNow().slice(0, 8),
      originalAmount: "100.00",
      cancelAmount: "100.00",
      referenceNo: "RFT",
      referenceMessage: "no show",
    };
    const started = Date.now();
    const pending = call("POST", `/purchase/cancel?${query}`, sealForNagad(data), HEADERS, {
      signal: AbortSignal.timeout(300),
    });
    await expect(pending).rejects.toThrow();
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect((await verify(paid.paymentReferenceId)).cancelIssuerRefNo).toEqual(expect.any(String));
    expect(sim.payment(paid.paymentReferenceId)?.refunds).toHaveLength(1);
  });

  it("shows the internal record on /__sim/payments and forgets it on /__sim/reset", async () => {
    const init = await initialize();
    const record = await fetch(`${sim.url}/__sim/payments/${init.paymentReferenceId}`);
    expect(await record.json()).toMatchObject({ orderId: init.orderId, challenge: init.challenge });
    await (await fetch(`${sim.url}/__sim/reset`, { method: "POST" })).json();
    expect((await fetch(`${sim.url}/__sim/payments/${init.paymentReferenceId}`)).status).toBe(404);
  });
});
