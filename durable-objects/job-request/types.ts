// What crosses the RPC boundary between the gateway (and the cron) and a job request's object.

/** The gateway already checked the caller is the offer's provider; the object checks again against Postgres. */
export interface OfferAnswerInput {
  requestId: number;
  offerId: number;
  providerUserId: number;
  /** decline: the provider's words, never shown to the customer. */
  reason?: string | undefined;
}

export interface CancelInput {
  requestId: number;
  customerId: number;
}

/** A step the object must take for its search to go on (a wave, a retry); the alarm does the work. */
export interface KickInput {
  requestId: number;
}
