// Nagad merchant checkout: initialize and complete with RSA-sealed data, the customer pays on Nagad's page, the
// callback is verified server to server. Nagad has no authorize/capture, so escrow is sale then refund: the money is
// taken at approval and returned (in full or in part) by refund when the booking is cancelled.
//
// Sealing, as Nagad specifies it: sensitiveData = base64 RSA PKCS#1 v1.5 encryption of a JSON string with the other
// side's public key; signature = base64 SHA256withRSA over that same string with our private key. Web Crypto has
// no PKCS#1 v1.5 encryption, so this uses node:crypto (nodejs_compat), which workerd implements.
import { Buffer } from "node:buffer";
import { constants, createSign, createVerify, privateDecrypt, publicEncrypt, randomBytes } from "node:crypto";
import { DHAKA_OFFSET_MS } from "../../lib/availability";
import {
  callGateway,
  type HoldResult,
  type MoveResult,
  type PaymentGateway,
  type PaymentRef,
  type PaymentStatus,
  poishaOf,
  takaString,
} from "./gateway";

const PADDING = constants.RSA_PKCS1_PADDING;
/** Nagad wants an IPv4 on every call; server-to-server calls (verify, refund) have no customer, so ours stands in. */
const SERVER_IP = "127.0.0.1";

export interface NagadConfig {
  /** Base up to and including /api/dfs. */
  apiUrl: string;
  merchantId: string;
  /** Our private key (PKCS#8) and Nagad's public key (SPKI), PEM or the bare base64 Nagad hands out. */
  merchantPrivateKey: string;
  nagadPublicKey: string;
  merchantNumber?: string | undefined;
  timeoutMs: number;
}

const pem = (key: string, label: "PRIVATE KEY" | "PUBLIC KEY") =>
  key.includes("-----BEGIN") ? key : `-----BEGIN ${label}-----\n${key.replace(/\s+/g, "")}\n-----END ${label}-----`;

/** YYYYMMDDHHmmss in Asia/Dhaka (UTC+6, no daylight saving). */
export const dhakaStamp = (ms = Date.now()) =>
  new Date(ms + DHAKA_OFFSET_MS).toISOString().slice(0, 19).replace(/[-T:]/g, "");

/** Nagad's order id for an attempt: letters and digits only. */
export const nagadOrderId = (bookingId: number, attempt: number) => `KM${bookingId}A${attempt}`;

export function nagadGateway(cfg: NagadConfig): PaymentGateway {
  const privateKey = pem(cfg.merchantPrivateKey, "PRIVATE KEY");
  const publicKey = pem(cfg.nagadPublicKey, "PUBLIC KEY");

  function seal(data: Record<string, string>) {
    const plain = JSON.stringify(data);
    return {
      sensitiveData: publicEncrypt({ key: publicKey, padding: PADDING }, Buffer.from(plain)).toString("base64"),
      signature: createSign("RSA-SHA256").update(plain).sign(privateKey, "base64"),
    };
  }

  /** Decrypts Nagad's answer and checks Nagad's signature over it; null when either fails. */
  function open(b: Record<string, unknown>): Record<string, unknown> | null {
    if (typeof b.sensitiveData !== "string" || typeof b.signature !== "string") return null;
    try {
      const plain = privateDecrypt(
        { key: privateKey, padding: PADDING },
        Buffer.from(b.sensitiveData, "base64"),
      ).toString("utf8");
      if (!createVerify("RSA-SHA256").update(plain).verify(publicKey, b.signature, "base64")) return null;
      return JSON.parse(plain) as Record<string, unknown>;
    } catch {
      return null;
    }
  }

  const headers = (ip: string) => ({
    "content-type": "application/json",
    "x-km-api-version": "v-0.2.0",
    "x-km-ip-v4": /^\d{1,3}(\.\d{1,3}){3}$/.test(ip) ? ip : SERVER_IP,
    "x-km-client-type": "MOBILE_APP",
  });

  const post = (path: string, body: unknown, ip = SERVER_IP) =>
    callGateway(
      `${cfg.apiUrl}${path}`,
      { method: "POST", headers: headers(ip), body: JSON.stringify(body) },
      cfg.timeoutMs,
    );

  /** The verify endpoint's view, checked to be this merchant's order for this attempt. */
  async function verify(p: PaymentRef): Promise<PaymentStatus & { orderDate?: string; paidAmount?: string }> {
    if (!p.ref) return { kind: "pending" };
    const r = await callGateway(
      `${cfg.apiUrl}/verify/payment/${encodeURIComponent(p.ref)}`,
      { headers: headers(SERVER_IP) },
      cfg.timeoutMs,
    );
    if (!r.res) return { kind: "unavailable", error: r.error };
    if (r.res.status >= 500) return { kind: "unavailable", error: `nagad ${r.res.status}` };
    const b = r.body;
    if (!r.res.ok || b.merchantId !== cfg.merchantId || b.orderId !== nagadOrderId(p.bookingId, p.attempt)) {
      return { kind: "failed", reason: "wallet_declined" };
    }
    switch (b.status) {
      case "Success":
        return {
          kind: "captured",
          amountPoisha: poishaOf(b.amount),
          txn: typeof b.issuerPaymentRefNo === "string" ? b.issuerPaymentRefNo : null,
          orderDate: String(b.orderDateTime ?? "")
            .slice(0, 10)
            .replace(/-/g, ""),
          paidAmount: String(b.amount),
        };
      case "OrderInitiated":
      case "Ready":
        return { kind: "pending" };
      case "Aborted":
        return { kind: "failed", reason: "canceled" };
      default:
        return { kind: "failed", reason: "wallet_declined" };
    }
  }

  async function refund(p: PaymentRef, amountPoisha: number, refundedBefore: number): Promise<MoveResult> {
    if (amountPoisha <= 0) return { kind: "ok" };
    const paid = await verify(p);
    if (paid.kind === "unavailable") return paid;
    if (paid.kind !== "captured" || !paid.orderDate || !paid.paidAmount) {
      return { kind: "refused", error: `nagad payment is ${paid.kind}` };
    }
    // One reference per refund position: a retry of the same refund is a duplicate Nagad refuses, i.e. done.
    const referenceNo = `K${p.bookingId}-${refundedBefore}`.slice(0, 20);
    const query = new URLSearchParams({ paymentRefId: p.ref ?? "", orderId: nagadOrderId(p.bookingId, p.attempt) });
    const r = await post(
      `/purchase/cancel?${query}`,
      seal({
        merchantId: cfg.merchantId,
        originalRequestDate: paid.orderDate,
        originalAmount: paid.paidAmount,
        cancelAmount: takaString(amountPoisha),
        referenceNo,
        referenceMessage: "Kormo Mela refund",
      }),
    );
    if (!r.res) return { kind: "unavailable", error: r.error };
    if (r.res.ok) return open(r.body) ? { kind: "ok" } : { kind: "refused", error: "nagad answer not signed" };
    if (r.res.status >= 500) return { kind: "unavailable", error: `nagad ${r.res.status}` };
    if (r.body.reason === "DuplicateReferenceNo") return { kind: "ok" };
    return { kind: "refused", error: `nagad ${String(r.body.reason ?? r.res.status)}` };
  }

  return {
    name: "nagad",
    mode: "sale",
    async hold(req): Promise<HoldResult> {
      const orderId = nagadOrderId(req.bookingId, req.attempt);
      const datetime = dhakaStamp();
      const init = await post(
        `/check-out/initialize/${encodeURIComponent(cfg.merchantId)}/${orderId}`,
        {
          ...(cfg.merchantNumber ? { accountNumber: cfg.merchantNumber } : {}),
          dateTime: datetime,
          ...seal({ merchantId: cfg.merchantId, datetime, orderId, challenge: randomBytes(20).toString("hex") }),
        },
        req.clientIp,
      );
      if (!init.res) return { kind: "unavailable", error: init.error };
      if (init.res.status >= 500) return { kind: "unavailable", error: `nagad ${init.res.status}` };
      const accepted = init.res.ok ? open(init.body) : null;
      if (!accepted || typeof accepted.paymentReferenceId !== "string") {
        return { kind: "declined", reason: "wallet_declined", ref: null };
      }
      const ref = accepted.paymentReferenceId;
      const done = await post(
        `/check-out/complete/${encodeURIComponent(ref)}`,
        {
          ...seal({
            merchantId: cfg.merchantId,
            orderId,
            amount: takaString(req.amountPoisha),
            currencyCode: "050",
            challenge: String(accepted.challenge),
          }),
          merchantCallbackURL: req.callbackUrl,
          additionalMerchantInfo: { booking_id: req.bookingId },
        },
        req.clientIp,
      );
      if (!done.res) return { kind: "unavailable", error: done.error };
      if (done.res.status >= 500) return { kind: "unavailable", error: `nagad ${done.res.status}` };
      if (!done.res.ok || done.body.status !== "Success" || typeof done.body.callBackUrl !== "string") {
        return { kind: "declined", reason: "wallet_declined", ref };
      }
      return { kind: "requires_action", ref, redirectUrl: done.body.callBackUrl };
    },
    status: verify,
    verify,
    // A sale has nothing to capture: a smaller charge (a late-cancel fee) returns the rest.
    capture: (p, amountPoisha) => refund(p, p.amountPoisha - amountPoisha, 0),
    void: (p) => refund(p, p.amountPoisha, 0),
    refund,
  };
}
