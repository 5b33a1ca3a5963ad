// A transition, as pure steps around the object's two round trips: who the caller is for the booking, the answer
// to a step the machine refuses, the cancel terms, the money, and the change and event to commit.
import { type Decision, RULES } from "../../lib/booking-machine";
import type { Actor, BookingAction, BookingStatus } from "../../lib/enums";
import { type CancelTerms, cancelTerms } from "../../lib/pricing";
import type { Config } from "../../platform/config";
import type { Commit } from "./commit";
import { bookingEvent } from "./events";
import type { PaymentSteps, Settled } from "./payments";
import type { UpdateParams } from "./sql";
import type { ActorRef, TransitionInput } from "./types";
import { type BookingView, fail, type Outcome, type PaymentSummary } from "./views";

/** A transition as the object runs it: the timer's expiry is one too. */
export type Step = Omit<TransitionInput, "action"> & { action: BookingAction };

/** The accept-timeout timer, acting on the object's own alarm. */
export const TIMER: ActorRef = { userId: 0, role: "admin" };

/** Which party the caller is for this booking, or null when they are none of them. */
export function actorKind(step: Step, customerId: number, providerUserId: number | null): Actor | null {
  // A wallet callback or the reconciler settles the customer's payment on the customer's behalf.
  if (step.via) return "customer";
  if (step.actor === TIMER) return "timer";
  if (step.actor.userId === customerId) return "customer";
  if (step.actor.userId === providerUserId) return "provider";
  if (step.actor.role === "admin") return "admin";
  return null;
}

/** A retried step that already happened (accept on ACCEPTED by the provider) answers the booking, not an error. */
function alreadyThere(status: BookingStatus, action: BookingAction, actor: Actor): boolean {
  return RULES.some((r) => r.action === action && r.to === status && r.actors.includes(actor));
}

/** The answer to a step the machine refused: the booking as it is when the step already happened, else why not. */
export function refusal(
  booking: BookingView,
  step: Step,
  actor: Actor,
  decision: Extract<Decision, { ok: false }>,
  payment: PaymentSummary | null,
): Outcome {
  if (alreadyThere(booking.status, step.action, actor)) return { ok: true, status: 200, body: { ...booking, payment } };
  const details = { kind: "state", status: booking.status } as const;
  if (decision.reason === "forbidden") return fail("forbidden", "forbidden", details);
  if (decision.reason === "too_early") return fail("conflict", "too_early_to_complete", details);
  return fail("conflict", "illegal_transition", details);
}

/** Whether money is held or taken for the booking (so a cancel fee can be kept from it). */
export function moneyHeld(payment: PaymentSummary | null): boolean {
  if (payment?.status === "authorized") return true;
  return payment?.status === "captured" && payment.captured_poisha > payment.refunded_poisha;
}

/** What a cancel or an expiry costs, by the policy; undefined for other steps. */
export function termsOf(
  step: Step,
  booking: BookingView,
  actor: Actor,
  now: Date,
  cfg: Config,
  payment: PaymentSummary | null,
) {
  if (step.action !== "cancel" && step.action !== "expire") return undefined;
  return cancelTerms(
    {
      status: booking.status,
      start: new Date(booking.start_date),
      pricePoisha: booking.price_poisha,
      unitPricePoisha: booking.unit_price_poisha,
      unit: booking.unit,
      held: moneyHeld(payment),
    },
    actor,
    now,
    { freeCancelHours: cfg.FREE_CANCEL_HOURS, lateFeeHours: cfg.LATE_CANCEL_FEE_HOURS },
  );
}

/** The money side of the step, before it commits: hold on confirm, capture on complete, release on cancel. */
export function settle(money: PaymentSteps, step: Step, terms: CancelTerms | undefined): Promise<Settled> {
  if (step.action === "confirm") return money.confirm();
  if (step.action === "complete") return money.complete();
  if (terms) return money.cancel(terms.feePoisha);
  return Promise.resolve({ go: true, payment: money.current });
}

/** The booking change to commit, with its audit meta and event. */
export function planTransition(args: {
  step: Step;
  booking: BookingView;
  actor: Actor;
  to: BookingStatus;
  terms: CancelTerms | undefined;
  providerUserId: number;
  /** Set on acceptance: when the booking lapses unless the customer confirms. */
  confirmDeadline: Date | null;
}): { update: UpdateParams; commit: Commit } {
  const { step, booking, actor, to, terms } = args;
  const actorId = actor === "timer" ? null : step.via ? booking.customer_id : step.actor.userId;
  const meta = {
    provider_user_id: args.providerUserId,
    actor,
    price_poisha: booking.price_poisha,
    start_date: booking.start_date,
    service_type: booking.service_type,
    ...(terms ? { fee_poisha: terms.feePoisha, refund_poisha: terms.refundPoisha, policy: terms.reason } : {}),
    ...(step.via ? { via: step.via } : {}),
  };
  const event = bookingEvent({ ...booking, status: to }, actorId, { ...meta, from_status: booking.status });
  const update: UpdateParams = {
    booking_id: booking.id,
    to_status: to,
    canceled_by: terms ? actor : null,
    cancel_reason: terms ? (step.reason ?? terms.reason) : null,
    fee_poisha: terms ? terms.feePoisha : null,
    confirm_deadline: args.confirmDeadline?.toISOString() ?? null,
  };
  const commit: Commit = {
    actor: step.actor,
    idem: step.idempotency,
    event,
    action: step.action,
    from: booking.status,
    meta,
    status: 200,
  };
  return { update, commit };
}
