// The booking state machine: which actor may move a booking from which status to which, and when. Pure.
import {
  ActiveStatus,
  type Actor,
  BookingAction,
  type BookingEventType,
  BookingStatus,
  type BookingStatus as Status,
} from "./enums";

export type { Actor, BookingAction as Action, BookingStatus as Status } from "./enums";

export const STATUSES = BookingStatus.options;
/** Statuses that hold the provider's time. */
export const ACTIVE: readonly Status[] = ActiveStatus.options;
export const ACTIONS = BookingAction.options;

interface Rule {
  from: Status;
  action: BookingAction;
  to: Status;
  actors: readonly Actor[];
}

/** The whole process, one row per allowed step. Operators (admin) may cancel wherever a party may. */
export const RULES: readonly Rule[] = [
  { from: "PENDING", action: "accept", to: "ACCEPTED", actors: ["provider"] },
  { from: "PENDING", action: "decline", to: "DECLINED", actors: ["provider"] },
  { from: "PENDING", action: "cancel", to: "CANCELED", actors: ["customer", "admin"] },
  { from: "PENDING", action: "expire", to: "EXPIRED", actors: ["timer"] },
  { from: "ACCEPTED", action: "confirm", to: "CONFIRMED", actors: ["customer"] },
  // An acceptance the customer never confirms lapses at its confirm deadline (lib/policy.ts confirmDeadline).
  { from: "ACCEPTED", action: "expire", to: "EXPIRED", actors: ["timer"] },
  { from: "ACCEPTED", action: "cancel", to: "CANCELED", actors: ["customer", "provider", "admin"] },
  { from: "CONFIRMED", action: "complete", to: "COMPLETED", actors: ["provider"] },
  { from: "CONFIRMED", action: "cancel", to: "CANCELED", actors: ["customer", "provider", "admin"] },
];

export type Decision =
  | { ok: true; to: Status }
  | { ok: false; reason: "illegal_transition" | "forbidden" | "too_early" };

/**
 * Decides a step. `illegal_transition` when the status does not allow the action at all (409 with the current
 * status), `forbidden` when it does but not for this actor (403), `too_early` for completing before the start.
 */
export function decide(from: Status, action: BookingAction, actor: Actor, ctx: { now: Date; start: Date }): Decision {
  const rule = RULES.find((r) => r.from === from && r.action === action);
  if (!rule) return { ok: false, reason: "illegal_transition" };
  if (!rule.actors.includes(actor)) return { ok: false, reason: "forbidden" };
  if (action === "complete" && ctx.now < ctx.start) return { ok: false, reason: "too_early" };
  return { ok: true, to: rule.to };
}

/** The event type a step publishes (the seed's five, plus declined and expired); a new booking is "created". */
export function eventType(to: Status): BookingEventType {
  return EVENT_OF[to];
}

const EVENT_OF: Record<Status, BookingEventType> = {
  PENDING: "booking.created",
  ACCEPTED: "booking.accepted",
  CONFIRMED: "booking.confirmed",
  COMPLETED: "booking.completed",
  CANCELED: "booking.canceled",
  DECLINED: "booking.declined",
  EXPIRED: "booking.expired",
};
