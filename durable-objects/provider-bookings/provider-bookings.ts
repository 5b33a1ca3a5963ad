// ProviderBookings: one object per provider. Serializes that provider's booking creates and transitions, keeps
// their active bookings in SQLite, and makes every change in one atomic Postgres statement together with its
// audit row, its outbox event and the answer under the caller's idempotency key; the event is relayed to the
// queue right after the commit. It is also the one writer of the payments ledger: every step's money, and every
// Stripe webhook, moves `payments` here, under the same lock.
//
// A step is a short pipeline, read top to bottom: claim the key and read the context (round trip 1), decide
// (pure), settle the money (gateway calls), commit (round trip 2), publish (cache, alarm, queue).

import { DurableObject } from "cloudflare:workers";
import { ACTIVE, decide } from "../../lib/booking-machine";
import type { ErrorCode } from "../../lib/errors";
import type { AccountEventMessage } from "../../lib/messages";
import { Mutex } from "../../lib/mutex";
import { confirmDeadline } from "../../lib/policy";
import { loadConfig } from "../../platform/config";
import { payoutGatewayFor } from "../../platform/payments";
import { type ObjectDb, PgConnection } from "../../platform/pg/connection";
import { isDependencyFailure } from "../../platform/pg/errors";
import { PgHttp } from "../../platform/pg/http";
import { first, rows, run } from "../../platform/pg/sql";
import { createRedis } from "../../platform/redis";
import { invalidateAround } from "../../platform/search-cache";
import { ActiveCache } from "./cache";
import { type Commit, committed, finishParams, type OutboxEvent } from "./commit";
import { contextParams, decideCreate, placeOf, windowOf } from "./create";
import { failureOutcome, StepGuard } from "./guard";
import { answer, claim, type KeyParams, priorAnswer, release } from "./keys";
import { applyStripeEvent } from "./ledger";
import { type PaymentContext, PaymentSteps, type Settled } from "./payments";
import { CASH_OWED } from "./payout-sql";
import { type PayoutAnswer, type PayoutOp, Payouts } from "./payouts";
import {
  BOOKING_CONTEXT,
  type BookingContext,
  FINISH_CREATE,
  FINISH_TRANSITION,
  FINISH_TRANSITION_PAID,
  MARK_PUBLISHED,
  MARK_SEND_FAILED,
  PROVIDER_CONTEXT,
  UNPUBLISHED,
} from "./sql";
import { actorKind, planTransition, refusal, type Step, settle, TIMER, termsOf } from "./transition";
import type { ActorRef, CreateInput, Idempotency, RefundInput, StripeEventInput, TransitionInput } from "./types";
import { type BookingView, type BookingWithPayment, fail, type Outcome } from "./views";

const OUTBOX_RETRY_MS = 30_000;

export class ProviderBookings extends DurableObject<Env> {
  /**
   * How this object reaches Postgres (PG_OBJECT_WRITES): the stateless HTTP path by default, so busy objects hold no
   * connections and the pooler bounds them; or a connection of its own. A field so fault tests can cut it mid-step.
   */
  readonly pg: ObjectDb;
  /**
   * Input gates do not cover Postgres round trips: while one request awaits the database another would run. Every
   * create, transition, expiry and webhook therefore runs under this lock, so check-then-commit sees no
   * interleaving, and a webhook and a step never move one payment at once.
   */
  private readonly mutex = new Mutex();
  /** The queue binding, a field so tests can make the relay fail and watch the sweep recover. */
  events: Queue;
  private readonly cache: ActiveCache;
  /** Catches every failure of a step: the caller's key is released, the answer is an Outcome (503, 400 or 500). */
  private readonly guard: StepGuard;
  private providerId: number | undefined;
  /** Whether this object is bound for good (its provider is known to exist): only then does it keep storage. */
  private adopted = false;
  private loaded = false;
  /** Where the provider is: search sees them at a public point nearby, so invalidation covers the cells around it. */
  private providerAt: { lat: number; lng: number } | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.events = env.BOOKING_EVENTS;
    // Validated config, not raw env: DATABASE_URL is a secret in deployed environments.
    const cfg = loadConfig(env);
    this.pg =
      cfg.PG_OBJECT_WRITES === "http"
        ? new PgHttp(cfg)
        : new PgConnection(cfg, { idleMs: 10_000, onConnect: ["SET jit = off"] });
    this.cache = new ActiveCache(ctx.storage.sql);
    this.guard = new StepGuard(this.pg, ctx.storage.sql, () => loadConfig(env).LOG_LEVEL);
    ctx.blockConcurrencyWhile(async () => {
      // Reads only: an object for an id that turned out not to be a provider's never wrote these tables.
      const sql = ctx.storage.sql;
      if (sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").toArray().length === 0) return;
      const row = sql.exec<{ v: string }>("SELECT v FROM meta WHERE k = 'provider_id'").toArray()[0];
      if (!row) return;
      this.providerId = Number(row.v);
      this.adopted = true;
      this.cache.open();
    });
  }

  // ---- RPC -------------------------------------------------------------------------------------------------

  create(input: CreateInput): Promise<Outcome> {
    // Any id can be asked for: the object adopts its provider only once the create's read shows it exists.
    return this.step(input.actor, input.idempotency, input.body.provider_id, () => this.doCreate(input), false);
  }

  transition(input: TransitionInput): Promise<Outcome> {
    return this.step(input.actor, input.idempotency, input.providerId, () => this.doTransition(input));
  }

  /** Support refunds captured money (a dispute, a goodwill gesture): never more than was captured and kept. */
  refund(input: RefundInput): Promise<Outcome> {
    return this.step(input.actor, input.idempotency, input.providerId, () => this.doRefund(input));
  }

  /**
   * A verified Stripe event for one of this provider's bookings: recorded once and applied as a forward move of
   * its payment. Under the lock, so it never interleaves with a step moving the same payment (a cancel's void).
   */
  stripeEvent(input: StripeEventInput): Promise<{ duplicate: boolean } | { error: ErrorCode }> {
    return this.mutex.run(async () => {
      try {
        await this.bind(input.providerId);
        return await applyStripeEvent(this.pg, input);
      } catch (err) {
        // Not applied: the webhook answers with the failure's status and Stripe delivers the event again.
        return { error: errorCodeOf(failureOutcome(err)) };
      }
    });
  }

  /** Replaces a card hold that would lapse before the job (the cron's renewal sweep). */
  renewHold(providerId: number, bookingId: number): Promise<{ renewed: boolean; error?: string }> {
    return this.mutex.run(async () => {
      try {
        await this.bind(providerId);
        const ctx = await this.readBooking(bookingId, NO_KEY);
        if (!ctx?.view) return { renewed: false, error: "not_found" };
        if (ctx.view.status !== "CONFIRMED") return { renewed: false, error: "not_confirmed" };
        return await this.money(ctx, ctx.view, { action: "renew" }).renew();
      } catch (err) {
        // The next sweep tries again: a hold is renewed a day before it would lapse.
        return { renewed: false, error: errorCodeOf(failureOutcome(err)) };
      }
    });
  }

  /** Reloads the SQLite cache from Postgres and relays anything left in the outbox. */
  refresh(providerId: number): Promise<{ active: number }> {
    return this.mutex.run(async () => {
      await this.bind(providerId);
      await this.reload();
      await this.relay();
      return { active: this.cache.all().length };
    });
  }

  /**
   * Payout work (start, approve, reconcile, a bank transfer confirmed) under the lock that also guards this
   * provider's bookings' money, so a payout never races a refund. An outage answers `unavailable`.
   */
  payouts(providerId: number, op: PayoutOp): Promise<PayoutAnswer> {
    return this.mutex.run(async () => {
      try {
        await this.bind(providerId);
        const cfg = loadConfig(this.env);
        const notify = async (e: AccountEventMessage) =>
          void (await this.env.ACCOUNT_EVENTS.send(e, { contentType: "json" }));
        return await new Payouts(this.pg, cfg, () => payoutGatewayFor(cfg), notify).run(providerId, op);
      } catch (err) {
        if (!isDependencyFailure(err)) throw err;
        return { ok: false, reason: "unavailable" };
      }
    });
  }

  /** The cache, for tests and diagnostics. */
  async cachedBookings() {
    return this.cache.all();
  }

  /** Whether this object holds an open Postgres connection right now. */
  async holdsConnection(): Promise<boolean> {
    return this.pg.connected;
  }

  override async alarm(): Promise<void> {
    await this.mutex.run(async () => {
      const providerId = this.providerId;
      if (providerId === undefined || !this.adopted) return;
      await this.bind(providerId);
      await this.ensureLoaded();
      let retry = false;
      for (const id of this.cache.due(Date.now())) {
        const step: Step = { providerId, bookingId: id, action: "expire", actor: TIMER };
        const out = await this.guard.run(TIMER, undefined, () => this.doTransition(step));
        // An outage (or a gateway that did not answer while releasing a payment) leaves the booking due.
        if (!out.ok && (out.code === "dependency_unavailable" || out.code === "internal")) retry = true;
      }
      await this.relay().catch(() => {
        retry = true;
      });
      await this.armAlarm();
      // A booking left due would re-arm the alarm in the past, and an outage would turn into a busy loop.
      if (retry) await this.ctx.storage.setAlarm(Date.now() + OUTBOX_RETRY_MS);
    });
  }

  // ---- the steps -------------------------------------------------------------------------------------------

  /** A keyed step under the lock and the guard: whatever fails inside answers as an Outcome, its key released. */
  private step(
    who: ActorRef,
    idem: Idempotency | undefined,
    providerId: number,
    body: () => Promise<Outcome>,
    adopt = true,
  ) {
    return this.mutex.run(() =>
      this.guard.run(who, idem, async () => {
        await this.bind(providerId, adopt);
        return body();
      }),
    );
  }

  private async doCreate(input: CreateInput): Promise<Outcome> {
    if (this.adopted) await this.ensureLoaded();
    const { actor, idempotency: idem } = input;
    const w = windowOf(input);
    const taken = () => this.cache.overlaps(w.start.getTime(), w.end.getTime());
    // Fast refusal for a slot the cache knows is taken: one read (is this a retry of an earlier answer?) instead
    // of claiming the key and storing a refusal. A race for one slot is mostly these.
    if (taken()) return (await priorAnswer(this.pg, actor, idem)) ?? fail("conflict", "slot_taken");
    const claimed = await claim(this.pg, actor, idem, (key) =>
      first(this.pg, PROVIDER_CONTEXT, { ...key, ...contextParams(input, w) }),
    );
    if (!claimed.go) return claimed.outcome;
    // No such provider: nothing is kept, neither this object's storage nor the key (a not_found is not stored).
    if (claimed.row.verification_status === null) {
      return answer(this.pg, actor, idem, fail("not_found", "provider_not_bookable"));
    }
    if (!this.adopted) {
      // The first create for this provider: the round trip the load would have taken before the claim comes now.
      this.adopt();
      await this.reload();
    }
    const decision = decideCreate(input, w, claimed.row, loadConfig(this.env), taken);
    if (!decision.ok) return answer(this.pg, actor, idem, decision.refusal);
    const { insert, commit, at } = decision.plan;
    // The exclusion constraint is the final guard. DO NOTHING turns a lost race into "no row" instead of an error;
    // then our cache missed a booking: Postgres wins and the cache reloads.
    const done = committed(await first(this.pg, FINISH_CREATE, { ...this.finishing(commit), ...insert }));
    if (!done) {
      await this.reload();
      return answer(this.pg, actor, idem, fail("conflict", "slot_taken"));
    }
    await this.published(done, at, true);
    return { ok: true, status: 201, body: done.view };
  }

  private async doTransition(step: Step): Promise<Outcome> {
    await this.ensureLoaded();
    const { actor: who, idempotency: idem } = step;
    const claimed = await claim(this.pg, who, idem, (key) => this.readBooking(step.bookingId, key));
    if (!claimed.go) return claimed.outcome;
    const ctx = claimed.row;
    const booking = ctx.view;
    const actor = booking && actorKind(step, booking.customer_id, ctx.provider_user_id);
    // Nobody outside the booking learns that it exists.
    if (!booking || !actor) return answer(this.pg, who, idem, fail("not_found", "not_found"));
    const money = this.money(ctx, booking, {
      action: step.action,
      via: step.via,
      clientIp: step.clientIp,
      returnUrl: step.returnUrl ?? ctx.return_url,
    });

    const now = new Date();
    const decision = decide(booking.status, step.action, actor, { now, start: new Date(booking.start_date) });
    if (!decision.ok) return this.refused(step, booking, money, refusal(booking, step, actor, decision, money.current));
    const cfg = loadConfig(this.env);
    // A provider past the cash-commission limit takes no new cash job until the debt is settled.
    if (step.action === "accept" && booking.payment_method === "cash") {
      const owed = (await first(this.pg, CASH_OWED, { provider_id: step.providerId }))?.owed ?? 0;
      const limit = cfg.CASH_DEBT_LIMIT_POISHA;
      if (owed >= limit) {
        return answer(
          this.pg,
          who,
          idem,
          fail("conflict", "cash_debt_limit", { kind: "limit", name: "cash_debt_poisha", limit }),
        );
      }
    }
    const terms = termsOf(step, booking, actor, now, cfg, money.current);
    const settled = await settle(money, step, terms);
    if (!settled.go) return this.stopped(who, idem, settled);

    const providerUserId = ctx.provider_user_id ?? 0;
    const start = new Date(booking.start_date);
    const confirmBy = decision.to === "ACCEPTED" ? confirmDeadline(now, start, cfg.BOOKING_CONFIRM_WITHIN_H) : null;
    const plan = planTransition({
      step,
      booking,
      actor,
      to: decision.to,
      terms,
      providerUserId,
      confirmDeadline: confirmBy,
    });
    const params = { ...this.finishing(plan.commit), ...plan.update };
    // The payment's final move, if the money side left one, commits in the same statement as the booking change.
    const done = committed(
      money.deferred
        ? await first(this.pg, FINISH_TRANSITION_PAID, { ...params, ...money.deferred })
        : await first(this.pg, FINISH_TRANSITION, params),
    );
    if (!done) {
      // Someone moved the booking between our read and our write. Postgres wins: reload and report what it is.
      await this.reload();
      return answer(this.pg, who, idem, fail("conflict", "illegal_transition"));
    }
    // Accept and confirm keep the slot taken: search's cached availability is still right.
    await this.published(done, placeOf(ctx.provider_lat, ctx.provider_lng), !ACTIVE.includes(done.view.status));
    // The view carries the payment as the statement left it: the same body a replay of the key answers.
    return { ok: true, status: 200, body: done.view };
  }

  private async doRefund(input: RefundInput): Promise<Outcome> {
    const { actor: who, idempotency: idem } = input;
    const claimed = await claim(this.pg, who, idem, (key) => this.readBooking(input.bookingId, key));
    if (!claimed.go) return claimed.outcome;
    const booking = claimed.row.view;
    if (!booking || who.role !== "admin") return answer(this.pg, who, idem, fail("not_found", "not_found"));
    const settled = await this.money(claimed.row, booking, { action: "refund" }).refund(input.amountPoisha, {
      by: who.userId,
      reason: input.reason,
    });
    if (!settled.go) return this.stopped(who, idem, settled);
    return answer(this.pg, who, idem, { ok: true, status: 200, body: { ...booking, payment: settled.payment } });
  }

  /** Answers a step the machine refused (stored under the key); a payment settled for a booking gone is returned. */
  private async refused(step: Step, booking: BookingView, money: PaymentSteps, stay: Outcome): Promise<Outcome> {
    if (step.via && booking.status !== "CONFIRMED") {
      // The booking moved on (cancelled, expired) while the customer was at the wallet: give the money back.
      const settled = await money.abandon();
      if (!settled.go) return settled.outcome;
      return fail("conflict", "booking_not_payable", {
        kind: "state",
        status: booking.status,
        payment: settled.payment?.status ?? null,
      });
    }
    return answer(this.pg, step.actor, step.idempotency, stay);
  }

  // ---- the pieces the steps share --------------------------------------------------------------------------

  /** Round trip 1 of a step on an existing booking: claim `key` and read the booking with its payment. */
  private readBooking(bookingId: number, key: KeyParams): Promise<BookingContext | undefined> {
    return first(this.pg, BOOKING_CONTEXT, { ...key, booking_id: bookingId, provider_id: this.providerId ?? 0 });
  }

  /** The money side of a step on a booking read with its payment. */
  private money(
    ctx: BookingContext,
    booking: BookingView,
    step: Pick<PaymentContext, "action" | "via" | "clientIp" | "returnUrl">,
  ): PaymentSteps {
    return new PaymentSteps({
      pg: this.pg,
      cfg: loadConfig(this.env),
      booking,
      payment: ctx.payment,
      paymentMethodId: ctx.payment_method_id,
      // A transition commits its booking change next: its final ledger write rides along in that statement.
      deferFinal: step.action !== "refund" && step.action !== "renew",
      ...step,
    });
  }

  /** The finishChange parameters of a change to this provider's booking. */
  private finishing(commit: Commit) {
    return finishParams(commit, this.providerId ?? 0);
  }

  /**
   * Answers a step its money side stopped. A gateway that did not answer, or a wallet still waiting for the
   * customer, must not pin the key: the retry (same key) asks again, safely, because every gateway call carries
   * its own idempotency key. A refusal is stored under the key like any other answer.
   */
  private async stopped(
    who: ActorRef,
    idem: Idempotency | undefined,
    settled: Extract<Settled, { go: false }>,
  ): Promise<Outcome> {
    if (!settled.release) return answer(this.pg, who, idem, settled.outcome);
    await release(this.pg, who, idem);
    return settled.outcome;
  }

  /**
   * After a commit: the cache and the alarm follow the change; the event is published and, when the provider's
   * taken slots changed, cached search windows are invalidated, without holding up the caller.
   */
  private async published(
    done: { view: BookingWithPayment; event: OutboxEvent },
    at: { lat: number; lng: number } | null,
    slotsChanged: boolean,
  ): Promise<void> {
    if (at) this.providerAt = at;
    this.cache.changed(done.view);
    await this.armAlarm();
    const cfg = loadConfig(this.env);
    if (this.providerAt && slotsChanged) {
      const redis = createRedis(cfg);
      // Best effort: entries expire within a minute anyway, and a Redis blip must not fail a committed booking.
      // The same call the gateway makes after a profile change: every cell that can see the provider's public point.
      this.ctx.waitUntil(invalidateAround(redis, [this.providerAt], ["availability"]).catch(() => {}));
    }
    // Through the lock: events leave in commit order, and on a connection of its own (PG_OBJECT_WRITES=websocket)
    // the statements must not interleave with another change.
    // A failure here leaves the event in the outbox: the alarm relays it.
    this.ctx.waitUntil(
      this.mutex
        .run(() => this.publish([done.event]).catch(() => this.ctx.storage.setAlarm(Date.now() + OUTBOX_RETRY_MS)))
        .catch(() => {}),
    );
  }

  /** Sends events, marks them published; on failure leaves them for the alarm (and the cron sweep). */
  private async publish(events: OutboxEvent[]): Promise<void> {
    if (events.length === 0) return;
    const ids = events.map((e) => e.id);
    try {
      await this.events.sendBatch(events.map((e) => ({ body: e.payload, contentType: "json" as const })));
    } catch (err) {
      const error = err instanceof Error ? err.message.slice(0, 200) : "send failed";
      await run(this.pg, MARK_SEND_FAILED, { ids, error });
      await this.ctx.storage.setAlarm(Date.now() + OUTBOX_RETRY_MS);
      return;
    }
    await run(this.pg, MARK_PUBLISHED, { ids });
  }

  /** Relays everything this provider left unpublished (after a failed send or a crash between commit and send). */
  private async relay(): Promise<void> {
    await this.publish(await rows(this.pg, UNPUBLISHED, { partition_key: String(this.providerId) }));
  }

  // ---- binding and the cache -------------------------------------------------------------------------------

  /**
   * Binds this object to its provider on first use; a mismatch means a routing bug, never user input. `adopt`
   * also records the binding in storage: for every caller that names the provider by one of its bookings (they
   * exist), not for a create, which names any id it likes and adopts only once the provider is known to exist.
   */
  private async bind(providerId: number, adopt = true): Promise<void> {
    this.providerId ??= providerId;
    this.pg.applicationName = `kormo:provider:${this.providerId}`;
    if (this.providerId !== providerId) throw new Error("booking object routed to the wrong provider");
    if (adopt) this.adopt();
  }

  /** Keeps the binding and the cache's table in the object's storage, once. */
  private adopt(): void {
    if (this.adopted) return;
    const sql = this.ctx.storage.sql;
    sql.exec("CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL)");
    sql.exec("INSERT OR REPLACE INTO meta (k, v) VALUES ('provider_id', ?)", String(this.providerId));
    this.cache.open();
    this.adopted = true;
  }

  private async ensureLoaded(): Promise<void> {
    if (!this.loaded) await this.reload();
  }

  /** Postgres is the truth: replace the cache with the provider's active bookings as the database has them. */
  private async reload(): Promise<void> {
    await this.cache.reload(this.pg, this.providerId ?? 0);
    this.loaded = true;
    await this.armAlarm();
  }

  /** One alarm per object: the earliest accept deadline among pending bookings. */
  private async armAlarm(): Promise<void> {
    const next = this.cache.nextDeadline();
    const current = await this.ctx.storage.getAlarm();
    if (next !== null && (current === null || next < current)) await this.ctx.storage.setAlarm(next);
  }
}

/** The parameters of a read that claims no key (the cron's renewal acts for nobody). */
const NO_KEY: KeyParams = { user_id: 0, key: null, method: null, path: null, request_hash: null };

const errorCodeOf = (o: Outcome): ErrorCode => (o.ok ? "internal" : o.code);
