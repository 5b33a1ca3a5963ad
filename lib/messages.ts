// One schema per queue, imported by the producer (which builds messages through it) and the consumer (which parses
// them with it): BookingQueueMessage for booking-events (booking steps and review events), ChatEventMessage for
// chat-events, OtpSmsMessage for sms-outbox. test/node/messages.test.ts checks that every event the booking engine
// and the reviews build parses.
import { z } from "zod";
import {
  AccountEventType,
  Actor,
  BookingEventType,
  BookingStatus,
  Lang,
  OfferWithdrawReason,
  PriceUnit,
  ReviewEventType,
  ReviewSide,
} from "./enums";

/** `booking-events`: the seed's event envelope for every booking change. */
export const BookingEventMessage = z.object({
  type: BookingEventType,
  id: z.number().int().nonnegative(),
  actor_id: z.number().int().nullable(),
  customer_id: z.number().int().positive(),
  provider_id: z.number().int().positive(),
  status: BookingStatus,
  /** English defaults; the notifications worker renders each recipient's own language. */
  title: z.string(),
  body: z.string(),
  meta: z
    .object({
      event_id: z.string().uuid(),
      at: z.string().datetime(),
      provider_user_id: z.number().int().positive(),
      from_status: BookingStatus.nullable(),
      service_type: z.string(),
      start_date: z.string(),
      price_poisha: z.number().int().nonnegative(),
      actor: Actor.optional(),
      fee_poisha: z.number().int().nonnegative().optional(),
      refund_poisha: z.number().int().nonnegative().optional(),
      policy: z.string().optional(),
      via: z.enum(["callback", "reconcile", "webhook"]).optional(),
      /** A booking a job request's match created (already ACCEPTED): the customer hears `request.matched` instead. */
      source: z.literal("match").optional(),
      request_id: z.number().int().positive().optional(),
      offer_id: z.number().int().positive().optional(),
    })
    .passthrough(),
});
export type BookingEventMessage = z.infer<typeof BookingEventMessage>;

/** `sms-outbox`: a login code to send by SMS. */
export const OtpSmsMessage = z.object({
  type: z.literal("sms.otp"),
  message_id: z.string().uuid(),
  to: z.string().regex(/^\+8801[3-9]\d{8}$/),
  lang: Lang,
  code: z.string().regex(/^\d{6}$/),
  expires_in: z.number().int().positive(),
});
export type OtpSmsMessage = z.infer<typeof OtpSmsMessage>;

/**
 * `booking-events` also carries review events: built by the gateway, published through the same outbox (the
 * booking's provider is the partition) and fanned out by the same consumer. `to` names who hears about it: both
 * parties for review.requested, those still to write for review.reminder, the party reviewed for review.published.
 */
export const ReviewEventMessage = z.object({
  type: ReviewEventType,
  booking_id: z.number().int().positive(),
  customer_id: z.number().int().positive(),
  provider_id: z.number().int().positive(),
  provider_user_id: z.number().int().positive(),
  to: z.array(ReviewSide).min(1).max(2),
  meta: z
    .object({
      event_id: z.string().uuid(),
      at: z.string().datetime(),
      service_type: z.string(),
      /** When the booking's review window closes. */
      closes_at: z.string().datetime(),
      /** review.published: the review, and its stars (filled in by the statement that publishes it). */
      review_id: z.number().int().positive().optional(),
      rating: z.number().int().min(1).max(5).optional(),
    })
    .passthrough(),
});
export type ReviewEventMessage = z.infer<typeof ReviewEventMessage>;

/** Everything on `booking-events`, told apart by `type`. */
export const BookingQueueMessage = z.discriminatedUnion("type", [BookingEventMessage, ReviewEventMessage]);
export type BookingQueueMessage = z.infer<typeof BookingQueueMessage>;

/**
 * `chat-events`: messages that reached a participant while they had no socket open, collapsed per conversation by
 * the conversation's object. The preview is already redacted; the consumer never logs it.
 */
export const ChatMessageEvent = z.object({
  type: z.literal("chat.message"),
  event_id: z.string().uuid(),
  booking_id: z.number().int().positive(),
  recipient_id: z.number().int().positive(),
  sender_role: z.enum(["customer", "provider"]),
  /** Messages collapsed into this push. */
  count: z.number().int().positive(),
  last_seq: z.number().int().positive(),
  preview: z.string().max(200),
  at: z.string().datetime(),
});

/** A moderator warned this participant about their messages in a conversation. */
export const ChatWarningEvent = z.object({
  type: z.literal("chat.warning"),
  event_id: z.string().uuid(),
  booking_id: z.number().int().positive(),
  recipient_id: z.number().int().positive(),
  at: z.string().datetime(),
});

export const ChatEventMessage = z.discriminatedUnion("type", [ChatMessageEvent, ChatWarningEvent]);
export type ChatEventMessage = z.infer<typeof ChatEventMessage>;

/**
 * `account-events`: money news for one person: a payout sent or failed (to the provider), a dispute opened (to the
 * provider) or resolved (to both). Recipients are named by user, or by provider (the consumer finds their user).
 */
export const AccountEventMessage = z.object({
  type: AccountEventType,
  event_id: z.string().uuid(),
  /** The booking a dispute is about; 0 for a payout. */
  booking_id: z.number().int().nonnegative(),
  to: z
    .array(
      z.union([
        z.object({ user_id: z.number().int().positive() }),
        z.object({ provider_id: z.number().int().positive() }),
      ]),
    )
    .min(1),
  amount_poisha: z.number().int().nonnegative(),
  /** payout.failed: what to fix (no_account, invalid_receiver, limit, gateway); dispute.resolved: the outcome. */
  reason: z.string().max(60).optional(),
  at: z.string().datetime(),
});
export type AccountEventMessage = z.infer<typeof AccountEventMessage>;
const MatchBase = {
  event_id: z.string().uuid(),
  request_id: z.number().int().positive(),
  /** The user the push is for: the offered provider's user, or the request's customer. */
  recipient_id: z.number().int().positive(),
  at: z.string().datetime(),
};

/**
 * `match-events`: a job offered to a provider. What the push may say: the service, how far, when, what it pays;
 * never who the customer is or how to reach them.
 */
export const OfferCreatedEvent = z.object({
  type: z.literal("offer.created"),
  ...MatchBase,
  offer_id: z.number().int().positive(),
  service_type: z.string(),
  start_date: z.string().datetime(),
  end_date: z.string().datetime(),
  price_poisha: z.number().int().nonnegative(),
  unit: PriceUnit,
  /** From the provider's public point to the job, rounded to 100 m. */
  distance_m: z.number().int().nonnegative(),
  expires_at: z.string().datetime(),
});

/** An open offer taken back: the provider's notification of it is replaced. */
export const OfferWithdrawnEvent = z.object({
  type: z.literal("offer.withdrawn"),
  ...MatchBase,
  offer_id: z.number().int().positive(),
  reason: OfferWithdrawReason,
});

/** The customer's request found its provider: the booking (ACCEPTED) waits for the customer's confirm. */
export const RequestMatchedEvent = z.object({
  type: z.literal("request.matched"),
  ...MatchBase,
  booking_id: z.number().int().positive(),
  service_type: z.string(),
  start_date: z.string().datetime(),
  price_poisha: z.number().int().nonnegative(),
});

/** Nobody accepted within the search time (or nobody was free to ask). */
export const RequestNoProviderEvent = z.object({
  type: z.literal("request.no_provider"),
  ...MatchBase,
  service_type: z.string(),
  start_date: z.string().datetime(),
});

export const MatchEventMessage = z.discriminatedUnion("type", [
  OfferCreatedEvent,
  OfferWithdrawnEvent,
  RequestMatchedEvent,
  RequestNoProviderEvent,
]);
export type MatchEventMessage = z.infer<typeof MatchEventMessage>;
