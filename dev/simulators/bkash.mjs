// bKash Tokenized Checkout v1.2.0-beta simulator: tokens, create/approve/execute, authorize-capture-void and refunds.
import { randomBytes } from "node:crypto";
import { listen, readBody, sendJson } from "./http.mjs";
import { poisha, refCode, taka, validAmount, walletFaults, walletHooks } from "./wallet.mjs";

const BASE = "/v1.2.0-beta/tokenized/checkout";
// Payouts (B2C, disbursement) share the checkout's grant token and base: payment/organizationBalance (GET),
// payment/intraAccountTransfer {amount, currency, transferType: Collection2Disbursement|Disbursement2Collection},
// payment/b2cPayment {amount, currency:"BDT", merchantInvoiceNumber, receiverMSISDN} (2012 invalid receiver, 2023
// insufficient balance, 2029 duplicate invoice, 2032 invalid transfer type), payment/b2cPayment/query
// {merchantInvoiceNumber}. Hooks: GET /__sim/payouts, POST /__sim/balances {Collection, Disbursement} (poisha).
const TOKEN_TTL_S = 3600;
// bKash tells merchants to wait 30 s for any answer, so a "timeout" failure withholds the answer that long.
const HOLD_MS = 30_000;
const SANDBOX_WALLET = "01770618575";
const withParams = (base, params) => {
  const u = new URL(base);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return u.href;
};

/** "2019-08-07T11:12:34:978 GMT+0600": Dhaka wall time with the milliseconds after a colon, as bKash writes it. */
function bkashTime(ms = Date.now()) {
  const iso = new Date(ms + 6 * 3600_000).toISOString();
  return `${iso.slice(0, 19)}:${iso.slice(20, 23)} GMT+0600`;
}

const success = (fields) => ({ statusCode: "0000", statusMessage: "Successful", ...fields });
// bKash documents two refusal shapes: token/create/execute/status answer statusCode/statusMessage, while
// capture/void/refund answer errorCode/errorMessage. Both come with HTTP 200, so adapters must read the body.
const refusal = (statusCode, statusMessage) => ({ statusCode, statusMessage });
const error = (errorCode, errorMessage) => ({ errorCode, errorMessage });

/**
 * All API calls are POST `${url}/v1.2.0-beta/tokenized/checkout/<op>` with JSON bodies:
 *   token/grant {app_key, app_secret} and token/refresh {app_key, app_secret, refresh_token}, headers username/password;
 *   create, execute, payment/status, payment/confirm/capture, payment/confirm/void, payment/refund with headers
 *   `Authorization: <id_token>` (no "Bearer") and `X-APP-Key: <app_key>`.
 * bKash sits behind AWS API Gateway, so header problems answer in its shape: 401 {message:"Unauthorized"} (missing or
 * unknown token, "Bearer ..." included), 401 {message:"The incoming token has expired"}, 403 {message:"Forbidden"}
 * (wrong X-APP-Key), 403 {message:"Missing Authentication Token"} (unknown path or method).
 * transactionStatus: Initiated -> execute -> Completed (sale) | Authorized (authorization); Authorized -> capture ->
 * Completed | void -> Cancelled; customer cancel on the page -> Cancelled; insufficient balance -> Failed.
 * Customer page (bkashURL): GET /pay/{paymentID} approves, ?action=cancel cancels; both 302 to
 * callbackURL?paymentID=..&status=success|failure|cancel. Any ?pin= is accepted: OTP and PIN are not modelled.
 * Test hooks (not part of the real API): POST /__sim/fail {mode: "insufficient_balance"|"500"|"timeout", count = 1,
 * path_suffix}, POST /__sim/reset (payments, invoices, counters, failures; tokens stay valid),
 * GET /__sim/stats ({grant, refresh} token requests), POST /__sim/expire-tokens, GET /__sim/payments/{paymentID}, POST /__sim/payments/{paymentID} {amount}
 * (rewrites the recorded amount).
 */
/** `publicHost`: the host the customer's phone reaches this machine by (the wallet page's links use it). */
export async function startBkashSimulator({ port = 0, host, publicHost, appKey, appSecret, username, password }) {
  const tokens = new Map(); // id_token -> expiry in ms
  const refreshTokens = new Set();
  const payments = new Map();
  const invoices = new Set();
  let counts = { grant: 0, refresh: 0 };
  const faults = walletFaults({ holdMs: HOLD_MS });
  let origin = "";

  function credentialsRefusal(body, headers) {
    if (body.app_key !== appKey) return refusal("2001", "Invalid App Key");
    if (headers.username !== username || headers.password !== password || body.app_secret !== appSecret) {
      return refusal("2079", "Invalid username and password");
    }
    return null;
  }

  function issue(refreshToken = randomBytes(32).toString("base64url")) {
    const idToken = randomBytes(32).toString("base64url");
    tokens.set(idToken, Date.now() + TOKEN_TTL_S * 1000);
    refreshTokens.add(refreshToken);
    return success({ id_token: idToken, token_type: "Bearer", expires_in: TOKEN_TTL_S, refresh_token: refreshToken });
  }

  function gatewayRefusal(headers) {
    const expiry = tokens.get(headers.authorization ?? "");
    if (expiry === undefined) return [401, { message: "Unauthorized" }];
    if (expiry <= Date.now()) return [401, { message: "The incoming token has expired" }];
    if (headers["x-app-key"] !== appKey) return [403, { message: "Forbidden" }];
    return null;
  }

  const view = (p) => ({
    paymentID: p.paymentID,
    mode: p.mode,
    payerReference: p.payerReference,
    paymentCreateTime: p.createTime,
    ...(p.trxID && { paymentExecuteTime: p.executeTime, trxID: p.trxID, customerMsisdn: p.customerMsisdn }),
    transactionStatus: p.transactionStatus,
    amount: p.amount,
    currency: p.currency,
    intent: p.intent,
    merchantInvoiceNumber: p.merchantInvoiceNumber,
    refundAmount: taka(p.refunds.reduce((sum, r) => sum + poisha(r.amount), 0)),
  });

  const refundView = (p, r) =>
    success({
      originalTrxID: p.trxID,
      refundTrxID: r.refundTrxID,
      transactionStatus: "Completed",
      amount: r.amount,
      currency: p.currency,
      charge: "0.00",
      completedTime: r.completedTime,
    });

  /** capture and void share their refusals: only an Authorized hold can move, and only once. */
  const confirm = (to) => (b) => {
    const p = payments.get(b.paymentID);
    if (!p) return error("2002", "Invalid Payment ID");
    if (p.transactionStatus === "Completed") return error("2062", "The payment has already been completed");
    if (p.transactionStatus === "Cancelled") return error("2069", "Transaction has already been cancelled");
    if (p.transactionStatus !== "Authorized") return error("2056", "Invalid Payment State");
    p.transactionStatus = to;
    p.updateTime = bkashTime();
    const { paymentID, createTime, updateTime, trxID, transactionStatus, amount, currency, intent } = p;
    return success({ paymentID, createTime, updateTime, trxID, transactionStatus, amount, currency, intent });
  };

  // Disbursement (B2C): the merchant's two wallets, and every payout by its invoice number (the idempotency handle).
  const wallets = { Collection: 100_000_000_00, Disbursement: 0 };
  const payouts = new Map();
  const MSISDN = /^(?:\+?88)?01[3-9]\d{8}$/;
  const balanceAnswer = () =>
    success({
      organizationShortCode: "KORMO",
      organizationBalance: Object.entries(wallets).map(([accountTypeName, p]) => ({
        accountTypeName,
        currentBalance: taka(p),
        availableBalance: taka(p),
        currency: "BDT",
        accountStatus: "Active",
        updateTime: bkashTime(),
      })),
    });

  const routes = {
    "payment/organizationBalance": () => balanceAnswer(),
    "payment/intraAccountTransfer": (b) => {
      if (!validAmount(b.amount) || b.currency !== "BDT") return error("2065", "Invalid amount or currency");
      const dir = {
        Collection2Disbursement: ["Collection", "Disbursement"],
        Disbursement2Collection: ["Disbursement", "Collection"],
      }[b.transferType];
      if (!dir) return error("2032", "Invalid transfer type");
      const amount = poisha(b.amount);
      if (wallets[dir[0]] < amount) return error("2023", "Insufficient Balance");
      wallets[dir[0]] -= amount;
      wallets[dir[1]] += amount;
      return success({
        amount: b.amount,
        currency: "BDT",
        transferType: b.transferType,
        trxID: `TR${refCode(8)}`,
        transactionStatus: "Completed",
        completedTime: bkashTime(),
      });
    },
    "payment/b2cPayment": (b) => {
      if (typeof b.merchantInvoiceNumber !== "string" || !/^[A-Za-z0-9-]{1,40}$/.test(b.merchantInvoiceNumber)) {
        return error("2025", "Invalid merchant invoice number");
      }
      if (!validAmount(b.amount) || b.currency !== "BDT") return error("2065", "Invalid amount or currency");
      if (typeof b.receiverMSISDN !== "string" || !MSISDN.test(b.receiverMSISDN)) {
        return error("2012", "Invalid receiver MSISDN");
      }
      if (payouts.has(b.merchantInvoiceNumber)) return error("2029", "Duplicate invoice number");
      const amount = poisha(b.amount);
      if (faults.take("approval", "/b2cPayment") === "insufficient_balance" || wallets.Disbursement < amount) {
        return error("2023", "Insufficient Balance");
      }
      wallets.Disbursement -= amount;
      const record = {
        amount: b.amount,
        completedTime: bkashTime(),
        currency: "BDT",
        merchantInvoiceNumber: b.merchantInvoiceNumber,
        receiverMSISDN: b.receiverMSISDN,
        trxID: `B2C${refCode(7)}`,
        transactionStatus: "Completed",
        b2cFee: "0.00",
        initiationTime: bkashTime(),
      };
      payouts.set(b.merchantInvoiceNumber, record);
      return success(record);
    },
    // Reconciliation after a timeout ("please query"): by invoice number. The exact query operation is to be
    // confirmed at onboarding (see ../shared/reference/integrations.md); the adapter keeps it in one place.
    "payment/b2cPayment/query": (b) => {
      const r = payouts.get(b.merchantInvoiceNumber);
      return r ? success(r) : error("2056", "Invalid payment state: no such invoice");
    },
    "token/grant": (b, headers) => {
      counts.grant += 1;
      return credentialsRefusal(b, headers) ?? issue();
    },
    "token/refresh": (b, headers) => {
      counts.refresh += 1;
      const refused = credentialsRefusal(b, headers);
      if (refused) return refused;
      return refreshTokens.has(b.refresh_token) ? issue(b.refresh_token) : refusal("2079", "Invalid refresh token");
    },
    create: (b) => {
      const fields = ["mode", "payerReference", "callbackURL", "amount", "currency", "intent", "merchantInvoiceNumber"];
      if (fields.some((k) => typeof b[k] !== "string" || b[k] === "")) {
        return refusal("2065", "Mandatory field missing");
      }
      if (b.mode !== "0011") return refusal("2063", "Mode is not valid as per request data");
      // Real bKash also takes "15"; insisting on two decimals pins our adapter to one formatting of poisha.
      if (!validAmount(b.amount)) return refusal("2006", "Invalid amount");
      if (b.currency !== "BDT") return refusal("2007", "Invalid currency");
      if (b.intent !== "sale" && b.intent !== "authorization") return refusal("2008", "Invalid intent");
      if (!/^https?:\/\//.test(b.callbackURL) || !URL.canParse(b.callbackURL)) {
        return refusal("2049", "Invalid Merchant Callback URL");
      }
      if (b.merchantInvoiceNumber.length > 255) return refusal("2031", "Invalid merchant invoice number");
      // Stricter than bKash on purpose: one invoice number per payment attempt keeps reconciliation unambiguous.
      if (invoices.has(b.merchantInvoiceNumber)) return refusal("2029", "Duplicate for all transactions");
      let paymentID;
      do paymentID = `TR0011${refCode(2)}${Date.now()}`;
      while (payments.has(paymentID));
      const p = {
        paymentID,
        ...Object.fromEntries(fields.map((k) => [k, b[k]])),
        transactionStatus: "Initiated",
        approval: "pending", // what the customer did on the bKash page: pending | approved | failed | cancelled
        failure: null,
        customerMsisdn: null,
        trxID: null,
        createTime: bkashTime(),
        updateTime: null,
        executeTime: null,
        refunds: [],
      };
      payments.set(paymentID, p);
      invoices.add(p.merchantInvoiceNumber);
      const callback = (status) => withParams(p.callbackURL, { paymentID, status });
      return success({
        paymentID,
        bkashURL: `${origin}/pay/${paymentID}`,
        callbackURL: p.callbackURL,
        successCallbackURL: callback("success"),
        failureCallbackURL: callback("failure"),
        cancelledCallbackURL: callback("cancel"),
        amount: p.amount,
        intent: p.intent,
        currency: p.currency,
        paymentCreateTime: p.createTime,
        transactionStatus: p.transactionStatus,
        merchantInvoiceNumber: p.merchantInvoiceNumber,
      });
    },
    execute: (b) => {
      const p = payments.get(b.paymentID);
      if (!p) return refusal("2002", "Invalid Payment ID");
      if (p.trxID) return refusal("2117", "Payment execution already been called before");
      if (p.approval === "failed") return refusal(p.failure.code, p.failure.message);
      if (p.approval !== "approved") return refusal("2056", "Invalid Payment State");
      p.trxID = refCode(10);
      p.executeTime = bkashTime();
      p.transactionStatus = p.intent === "sale" ? "Completed" : "Authorized";
      const { paymentID, payerReference, customerMsisdn, trxID, amount, transactionStatus, currency, intent } = p;
      return success({
        paymentID,
        payerReference,
        customerMsisdn,
        trxID,
        amount,
        transactionStatus,
        paymentExecuteTime: p.executeTime,
        currency,
        intent,
        merchantInvoiceNumber: p.merchantInvoiceNumber,
      });
    },
    "payment/status": (b) => {
      const p = payments.get(b.paymentID);
      return p ? success(view(p)) : refusal("2002", "Invalid Payment ID");
    },
    "payment/confirm/capture": confirm("Completed"),
    "payment/confirm/void": confirm("Cancelled"),
    "payment/refund": (b) => {
      const p = payments.get(b.paymentID);
      if (!p) return error("2002", "Invalid Payment ID");
      if (!p.trxID || b.trxID !== p.trxID) {
        return error("2028", "Reverse failed because the transaction serial number does not exist");
      }
      // Without an amount this is bKash's refund status query: the latest refund of the payment.
      if (b.amount === undefined) {
        const last = p.refunds.at(-1);
        return last ? refundView(p, last) : error("2033", "Transaction not found");
      }
      if (["sku", "reason"].some((k) => typeof b[k] !== "string" || b[k] === "")) {
        return error("2065", "Mandatory field missing");
      }
      if (p.transactionStatus !== "Completed") return error("2056", "Invalid Payment State");
      if (!validAmount(b.amount)) return error("2006", "Invalid amount");
      const left = poisha(p.amount) - p.refunds.reduce((sum, r) => sum + poisha(r.amount), 0);
      if (left === 0) {
        return error("2034", "The transaction cannot be reversed because the original transaction has been reversed");
      }
      if (poisha(b.amount) > left) {
        return error("2026", "The reversal amount cannot be greater than the original transaction amount");
      }
      const r = {
        refundTrxID: refCode(10),
        amount: b.amount,
        sku: b.sku,
        reason: b.reason,
        completedTime: bkashTime(),
      };
      p.refunds.push(r);
      return refundView(p, r);
    },
  };

  /** The customer on the bKash page; the callback status is only a hint, execute/status carry the truth. */
  function approve(res, path, params) {
    const p = payments.get(decodeURIComponent(path.slice("/pay/".length)));
    if (!p) return sendJson(res, 404, { message: "Payment not found" });
    if (p.approval !== "pending") return sendJson(res, 410, { message: "This payment session is no longer open" });
    p.customerMsisdn = /^01[3-9]\d{8}$/.test(p.payerReference) ? p.payerReference : SANDBOX_WALLET;
    let status = "success";
    if (params.get("action") === "cancel") {
      Object.assign(p, { approval: "cancelled", transactionStatus: "Cancelled" });
      status = "cancel";
    } else if (faults.take("approval", path) === "insufficient_balance") {
      const failure = { code: "2023", message: "Insufficient Balance" };
      Object.assign(p, { approval: "failed", failure, transactionStatus: "Failed" });
      status = "failure";
    } else {
      p.approval = "approved";
    }
    p.updateTime = bkashTime();
    res.writeHead(302, { location: withParams(p.callbackURL, { paymentID: p.paymentID, status }) });
    res.end();
  }

  const simHook = walletHooks({
    faults,
    payments,
    reset: () => {
      payments.clear();
      invoices.clear();
      payouts.clear();
      Object.assign(wallets, { Collection: 100_000_000_00, Disbursement: 0 });
      counts = { grant: 0, refresh: 0 };
    },
    more: {
      "GET /__sim/stats": (_req, res) => sendJson(res, 200, counts),
      "GET /__sim/payouts": (_req, res) => sendJson(res, 200, { payouts: [...payouts.values()], wallets }),
      "POST /__sim/balances": async (req, res) => {
        const b = JSON.parse((await readBody(req)) || "{}");
        for (const k of ["Collection", "Disbursement"]) if (Number.isInteger(b[k])) wallets[k] = b[k];
        return sendJson(res, 200, wallets);
      },
      "POST /__sim/expire-tokens": (_req, res) => {
        for (const token of tokens.keys()) tokens.set(token, Date.now() - 1);
        return sendJson(res, 200, { expired: tokens.size });
      },
    },
  });

  const server = await listen(
    async (req, res, url) => {
      const path = url.pathname;
      if (path.startsWith("/__sim/")) return simHook(req, res, path);
      if (req.method === "GET" && path.startsWith("/pay/")) return approve(res, path, url.searchParams);
      const named = path.startsWith(`${BASE}/`) ? path.slice(BASE.length + 1) : "";
      // Only the organization balance is read with GET; every other operation is a POST.
      const op = (named === "payment/organizationBalance") === (req.method === "GET") ? named : "";
      if (!Object.hasOwn(routes, op)) return sendJson(res, 403, { message: "Missing Authentication Token" });
      const injected = faults.take("api", path);
      if (injected === "500") return sendJson(res, 500, { message: "Internal server error" });
      if (!op.startsWith("token/")) {
        const refused = gatewayRefusal(req.headers);
        if (refused) return sendJson(res, ...refused);
      }
      let body = req.method === "GET" ? {} : null;
      try {
        if (req.method !== "GET") body = JSON.parse((await readBody(req)) || "{}");
      } catch {}
      const answer =
        body && typeof body === "object" ? routes[op](body, req.headers) : refusal("2025", "Invalid request body");
      if (injected === "timeout") return faults.hold(res, 200, answer);
      sendJson(res, 200, answer);
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
    /** Grant requests since start or reset, refused ones included: proves the adapter caches its token. */
    grantRequests: () => counts.grant,
    refreshRequests: () => counts.refresh,
    /** Makes every issued id_token expired now, to exercise the adapter's refresh path. */
    expireTokens: () => {
      for (const token of tokens.keys()) tokens.set(token, Date.now() - 1);
    },
    /** The internal record of a payment (the same object GET /__sim/payments/{id} serialises). */
    payment: (paymentID) => payments.get(paymentID),
  };
}
