// Every closed list of the domain, written once as a zod enum. OpenAPI schemas, TypeScript types and the SQL CHECKs
// follow from these (test/node/enums.test.ts compares each with the CHECK constraint of the migrated database).
import { z } from "zod";

export const Role = z.enum(["customer", "provider", "admin"]);
export type Role = z.infer<typeof Role>;

export const Lang = z.enum(["bn", "en"]);
export type Lang = z.infer<typeof Lang>;

export const VerificationStatus = z.enum(["unverified", "pending", "verified", "rejected"]);
export type VerificationStatus = z.infer<typeof VerificationStatus>;

export const KycStatus = z.enum(["pending", "approved", "rejected"]);
export type KycStatus = z.infer<typeof KycStatus>;

export const KycDocument = z.enum(["nid_front", "nid_back", "selfie"]);
export type KycDocument = z.infer<typeof KycDocument>;

export const ImageType = z.enum(["image/jpeg", "image/png", "image/webp"]);
export type ImageType = z.infer<typeof ImageType>;

/** How a service is priced. */
export const PriceUnit = z.enum(["hour", "day", "visit"]);
export type PriceUnit = z.infer<typeof PriceUnit>;

export const BookingStatus = z.enum([
  "PENDING",
  "ACCEPTED",
  "CONFIRMED",
  "COMPLETED",
  "CANCELED",
  "DECLINED",
  "EXPIRED",
]);
export type BookingStatus = z.infer<typeof BookingStatus>;
/** Statuses that hold the provider's time: the no-overlap constraint covers exactly these. */
export const ActiveStatus = BookingStatus.extract(["PENDING", "ACCEPTED", "CONFIRMED"]);
export type ActiveStatus = z.infer<typeof ActiveStatus>;

export const BookingAction = z.enum(["accept", "decline", "cancel", "confirm", "complete", "expire"]);
export type BookingAction = z.infer<typeof BookingAction>;

/** Who acts on a booking: its customer, its provider, an operator, or the accept-timeout timer. */
export const Actor = z.enum(["customer", "provider", "admin", "timer"]);
export type Actor = z.infer<typeof Actor>;

/** What the customer chose to pay with. */
export const PaymentMethod = z.enum(["cash", "card", "bkash", "nagad"]);
export type PaymentMethod = z.infer<typeof PaymentMethod>;

/** Who holds the money: the ledger's name for a method (cards go through Stripe). */
export const LedgerGateway = z.enum(["cash", "stripe", "bkash", "nagad"]);
export type LedgerGateway = z.infer<typeof LedgerGateway>;
export const GATEWAY_OF: Record<PaymentMethod, LedgerGateway> = {
  cash: "cash",
  card: "stripe",
  bkash: "bkash",
  nagad: "nagad",
};

export const LedgerStatus = z.enum(["requires_action", "authorized", "captured", "voided", "refunded", "failed"]);
export type LedgerStatus = z.infer<typeof LedgerStatus>;

/**
 * What a wallet's return tells the app, appended to its return_url: confirmed (paid, booking CONFIRMED), pending (not
 * settled yet: the approval is still open or the gateway did not answer; the reconciler settles it), canceled (the
 * customer cancelled at the wallet), failed (declined, wrong amount, or the booking no longer takes payment).
 */
export const WalletOutcome = z.enum(["confirmed", "pending", "failed", "canceled"]);
export type WalletOutcome = z.infer<typeof WalletOutcome>;

export const DevicePlatform = z.enum(["ios", "android", "web"]);
export type DevicePlatform = z.infer<typeof DevicePlatform>;

export const DeliveryChannel = z.enum(["push", "sms"]);
export type DeliveryChannel = z.infer<typeof DeliveryChannel>;

export const DeliveryStatus = z.enum(["pending", "sent", "failed", "skipped"]);
export type DeliveryStatus = z.infer<typeof DeliveryStatus>;

/** The seed's booking events, plus declined and expired (each status has its own). */
export const BookingEventType = z.enum([
  "booking.created",
  "booking.accepted",
  "booking.confirmed",
  "booking.completed",
  "booking.canceled",
  "booking.declined",
  "booking.expired",
]);
export type BookingEventType = z.infer<typeof BookingEventType>;

/** The two sides of a booking that review each other: the customer reviews the provider, and the other way round. */
export const ReviewSide = z.enum(["customer", "provider"]);
export type ReviewSide = z.infer<typeof ReviewSide>;

/** Why a review was set aside for an admin to look at (stored in reviews.flags). */
export const ReviewFlag = z.enum(["burst"]);
export type ReviewFlag = z.infer<typeof ReviewFlag>;

/** What an admin decides about a reported or flagged review: hide it (kept, never deleted) or keep it up. */
export const ModerationDecision = z.enum(["hide", "keep"]);
export type ModerationDecision = z.infer<typeof ModerationDecision>;

/** Review events on the booking-events queue: asked for after completion, a reminder before the window closes, and
 * published (to the party reviewed). */
export const ReviewEventType = z.enum(["review.requested", "review.reminder", "review.published"]);
export type ReviewEventType = z.infer<typeof ReviewEventType>;

/** Chat's notifications: a message to an absent participant, a moderator's warning. */
export const ChatEventType = z.enum(["chat.message", "chat.warning"]);
export type ChatEventType = z.infer<typeof ChatEventType>;

/** Money news for one person: payouts and disputes. */
export const AccountEventType = z.enum(["payout.sent", "payout.failed", "dispute.opened", "dispute.resolved"]);
export type AccountEventType = z.infer<typeof AccountEventType>;

/**
 * Matching's notifications: a job offered to a provider, an offer taken back (another provider won, the customer
 * cancelled, the search ended), and the customer's two answers.
 */
export const MatchEventType = z.enum(["offer.created", "offer.withdrawn", "request.matched", "request.no_provider"]);
export type MatchEventType = z.infer<typeof MatchEventType>;

/** Every event the delivery log records: booking steps, review events, chat, money news, matching. */
export const NotificationEventType = z.union([
  BookingEventType,
  ReviewEventType,
  ChatEventType,
  AccountEventType,
  MatchEventType,
]);
export type NotificationEventType = z.infer<typeof NotificationEventType>;

/** Why a conversation is closed before its window ends: one side blocked the other, or an operator closed it. */
export const ConversationCloseReason = z.enum(["block", "moderation"]);
export type ConversationCloseReason = z.infer<typeof ConversationCloseReason>;

/** A moderation case on a conversation: open until an operator acts. */
export const ChatCaseStatus = z.enum(["open", "resolved"]);
export type ChatCaseStatus = z.infer<typeof ChatCaseStatus>;

/** What put a conversation in front of moderators: a participant (report, block) or the system (repeated contact
 * sharing, flagged words). */
export const ChatReportKind = z.enum(["report", "block", "contact_sharing", "flagged_terms"]);
export type ChatReportKind = z.infer<typeof ChatReportKind>;

/** How an operator resolves a case. */
export const ChatCaseAction = z.enum(["warn", "suspend", "close", "dismiss"]);
export type ChatCaseAction = z.infer<typeof ChatCaseAction>;

/** Where a provider is paid: a bKash wallet (B2C) or a bank account (BEFTN batch). */
export const PayoutMethod = z.enum(["bkash", "bank"]);
export type PayoutMethod = z.infer<typeof PayoutMethod>;

/**
 * A payout's life: held for approval, pending (being sent; bank: waiting for ops), unknown (the gateway's answer
 * was lost), sent, failed, or netted (only cash commission was settled).
 */
export const PayoutStatus = z.enum(["requires_approval", "pending", "unknown", "sent", "failed", "netted"]);
export type PayoutStatus = z.infer<typeof PayoutStatus>;
/** The payouts still open: at most one per provider. */
export const OpenPayoutStatus = PayoutStatus.extract(["requires_approval", "pending", "unknown"]);

/** The journal's accounts (migration 0018 says which side each sits on). */
export const LedgerAccount = z.enum([
  "customer_escrow",
  "provider_payable",
  "provider_cash_owed",
  "platform_revenue",
  "gateway_clearing",
  "payouts_in_flight",
  "payout_funding",
]);
export type LedgerAccount = z.infer<typeof LedgerAccount>;

export const DisputeStatus = z.enum(["open", "resolved"]);
export type DisputeStatus = z.infer<typeof DisputeStatus>;

export const DisputeResolution = z.enum(["release", "partial_refund", "full_refund"]);
export type DisputeResolution = z.infer<typeof DisputeResolution>;
/** A household's job request: searching for a provider until one accepts (MATCHED), nobody does, or it is cancelled. */
export const JobRequestStatus = z.enum(["SEARCHING", "MATCHED", "NO_PROVIDER", "CANCELED"]);
export type JobRequestStatus = z.infer<typeof JobRequestStatus>;

/**
 * An offer of a job to one provider: open until answered or its wave ends (expired); accepted by the winner;
 * declined; withdrawn when the request ended otherwise; unavailable when the provider accepted but could not take
 * the job after all (another booking took that time first).
 */
export const OfferStatus = z.enum(["open", "accepted", "declined", "expired", "withdrawn", "unavailable"]);
export type OfferStatus = z.infer<typeof OfferStatus>;

/**
 * Why an open offer was taken back: another provider won, the customer cancelled, the search ended, or the provider
 * has since taken another job at that time (busy).
 */
export const OfferWithdrawReason = z.enum(["matched", "canceled", "ended", "busy"]);
export type OfferWithdrawReason = z.infer<typeof OfferWithdrawReason>;
