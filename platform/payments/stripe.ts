// Stripe card adapter: a PaymentIntent with capture_method=manual is the hold; capture, cancel and refunds move
// it on. Card data never reaches us: the app's Stripe SDK makes the payment_method id we are given.
import {
  callGateway,
  type HoldResult,
  type MoveResult,
  type PaymentGateway,
  type PaymentRef,
  type PaymentStatus,
} from "./gateway";

interface StripeError {
  type?: string;
  code?: string;
  decline_code?: string;
  message?: string;
  payment_intent?: { id?: string };
}

export function stripeGateway(cfg: { apiUrl: string; secretKey: string; timeoutMs: number }): PaymentGateway {
  const auth = { authorization: `Bearer ${cfg.secretKey}` };
  const post = (path: string, params: Record<string, string>, key: string) =>
    callGateway(
      `${cfg.apiUrl}${path}`,
      {
        method: "POST",
        headers: { ...auth, "content-type": "application/x-www-form-urlencoded", "idempotency-key": key },
        body: new URLSearchParams(params),
      },
      cfg.timeoutMs,
    );
  const errorOf = (body: Record<string, unknown>) => (body.error ?? {}) as StripeError;

  const move = async (path: string, params: Record<string, string>, key: string): Promise<MoveResult> => {
    const r = await post(path, params, key);
    if (!r.res) return { kind: "unavailable", error: r.error };
    if (r.res.ok) return { kind: "ok" };
    const err = errorOf(r.body);
    if (r.res.status === 429 || r.res.status >= 500 || r.res.status === 409) {
      return { kind: "unavailable", error: err.message?.slice(0, 200) ?? `stripe ${r.res.status}` };
    }
    return { kind: "refused", error: err.code ?? `stripe ${r.res.status}` };
  };

  async function status(p: PaymentRef): Promise<PaymentStatus> {
    if (!p.ref) return { kind: "pending" };
    const r = await callGateway(
      `${cfg.apiUrl}/v1/payment_intents/${encodeURIComponent(p.ref)}`,
      { headers: auth },
      cfg.timeoutMs,
    );
    if (!r.res) return { kind: "unavailable", error: r.error };
    if (!r.res.ok) return { kind: "unavailable", error: `stripe ${r.res.status}` };
    const b = r.body as { status?: string; amount?: number; amount_received?: number };
    switch (b.status) {
      case "requires_capture":
        return { kind: "authorized", amountPoisha: Number(b.amount), txn: null };
      case "succeeded":
        return { kind: "captured", amountPoisha: Number(b.amount_received), txn: null };
      case "canceled":
        return { kind: "failed", reason: "canceled" };
      case "requires_payment_method":
        return { kind: "failed", reason: "card_declined" };
      default:
        return { kind: "pending" };
    }
  }

  return {
    name: "stripe",
    verify: (p) => status(p),
    mode: "hold",
    async hold(req): Promise<HoldResult> {
      const r = await post(
        "/v1/payment_intents",
        {
          amount: String(req.amountPoisha),
          currency: "bdt",
          capture_method: "manual",
          confirm: "true",
          payment_method: req.paymentMethodId ?? "",
          description: `Kormo Mela booking ${req.bookingId}`,
          "metadata[booking_id]": String(req.bookingId),
          "metadata[customer_id]": String(req.customerId),
        },
        `booking-${req.bookingId}-a${req.attempt}-hold`,
      );
      if (!r.res) return { kind: "unavailable", error: r.error };
      const { res, body } = r;
      if (res.ok && body.status === "requires_capture") return { kind: "authorized", ref: String(body.id) };
      const err = errorOf(body);
      if (res.status === 402 && err.type === "card_error") {
        return {
          kind: "declined",
          reason: err.decline_code === "insufficient_funds" ? "insufficient_funds" : "card_declined",
          ref: err.payment_intent?.id ?? null,
        };
      }
      if (res.status >= 400 && res.status < 500 && res.status !== 409 && res.status !== 429) {
        return { kind: "declined", reason: "card_declined", ref: null };
      }
      return { kind: "unavailable", error: err.message?.slice(0, 200) ?? `stripe ${res.status}` };
    },
    status,
    capture: (p, amount) =>
      move(
        `/v1/payment_intents/${p.ref}/capture`,
        { amount_to_capture: String(amount) },
        `booking-${p.bookingId}-a${p.attempt}-capture`,
      ),
    void: (p) => move(`/v1/payment_intents/${p.ref}/cancel`, {}, `booking-${p.bookingId}-a${p.attempt}-void`),
    refund: (p, amount, before) =>
      move(
        "/v1/refunds",
        { payment_intent: p.ref ?? "", amount: String(amount) },
        `booking-${p.bookingId}-refund-${before}-${amount}`,
      ),
  };
}
