// bKash Tokenized Checkout (v1.2.0-beta) with intent "authorization": create, the customer approves at bkashURL,
// the server executes (that is the verification; the redirect's status is only a hint), then capture, void or refund.
// The grant token is cached per isolate and refreshed with its refresh token shortly before it expires.
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

const REFRESH_MARGIN_MS = 5 * 60_000;

export interface BkashConfig {
  /** Base up to and including /tokenized/checkout. */
  apiUrl: string;
  appKey: string;
  appSecret: string;
  username: string;
  password: string;
  /** bKash asks merchants to wait up to 30 s; a Worker gives up sooner and lets the reconciler ask later. */
  timeoutMs: number;
}

interface Token {
  idToken: string;
  refreshToken: string;
  expiresAt: number;
}

/** One token per app key per isolate, and one grant in flight at a time. */
const tokens = new Map<string, { token?: Token; pending?: Promise<Token> }>();

export type Body = Record<string, unknown>;
export type Answer = { ok: true; body: Body } | { ok: false; transient: boolean; code: string; message: string };

/**
 * The tokenized API's session: the grant token (cached per isolate, refreshed shortly before it expires) and one
 * call. Checkout and disbursement (B2C payouts) share it. `body` null makes a GET (the organization balance).
 */
export function bkashClient(cfg: BkashConfig): { api(op: string, body: Body | null): Promise<Answer> } {
  const slot = tokens.get(cfg.appKey) ?? {};
  tokens.set(cfg.appKey, slot);

  async function tokenCall(op: "grant" | "refresh", refreshToken?: string): Promise<Token> {
    const r = await callGateway(
      `${cfg.apiUrl}/token/${op}`,
      {
        method: "POST",
        headers: { "content-type": "application/json", username: cfg.username, password: cfg.password },
        body: JSON.stringify({
          app_key: cfg.appKey,
          app_secret: cfg.appSecret,
          ...(refreshToken ? { refresh_token: refreshToken } : {}),
        }),
      },
      cfg.timeoutMs,
    );
    if (!r.res) throw new Error(`bkash token ${r.error}`);
    const b = r.body as { statusCode?: string; id_token?: string; refresh_token?: string; expires_in?: number };
    if (!r.res.ok || !b.id_token) throw new Error(`bkash token ${b.statusCode ?? r.res.status}`);
    return {
      idToken: b.id_token,
      refreshToken: b.refresh_token ?? refreshToken ?? "",
      expiresAt: Date.now() + Number(b.expires_in ?? 3600) * 1000,
    };
  }

  /** The cached token; refreshed (or granted anew when the refresh fails) shortly before it expires. */
  function token(force = false): Promise<Token> {
    const cached = slot.token;
    if (!force && cached && cached.expiresAt - REFRESH_MARGIN_MS > Date.now()) return Promise.resolve(cached);
    if (slot.pending) return slot.pending;
    const run = (async () => {
      try {
        const fresh = cached?.refreshToken
          ? await tokenCall("refresh", cached.refreshToken).catch(() => tokenCall("grant"))
          : await tokenCall("grant");
        slot.token = fresh;
        return fresh;
      } finally {
        slot.pending = undefined;
      }
    })();
    slot.pending = run;
    return run;
  }

  /** One API call; a 401 (expired or unknown token) refreshes the token once and tries again. */
  async function api(op: string, body: Body | null): Promise<Answer> {
    for (let attempt = 0; attempt < 2; attempt++) {
      let t: Token;
      try {
        t = await token(attempt > 0);
      } catch (err) {
        return { ok: false, transient: true, code: "token", message: err instanceof Error ? err.message : "token" };
      }
      const r = await callGateway(
        `${cfg.apiUrl}/${op}`,
        {
          method: body === null ? "GET" : "POST",
          headers: { "content-type": "application/json", authorization: t.idToken, "x-app-key": cfg.appKey },
          ...(body === null ? {} : { body: JSON.stringify(body) }),
        },
        cfg.timeoutMs,
      );
      if (!r.res) return { ok: false, transient: true, code: "timeout", message: r.error };
      if (r.res.status === 401 && attempt === 0) continue;
      if (!r.res.ok) return { ok: false, transient: true, code: String(r.res.status), message: "bkash http error" };
      // Refusals come with HTTP 200, as statusCode/statusMessage or errorCode/errorMessage.
      const b = r.body;
      const code = String(b.errorCode ?? b.statusCode ?? "");
      if (b.errorCode !== undefined || (code !== "" && code !== "0000")) {
        return { ok: false, transient: false, code, message: String(b.errorMessage ?? b.statusMessage ?? "") };
      }
      return { ok: true, body: b };
    }
    return { ok: false, transient: true, code: "401", message: "bkash refused our token" };
  }

  return { api };
}

export function bkashGateway(cfg: BkashConfig): PaymentGateway {
  const { api } = bkashClient(cfg);
  const moved = (a: Answer, done: string[] = []): MoveResult =>
    a.ok || done.includes(a.code)
      ? { kind: "ok" }
      : a.transient
        ? { kind: "unavailable", error: `${a.code} ${a.message}`.slice(0, 200) }
        : { kind: "refused", error: `bkash ${a.code}` };

  function statusOf(b: Body, failure?: Answer): PaymentStatus {
    const amount = poishaOf(b.amount);
    const txn = typeof b.trxID === "string" ? b.trxID : null;
    const insufficient = failure && !failure.ok && failure.code === "2023";
    switch (b.transactionStatus) {
      case "Authorized":
        return { kind: "authorized", amountPoisha: amount, txn };
      case "Completed":
        return { kind: "captured", amountPoisha: amount, txn };
      case "Initiated":
        return insufficient ? { kind: "failed", reason: "insufficient_funds" } : { kind: "pending" };
      case "Failed":
        return { kind: "failed", reason: insufficient ? "insufficient_funds" : "wallet_declined" };
      default:
        return { kind: "failed", reason: "canceled" };
    }
  }

  /** The payment as bKash has it, without changing it. */
  async function status(p: PaymentRef, failure?: Answer): Promise<PaymentStatus> {
    if (!p.ref) return { kind: "pending" };
    const a = await api("payment/status", { paymentID: p.ref });
    if (!a.ok) return a.transient ? { kind: "unavailable", error: a.message } : { kind: "pending" };
    return statusOf(a.body, failure);
  }

  /**
   * Execute is the verification bKash documents: it completes an approved authorization. When it was executed
   * before (2117) or cannot be (not approved, cancelled, failed), the status query says what the payment is.
   */
  async function verify(p: PaymentRef): Promise<PaymentStatus> {
    if (!p.ref) return { kind: "pending" };
    const executed = await api("execute", { paymentID: p.ref });
    if (executed.ok) return statusOf(executed.body);
    if (executed.transient) return { kind: "unavailable", error: executed.message };
    return status(p, executed);
  }

  async function refund(p: PaymentRef, amountPoisha: number, refundedBefore: number): Promise<MoveResult> {
    // bKash refunds carry no idempotency key: the payment's refunded total says whether this one already happened.
    const now = await api("payment/status", { paymentID: p.ref });
    if (!now.ok) return moved(now);
    const refunded = poishaOf(now.body.refundAmount ?? "0");
    if (refunded >= refundedBefore + amountPoisha) return { kind: "ok" };
    return moved(
      await api("payment/refund", {
        paymentID: p.ref,
        trxID: p.txn ?? now.body.trxID,
        amount: takaString(amountPoisha),
        sku: `booking-${p.bookingId}`,
        reason: "Kormo Mela booking refund",
      }),
    );
  }

  return {
    name: "bkash",
    mode: "hold",
    async hold(req): Promise<HoldResult> {
      const a = await api("create", {
        mode: "0011",
        payerReference: `booking-${req.bookingId}`,
        callbackURL: req.callbackUrl,
        amount: takaString(req.amountPoisha),
        currency: "BDT",
        intent: "authorization",
        // One invoice per attempt: an abandoned session never collides with the next try.
        merchantInvoiceNumber: `KM-${req.bookingId}-${req.attempt}`,
      });
      if (!a.ok) {
        return a.transient
          ? { kind: "unavailable", error: `${a.code} ${a.message}`.slice(0, 200) }
          : { kind: "declined", reason: "wallet_declined", ref: null };
      }
      return { kind: "requires_action", ref: String(a.body.paymentID), redirectUrl: String(a.body.bkashURL) };
    },
    status,
    verify,
    async capture(p, amountPoisha) {
      // bKash captures the whole authorization (2062: a retry after a lost answer); a smaller charge refunds the rest.
      const r = moved(await api("payment/confirm/capture", { paymentID: p.ref }), ["2062"]);
      if (r.kind !== "ok" || amountPoisha >= p.amountPoisha) return r;
      return refund(p, p.amountPoisha - amountPoisha, 0);
    },
    // 2069: already cancelled (a retry after a lost answer).
    void: async (p) => moved(await api("payment/confirm/void", { paymentID: p.ref }), ["2069"]),
    refund,
  };
}
