// Stripe card adapter: a PaymentIntent with capture_method=manual is the hold; capture, cancel and refunds move
// it on. Card data never reaches us: the app's Stripe SDK makes the payment_method id we are given.
import type { HoldResult, MoveResult, PaymentGateway } from "./gateway";

const TIMEOUT_MS = 10_000;

interface StripeError {
  error?: { type?: string; code?: string; decline_code?: string; message?: string; payment_intent?: { id?: string } };
}

export function stripeGateway(cfg: { apiUrl: string; secretKey: string }): PaymentGateway {
  async function call(path: string, params: Record<string, string>, key: string) {
    try {
      const res = await fetch(`${cfg.apiUrl}${path}`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${cfg.secretKey}`,
          "content-type": "application/x-www-form-urlencoded",
          "idempotency-key": key,
        },
        body: new URLSearchParams(params),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      const body = (await res.json().catch(() => ({}))) as StripeError & { id?: string; status?: string };
      return { res, body };
    } catch (err) {
      return {
        res: null,
        body: { error: { message: err instanceof Error ? err.name : "network" } } as StripeError & { id?: string },
      };
    }
  }

  const move = async (path: string, params: Record<string, string>, key: string): Promise<MoveResult> => {
    const { res, body } = await call(path, params, key);
    if (res?.ok) return { kind: "ok" };
    if (!res || res.status === 429 || res.status >= 500 || res.status === 409) {
      return { kind: "unavailable", error: body.error?.message?.slice(0, 200) ?? "stripe unavailable" };
    }
    return { kind: "refused", error: body.error?.code ?? `stripe ${res.status}` };
  };

  return {
    name: "stripe",
    async hold(req): Promise<HoldResult> {
      const { res, body } = await call(
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
        `booking-${req.bookingId}-hold`,
      );
      if (res?.ok && body.status === "requires_capture") return { kind: "authorized", ref: body.id ?? null };
      if (res?.status === 402 && body.error?.type === "card_error") {
        return {
          kind: "declined",
          reason: body.error.decline_code === "insufficient_funds" ? "insufficient_funds" : "card_declined",
          ref: body.error.payment_intent?.id ?? null,
        };
      }
      if (res && res.status >= 400 && res.status < 500 && res.status !== 409 && res.status !== 429) {
        return { kind: "declined", reason: "card_declined", ref: null };
      }
      return { kind: "unavailable", error: body.error?.message?.slice(0, 200) ?? "stripe unavailable" };
    },
    capture: (bookingId, ref, amount) =>
      move(`/v1/payment_intents/${ref}/capture`, { amount_to_capture: String(amount) }, `booking-${bookingId}-capture`),
    void: (bookingId, ref) => move(`/v1/payment_intents/${ref}/cancel`, {}, `booking-${bookingId}-void`),
    refund: (bookingId, ref, amount) =>
      move(
        "/v1/refunds",
        { payment_intent: ref ?? "", amount: String(amount) },
        `booking-${bookingId}-refund-${amount}`,
      ),
  };
}
