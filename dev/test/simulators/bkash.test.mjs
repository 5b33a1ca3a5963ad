// The bKash simulator, driven the way our adapter must drive bKash: these tests are the adapter's protocol spec.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startBkashSimulator } from "../../simulators/bkash.mjs";

const CREDENTIALS = { appKey: "app-key-1", appSecret: "app-secret-1", username: "merchant01", password: "p@ss01" };
const CALLBACK = "https://kormo.test/pay/bkash/callback";

describe("bKash tokenized checkout simulator", () => {
  /** @type {Awaited<ReturnType<typeof startBkashSimulator>>} */
  let sim;
  let base = "";
  let invoiceSeq = 0;

  beforeAll(async () => {
    sim = await startBkashSimulator(CREDENTIALS);
    base = `${sim.url}/v1.2.0-beta/tokenized/checkout`;
  });
  afterAll(() => sim.close());
  beforeEach(async () => {
    await (await fetch(`${sim.url}/__sim/reset`, { method: "POST" })).json();
  });

  /** POST a JSON body to `${base}/${op}` and return {status, body}. */
  async function post(op, body, headers = {}, init = {}) {
    const res = await fetch(`${base}/${op}`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", ...headers },
      body: JSON.stringify(body),
      ...init,
    });
    return { status: res.status, body: await res.json() };
  }

  async function grant(overrides = {}) {
    const { username, password, appKey, appSecret } = { ...CREDENTIALS, ...overrides };
    return post("token/grant", { app_key: appKey, app_secret: appSecret }, { username, password });
  }

  /** A merchant session: one grant, then calls with the raw id_token and X-APP-Key, as bKash wants them. */
  async function session() {
    const { body } = await grant();
    const headers = { authorization: body.id_token, "x-app-key": CREDENTIALS.appKey };
    return { tokens: body, call: (op, payload, init) => post(op, payload, headers, init) };
  }

  function paymentRequest(overrides = {}) {
    invoiceSeq += 1;
    return {
      mode: "0011",
      payerReference: "01712345678",
      callbackURL: CALLBACK,
      amount: "250.00",
      currency: "BDT",
      intent: "sale",
      merchantInvoiceNumber: `KM-${Date.now()}-${invoiceSeq}`,
      ...overrides,
    };
  }

  /** The customer on the bKash page; returns the callback URL bKash redirects the browser to. */
  async function customer(bkashURL, query = "") {
    const res = await fetch(`${bkashURL}${query}`, { redirect: "manual" });
    expect(res.status).toBe(302);
    return new URL(/** @type {string} */ (res.headers.get("location")));
  }

  async function approvedPayment(call, overrides = {}) {
    const created = (await call("create", paymentRequest(overrides))).body;
    await customer(created.bkashURL, "?pin=12121");
    return created;
  }

  async function fail(rule) {
    const res = await fetch(`${sim.url}/__sim/fail`, { method: "POST", body: JSON.stringify(rule) });
    expect(res.status).toBe(200);
    await res.json();
  }

  it("grants a Bearer id_token for one hour to the right credentials and counts every grant request", async () => {
    const { status, body } = await grant();
    expect(status).toBe(200);
    expect(body).toEqual({
      statusCode: "0000",
      statusMessage: "Successful",
      id_token: expect.any(String),
      token_type: "Bearer",
      expires_in: 3600,
      refresh_token: expect.any(String),
    });
    await grant({ password: "wrong" });
    expect(sim.grantRequests()).toBe(2);
  });

  it("refuses a grant with a wrong password or secret (2079) or app key (2001), still with HTTP 200", async () => {
    for (const overrides of [{ password: "wrong" }, { username: "other" }, { appSecret: "wrong" }]) {
      const { status, body } = await grant(overrides);
      expect(status).toBe(200);
      expect(body).toEqual({ statusCode: "2079", statusMessage: "Invalid username and password" });
    }
    expect((await grant({ appKey: "wrong" })).body.statusCode).toBe("2001");
  });

  it("refreshes a token with the refresh_token, and the new id_token works while a made-up refresh_token does not", async () => {
    const first = (await grant()).body;
    const auth = { username: CREDENTIALS.username, password: CREDENTIALS.password };
    const keys = { app_key: CREDENTIALS.appKey, app_secret: CREDENTIALS.appSecret };
    const refreshed = (await post("token/refresh", { ...keys, refresh_token: first.refresh_token }, auth)).body;
    expect(refreshed.statusCode).toBe("0000");
    expect(refreshed.id_token).not.toBe(first.id_token);
    const headers = { authorization: refreshed.id_token, "x-app-key": CREDENTIALS.appKey };
    expect((await post("create", paymentRequest(), headers)).body.statusCode).toBe("0000");
    expect((await post("token/refresh", { ...keys, refresh_token: "made-up" }, auth)).body.statusCode).toBe("2079");
    expect(sim.refreshRequests()).toBe(2);
    expect(sim.grantRequests()).toBe(1);
  });

  it("answers like bKash's API gateway when the token or app key is missing, prefixed, expired or wrong", async () => {
    const { tokens } = await session();
    const body = paymentRequest();
    const key = { "x-app-key": CREDENTIALS.appKey };
    expect(await post("create", body, key)).toEqual({ status: 401, body: { message: "Unauthorized" } });
    expect(await post("create", body, { ...key, authorization: `Bearer ${tokens.id_token}` })).toEqual({
      status: 401,
      body: { message: "Unauthorized" },
    });
    expect(await post("create", body, { authorization: tokens.id_token })).toEqual({
      status: 403,
      body: { message: "Forbidden" },
    });
    expect(await post("no/such/op", body, { ...key, authorization: tokens.id_token })).toEqual({
      status: 403,
      body: { message: "Missing Authentication Token" },
    });
    sim.expireTokens();
    expect(await post("create", body, { ...key, authorization: tokens.id_token })).toEqual({
      status: 401,
      body: { message: "The incoming token has expired" },
    });
  });

  it("creates a sale, lets the customer approve it, and completes it only on execute", async () => {
    const { call } = await session();
    const request = paymentRequest();
    const created = (await call("create", request)).body;
    expect(created).toMatchObject({
      statusCode: "0000",
      paymentID: expect.stringMatching(/^TR0011/),
      bkashURL: `${sim.url}/pay/${created.paymentID}`,
      callbackURL: CALLBACK,
      successCallbackURL: `${CALLBACK}?paymentID=${created.paymentID}&status=success`,
      failureCallbackURL: `${CALLBACK}?paymentID=${created.paymentID}&status=failure`,
      cancelledCallbackURL: `${CALLBACK}?paymentID=${created.paymentID}&status=cancel`,
      amount: "250.00",
      intent: "sale",
      currency: "BDT",
      transactionStatus: "Initiated",
      merchantInvoiceNumber: request.merchantInvoiceNumber,
    });
    expect(created.paymentCreateTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d:\d{3} GMT\+0600$/);

    const callback = await customer(created.bkashURL, "?pin=12121");
    expect(`${callback.origin}${callback.pathname}`).toBe(CALLBACK);
    expect(Object.fromEntries(callback.searchParams)).toEqual({ paymentID: created.paymentID, status: "success" });
    // Approval alone moves no money: the merchant's execute does.
    expect((await call("payment/status", { paymentID: created.paymentID })).body.transactionStatus).toBe("Initiated");

    const executed = (await call("execute", { paymentID: created.paymentID })).body;
    expect(executed).toMatchObject({
      statusCode: "0000",
      paymentID: created.paymentID,
      trxID: expect.stringMatching(/^[A-Z0-9]{10}$/),
      transactionStatus: "Completed",
      amount: "250.00",
      currency: "BDT",
      intent: "sale",
      customerMsisdn: "01712345678",
      merchantInvoiceNumber: request.merchantInvoiceNumber,
    });
    const status = (await call("payment/status", { paymentID: created.paymentID })).body;
    expect(status).toMatchObject({ statusCode: "0000", transactionStatus: "Completed", trxID: executed.trxID });
  });

  it("refuses create without two-decimal positive amount, BDT, mode 0011, a known intent, a field, or a fresh invoice", async () => {
    const { call } = await session();
    const cases = [
      [{ amount: "250" }, "2006"],
      [{ amount: "0.00" }, "2006"],
      [{ amount: "-5.00" }, "2006"],
      [{ currency: "USD" }, "2007"],
      [{ mode: "0001" }, "2063"],
      [{ intent: "hold" }, "2008"],
      [{ callbackURL: "not a url" }, "2049"],
      [{ payerReference: undefined }, "2065"],
    ];
    for (const [overrides, code] of cases) {
      expect((await call("create", paymentRequest(overrides))).body.statusCode, JSON.stringify(overrides)).toBe(code);
    }
    const request = paymentRequest();
    expect((await call("create", request)).body.statusCode).toBe("0000");
    expect((await call("create", request)).body).toEqual({
      statusCode: "2029",
      statusMessage: "Duplicate for all transactions",
    });
  });

  it("refuses execute before the customer approved (2056) and a second execute (2117)", async () => {
    const { call } = await session();
    const created = (await call("create", paymentRequest())).body;
    expect((await call("execute", { paymentID: created.paymentID })).body).toEqual({
      statusCode: "2056",
      statusMessage: "Invalid Payment State",
    });
    await customer(created.bkashURL);
    expect((await call("execute", { paymentID: created.paymentID })).body.statusCode).toBe("0000");
    expect((await call("execute", { paymentID: created.paymentID })).body).toEqual({
      statusCode: "2117",
      statusMessage: "Payment execution already been called before",
    });
    expect((await call("execute", { paymentID: "TR0011XX0" })).body.statusCode).toBe("2002");
  });

  it("redirects with status=cancel when the customer cancels, and the payment can no longer be executed", async () => {
    const { call } = await session();
    const created = (await call("create", paymentRequest())).body;
    const callback = await customer(created.bkashURL, "?action=cancel");
    expect(callback.searchParams.get("status")).toBe("cancel");
    expect((await call("execute", { paymentID: created.paymentID })).body.statusCode).toBe("2056");
    expect((await call("payment/status", { paymentID: created.paymentID })).body.transactionStatus).toBe("Cancelled");
    // The page is closed once the customer has decided.
    expect((await fetch(created.bkashURL, { redirect: "manual" })).status).toBe(410);
  });

  it("fails the payment for insufficient balance: failure redirect, execute answers 2023, status Failed", async () => {
    const { call } = await session();
    await fail({ mode: "insufficient_balance", count: 1 });
    const created = (await call("create", paymentRequest())).body;
    expect((await customer(created.bkashURL)).searchParams.get("status")).toBe("failure");
    expect((await call("execute", { paymentID: created.paymentID })).body).toEqual({
      statusCode: "2023",
      statusMessage: "Insufficient Balance",
    });
    expect((await call("payment/status", { paymentID: created.paymentID })).body.transactionStatus).toBe("Failed");
    // The injection was used up: the next customer pays.
    const next = await approvedPayment(call);
    expect((await call("execute", { paymentID: next.paymentID })).body.transactionStatus).toBe("Completed");
  });

  it("holds an authorization on execute, captures it once, and refuses a second capture with 2062", async () => {
    const { call } = await session();
    const created = await approvedPayment(call, { intent: "authorization" });
    const executed = (await call("execute", { paymentID: created.paymentID })).body;
    expect(executed).toMatchObject({ statusCode: "0000", transactionStatus: "Authorized", intent: "authorization" });
    const refundEarly = { paymentID: created.paymentID, trxID: executed.trxID, amount: "10.00", sku: "s", reason: "r" };
    expect((await call("payment/refund", refundEarly)).body.errorCode).toBe("2056");

    const captured = (await call("payment/confirm/capture", { paymentID: created.paymentID })).body;
    expect(captured).toMatchObject({
      statusCode: "0000",
      paymentID: created.paymentID,
      trxID: executed.trxID,
      transactionStatus: "Completed",
      amount: "250.00",
    });
    expect((await call("payment/confirm/capture", { paymentID: created.paymentID })).body).toEqual({
      errorCode: "2062",
      errorMessage: "The payment has already been completed",
    });
    expect((await call("payment/confirm/void", { paymentID: created.paymentID })).body.errorCode).toBe("2062");
    expect((await call("payment/status", { paymentID: created.paymentID })).body.transactionStatus).toBe("Completed");
  });

  it("voids an authorization to Cancelled and refuses a capture after the void with 2069", async () => {
    const { call } = await session();
    const created = await approvedPayment(call, { intent: "authorization" });
    await call("execute", { paymentID: created.paymentID });
    const voided = (await call("payment/confirm/void", { paymentID: created.paymentID })).body;
    expect(voided).toMatchObject({ statusCode: "0000", transactionStatus: "Cancelled" });
    expect((await call("payment/confirm/capture", { paymentID: created.paymentID })).body).toEqual({
      errorCode: "2069",
      errorMessage: "Transaction has already been cancelled",
    });
    expect((await call("payment/status", { paymentID: created.paymentID })).body.transactionStatus).toBe("Cancelled");
  });

  it("refuses to capture or void a sale that was never authorized", async () => {
    const { call } = await session();
    const created = await approvedPayment(call);
    expect((await call("payment/confirm/capture", { paymentID: created.paymentID })).body.errorCode).toBe("2056");
    expect((await call("payment/confirm/void", { paymentID: created.paymentID })).body.errorCode).toBe("2056");
  });

  it("refunds in parts up to the paid amount, refuses more (2026) and then anything (2034)", async () => {
    const { call } = await session();
    const created = await approvedPayment(call);
    const { trxID } = (await call("execute", { paymentID: created.paymentID })).body;
    const refund = (amount) =>
      call("payment/refund", { paymentID: created.paymentID, trxID, amount, sku: "booking", reason: "cancelled" });

    const first = (await refund("100.00")).body;
    expect(first).toEqual({
      statusCode: "0000",
      statusMessage: "Successful",
      originalTrxID: trxID,
      refundTrxID: expect.stringMatching(/^[A-Z0-9]{10}$/),
      transactionStatus: "Completed",
      amount: "100.00",
      currency: "BDT",
      charge: "0.00",
      completedTime: expect.stringMatching(/GMT\+0600$/),
    });
    expect((await refund("150.01")).body).toEqual({
      errorCode: "2026",
      errorMessage: "The reversal amount cannot be greater than the original transaction amount",
    });
    expect((await refund("150.00")).body.statusCode).toBe("0000");
    expect((await refund("0.01")).body.errorCode).toBe("2034");
    expect((await call("payment/status", { paymentID: created.paymentID })).body.refundAmount).toBe("250.00");
  });

  it("answers a refund without an amount with the latest refund, and refuses a refund naming another trxID", async () => {
    const { call } = await session();
    const created = await approvedPayment(call);
    const { trxID } = (await call("execute", { paymentID: created.paymentID })).body;
    const query = { paymentID: created.paymentID, trxID };
    expect((await call("payment/refund", query)).body.errorCode).toBe("2033");
    const done = (await call("payment/refund", { ...query, amount: "20.00", sku: "b", reason: "r" })).body;
    expect((await call("payment/refund", query)).body).toMatchObject({
      refundTrxID: done.refundTrxID,
      amount: "20.00",
    });
    const wrong = { ...query, trxID: "AAAAAAAAAA", amount: "20.00", sku: "b", reason: "r" };
    expect((await call("payment/refund", wrong)).body.errorCode).toBe("2028");
  });

  it("answers HTTP 500 without acting under the 500 failure, only on calls matching path_suffix", async () => {
    const { call } = await session();
    await fail({ mode: "500", count: 1, path_suffix: "/execute" });
    const created = await approvedPayment(call);
    expect(await call("execute", { paymentID: created.paymentID })).toEqual({
      status: 500,
      body: { message: "Internal server error" },
    });
    expect((await call("payment/status", { paymentID: created.paymentID })).body.transactionStatus).toBe("Initiated");
    expect((await call("execute", { paymentID: created.paymentID })).body.transactionStatus).toBe("Completed");
  });

  it("performs the operation under the timeout failure but withholds the answer, so status must settle it", async () => {
    const { call } = await session();
    const created = await approvedPayment(call);
    await fail({ mode: "timeout", count: 1, path_suffix: "/execute" });
    const started = Date.now();
    await expect(
      call("execute", { paymentID: created.paymentID }, { signal: AbortSignal.timeout(300) }),
    ).rejects.toThrow();
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    const status = (await call("payment/status", { paymentID: created.paymentID })).body;
    expect(status).toMatchObject({ transactionStatus: "Completed", trxID: expect.any(String) });
  });

  it("shows the internal record on /__sim/payments and forgets payments on /__sim/reset", async () => {
    const { call } = await session();
    const created = (await call("create", paymentRequest())).body;
    const record = await fetch(`${sim.url}/__sim/payments/${created.paymentID}`);
    expect(await record.json()).toMatchObject({ paymentID: created.paymentID, approval: "pending", refunds: [] });
    expect(sim.payment(created.paymentID)?.amount).toBe("250.00");
    await fetch(`${sim.url}/__sim/reset`, { method: "POST" });
    expect((await fetch(`${sim.url}/__sim/payments/${created.paymentID}`)).status).toBe(404);
    expect(sim.grantRequests()).toBe(0);
  });

  describe("disbursement (B2C payouts)", () => {
    const b2c = (overrides = {}) => ({
      amount: "880.00",
      currency: "BDT",
      merchantInvoiceNumber: `KMP-${++invoiceSeq}TESTINV`,
      receiverMSISDN: "01712345678",
      ...overrides,
    });

    it("pays from the disbursement wallet once it is topped up, and never twice for one invoice", async () => {
      const { call } = await session();
      const empty = await call("payment/b2cPayment", b2c());
      expect(empty.body).toEqual({ errorCode: "2023", errorMessage: "Insufficient Balance" });
      const top = await call("payment/intraAccountTransfer", {
        amount: "1000.00",
        currency: "BDT",
        transferType: "Collection2Disbursement",
      });
      expect(top.body).toMatchObject({ statusCode: "0000", transactionStatus: "Completed" });
      const balance = await fetch(`${base}/payment/organizationBalance`, {
        headers: { authorization: (await grant()).body.id_token, "x-app-key": CREDENTIALS.appKey },
      });
      expect((await balance.json()).organizationBalance).toContainEqual(
        expect.objectContaining({ accountTypeName: "Disbursement", availableBalance: "1000.00" }),
      );
      const req = b2c();
      const paid = await call("payment/b2cPayment", req);
      expect(paid.body).toMatchObject({
        statusCode: "0000",
        transactionStatus: "Completed",
        merchantInvoiceNumber: req.merchantInvoiceNumber,
      });
      expect((await call("payment/b2cPayment", req)).body).toEqual({
        errorCode: "2029",
        errorMessage: "Duplicate invoice number",
      });
      expect(
        (await call("payment/b2cPayment/query", { merchantInvoiceNumber: req.merchantInvoiceNumber })).body,
      ).toMatchObject({ trxID: paid.body.trxID });
      expect((await call("payment/b2cPayment/query", { merchantInvoiceNumber: "KMP-NEVER" })).body.errorCode).toBe(
        "2056",
      );
    });

    it("refuses a bad receiver, a bad amount and an unknown transfer type as bKash does", async () => {
      const { call } = await session();
      expect((await call("payment/b2cPayment", b2c({ receiverMSISDN: "0171234" }))).body.errorCode).toBe("2012");
      expect((await call("payment/b2cPayment", b2c({ amount: "880" }))).body.errorCode).toBe("2065");
      expect(
        (await call("payment/intraAccountTransfer", { amount: "1.00", currency: "BDT", transferType: "Sideways" })).body
          .errorCode,
      ).toBe("2032");
      // Without the grant token, bKash's gateway answers before the API does.
      expect((await post("payment/b2cPayment", b2c())).status).toBe(401);
    });
  });
});
