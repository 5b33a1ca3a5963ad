// ProviderBookings: one object per provider. Serializes that provider's booking creates and transitions, keeps
// their active bookings in SQLite, and makes every change in one atomic Postgres statement together with its
// audit row, its outbox event and the answer under the caller's idempotency key; the event is relayed to the
// queue right after the commit.

import { DurableObject } from "cloudflare:workers";
import { windowWeekRange } from "../../lib/availability";
import { ACTIVE, type Action, type Actor, decide, RULES, type Status } from "../../lib/booking-machine";
import { type ErrorCode, statusOf } from "../../lib/errors";
import { cellOf } from "../../lib/geo";
import type { MessageKey } from "../../lib/i18n";
import { Mutex } from "../../lib/mutex";
import { cancelTerms, quote, type Unit } from "../../lib/pricing";
import { loadConfig } from "../../platform/config";
import { PgConnection } from "../../platform/pg/connection";
import { createRedis } from "../../platform/redis";
import { invalidateCell } from "../../platform/search-cache";
import { type BookingEvent, bookingEvent } from "./events";
import { type PaymentContext, type PaymentRow, PaymentSteps, type Settled } from "./payments";
import {
  ANSWER_KEY,
  BOOKING_CONTEXT,
  finishChange,
  INSERT_BOOKING,
  LEDGER_PAYMENT,
  MOVED_PAYMENT,
  movePayment,
  PROVIDER_CONTEXT,
  READ_KEY,
  TAKE_OVER_KEY,
  toView,
  UPDATE_STATUS,
} from "./sql";
import type { ActorRef, BookingView, CreateInput, Idempotency, Outcome, RefundInput, TransitionInput } from "./types";

const MINUTE = 60_000;
const OUTBOX_RETRY_MS = 30_000;
const FINISH_CREATE = finishChange(INSERT_BOOKING);
const FINISH_TRANSITION = finishChange(UPDATE_STATUS, { payment: LEDGER_PAYMENT });
/** A transition that also records its payment's final move (UPDATE_STATUS takes $11-$16; the payment $17 on). */
const FINISH_TRANSITION_PAID = finishChange(UPDATE_STATUS, { more: movePayment(17), payment: MOVED_PAYMENT });

const fail = (code: ErrorCode, message: MessageKey, details?: unknown): Outcome => ({
  ok: false,
  code,
  message,
  ...(details === undefined ? {} : { details }),
});

/** The outcome of claiming a key: go ahead, or answer now (a replay, a mismatch, or a duplicate in flight). */
type Claim = { go: true; row: Record<string, unknown> } | { go: false; outcome: Outcome };

export class ProviderBookings extends DurableObject<Env> {
  private readonly pg: PgConnection;
  /**
   * Input gates do not cover Postgres round trips: while one request awaits the database another would run. Every
   * create, transition and expiry therefore runs under this lock, so check-then-commit sees no interleaving.
   */
  private readonly mutex = new Mutex();
  /** The queue binding, a field so tests can make the relay fail and watch the sweep recover. */
  events: Queue;
  private providerId: number | undefined;
  private loaded = false;
  private cellOfProvider: string | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.events = env.BOOKING_EVENTS;
    // Validated config, not raw env: DATABASE_URL is a secret in deployed environments.
    this.pg = new PgConnection(loadConfig(env), { idleMs: 10_000, onConnect: ["SET jit = off"] });
    ctx.blockConcurrencyWhile(async () => {
      const sql = ctx.storage.sql;
      sql.exec(`CREATE TABLE IF NOT EXISTS active (
        id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL, start_ms INTEGER NOT NULL, end_ms INTEGER NOT NULL,
        status TEXT NOT NULL, deadline_ms INTEGER)`);
      sql.exec("CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL)");
      const row = sql.exec<{ v: string }>("SELECT v FROM meta WHERE k = 'provider_id'").toArray()[0];
      if (row) this.providerId = Number(row.v);
    });
  }

  // ---- RPC -------------------------------------------------------------------------------------------------

  create(input: CreateInput): Promise<Outcome> {
    return this.mutex.run(() => this.bind(input.body.provider_id).then(() => this.doCreate(input)));
  }

  transition(input: TransitionInput): Promise<Outcome> {
    return this.mutex.run(() => this.bind(input.providerId).then(() => this.doTransition(input)));
  }

  /** Support refunds captured money (a dispute, a goodwill gesture): never more than was captured and kept. */
  refund(input: RefundInput): Promise<Outcome> {
    return this.mutex.run(() => this.bind(input.providerId).then(() => this.doRefund(input)));
  }

  /** Replaces a card hold that would lapse before the job (the cron's renewal sweep). */
  renewHold(providerId: number, bookingId: number): Promise<{ renewed: boolean; error?: string }> {
    return this.mutex.run(async () => {
      await this.bind(providerId);
      const { rows } = await this.pg.query(BOOKING_CONTEXT, [0, null, null, null, null, bookingId, providerId], {
        prepare: true,
      });
      const row = rows[0] as Record<string, unknown>;
      if (!row.view) return { renewed: false, error: "not_found" };
      const booking = toView(row.view);
      if (booking.status !== "CONFIRMED") return { renewed: false, error: "not_confirmed" };
      return this.money(row, { action: "renew" }).renew();
    });
  }

  /** Reloads the SQLite cache from Postgres and relays anything left in the outbox. */
  refresh(providerId: number): Promise<{ active: number }> {
    return this.mutex.run(async () => {
      await this.bind(providerId);
      await this.reload();
      await this.relay();
      return { active: this.cachedActive().length };
    });
  }

  /** The cache, for tests and diagnostics. */
  async cachedBookings() {
    return this.cachedActive();
  }

  /** Whether this object holds an open Postgres connection right now. */
  async holdsConnection(): Promise<boolean> {
    return this.pg.connected;
  }

  override async alarm(): Promise<void> {
    await this.mutex.run(async () => {
      if (this.providerId === undefined) return;
      await this.bind(this.providerId);
      await this.ensureLoaded();
      const due = this.ctx.storage.sql
        .exec<{ id: number }>("SELECT id FROM active WHERE status = 'PENDING' AND deadline_ms <= ?", Date.now())
        .toArray();
      for (const { id } of due) {
        await this.doTransition({ providerId: this.providerId, bookingId: id, action: "expire", actor: TIMER });
      }
      await this.relay();
      await this.armAlarm();
    });
  }

  // ---- create ------------------------------------------------------------------------------------------------

  private async doCreate(input: CreateInput): Promise<Outcome> {
    await this.ensureLoaded();
    const cfg = loadConfig(this.env);
    const { body, actor, idempotency: idem } = input;
    const start = new Date(body.start_date);
    const end = new Date(body.end_date);
    // Fast refusal for a slot the cache knows is taken: one read (is this a retry of an earlier answer?) instead
    // of claiming the key and storing a refusal. A race for one slot is mostly these.
    if (this.overlapsCache(start.getTime(), end.getTime())) {
      const prior = idem ? await this.priorAnswer(actor, idem) : undefined;
      return prior ?? fail("conflict", "slot_taken");
    }
    const [weekFrom, weekTo] = windowWeekRange(start, end);
    const claim = await this.claim(actor, idem, PROVIDER_CONTEXT, [
      body.provider_id,
      body.service_type,
      weekFrom,
      weekTo,
      start.toISOString(),
      end.toISOString(),
    ]);
    if (!claim.go) return claim.outcome;
    const p = claim.row as {
      user_id: string | null;
      verification_status: string | null;
      lat: number;
      lng: number;
      service: { price_poisha: number; unit: Unit } | null;
      in_plan: boolean;
      time_off: boolean;
    };

    const now = Date.now();
    const minutes = (end.getTime() - start.getTime()) / MINUTE;
    let refusal: Outcome | undefined;
    // Unverified providers are not public: to a customer they do not exist.
    if (p.verification_status !== "verified") refusal = fail("not_found", "provider_not_bookable");
    else if (Number(p.user_id) === actor.userId) refusal = fail("forbidden", "self_booking");
    else if (!p.service) refusal = fail("invalid_input", "service_not_offered");
    else if (start.getTime() < now + cfg.BOOKING_MIN_NOTICE_MIN * MINUTE) {
      refusal = fail("invalid_input", "too_soon", { min_notice_minutes: cfg.BOOKING_MIN_NOTICE_MIN });
    } else if (minutes < cfg.BOOKING_MIN_DURATION_MIN || minutes > cfg.BOOKING_MAX_DURATION_H * 60) {
      refusal = fail("invalid_input", "bad_duration", {
        min_minutes: cfg.BOOKING_MIN_DURATION_MIN,
        max_hours: cfg.BOOKING_MAX_DURATION_H,
      });
    } else if (!p.in_plan || p.time_off) refusal = fail("conflict", "outside_availability");
    else if (this.overlapsCache(start.getTime(), end.getTime())) refusal = fail("conflict", "slot_taken");
    if (refusal || !p.service) return this.answer(actor, idem, refusal ?? fail("internal", "internal"));

    const price = quote(Number(p.service.price_poisha), p.service.unit, start, end);
    const deadline = new Date(Math.min(now + cfg.BOOKING_ACCEPT_TIMEOUT_MIN * MINUTE, start.getTime()));
    // What the notifications worker needs to word the message without a database read.
    const meta = {
      provider_user_id: Number(p.user_id),
      price_poisha: price,
      start_date: start.toISOString(),
      service_type: body.service_type,
    };
    const event = bookingEvent(
      { id: 0, status: "PENDING", customer_id: actor.userId, provider_id: body.provider_id },
      actor.userId,
      {
        ...meta,
        from_status: null,
      },
    );
    // The exclusion constraint is the final guard. DO NOTHING turns a lost race into "no row" instead of an error;
    // then our cache missed a booking: Postgres wins and the cache reloads.
    const done = await this.finish(FINISH_CREATE, actor, idem, event, "created", null, meta, 201, [
      actor.userId,
      body.provider_id,
      body.service_type,
      start.toISOString(),
      end.toISOString(),
      price,
      p.service.price_poisha,
      p.service.unit,
      body.payment_method,
      body.payment_method_id ?? null,
      body.address ?? null,
      body.location?.lat ?? null,
      body.location?.lng ?? null,
      body.notes ?? null,
      deadline.toISOString(),
    ]);
    if (!done) {
      await this.reload();
      return this.answer(actor, idem, fail("conflict", "slot_taken"));
    }
    this.cellOfProvider = cellOf(p.lat, p.lng);
    const b = done.view;
    this.ctx.storage.sql.exec(
      "INSERT OR REPLACE INTO active (id, customer_id, start_ms, end_ms, status, deadline_ms) VALUES (?, ?, ?, ?, ?, ?)",
      b.id,
      b.customer_id,
      Date.parse(b.start_date),
      Date.parse(b.end_date),
      b.status,
      b.accept_deadline ? Date.parse(b.accept_deadline) : null,
    );
    await this.armAlarm();
    this.afterCommit(done.event);
    return { ok: true, status: 201, body: b };
  }

  // ---- transitions -------------------------------------------------------------------------------------------

  private async doTransition(input: Omit<TransitionInput, "action"> & { action: Action }): Promise<Outcome> {
    await this.ensureLoaded();
    const cfg = loadConfig(this.env);
    const { actor: who, idempotency: idem } = input;
    const claim = await this.claim(who, idem, BOOKING_CONTEXT, [input.bookingId, this.providerId ?? 0]);
    if (!claim.go) return claim.outcome;
    const row = claim.row;
    if (!row.view) return this.answer(who, idem, fail("not_found", "not_found"));
    const booking = toView(row.view);
    const providerUserId = Number(row.provider_user_id);
    // A wallet callback or the reconciler settles the customer's payment on the customer's behalf.
    const actor = input.via ? "customer" : actorKind(who, booking.customer_id, providerUserId);
    // Nobody outside the booking learns that it exists.
    if (!actor) return this.answer(who, idem, fail("not_found", "not_found"));
    const steps = () =>
      this.money(row, { action: input.action, via: input.via, clientIp: input.clientIp, deferFinal: true });

    const now = new Date();
    const decision = decide(booking.status, input.action, actor, { now, start: new Date(booking.start_date) });
    if (!decision.ok) {
      if (input.via && booking.status !== "CONFIRMED") {
        // The booking moved on (cancelled, expired) while the customer was at the wallet: give the money back.
        const settled = await steps().abandon();
        if (!settled.go) return settled.outcome;
        return fail("conflict", "booking_not_payable", { status: booking.status, payment: settled.payment });
      }
      const stay: Outcome = alreadyThere(booking.status, input.action, actor)
        ? {
            ok: true,
            status: 200,
            body: { ...booking, payment: steps().current },
          }
        : decision.reason === "forbidden"
          ? fail("forbidden", "forbidden", { status: booking.status })
          : decision.reason === "too_early"
            ? fail("conflict", "too_early_to_complete", { status: booking.status })
            : fail("conflict", "illegal_transition", { status: booking.status });
      return this.answer(who, idem, stay);
    }

    const terms =
      input.action === "cancel" || input.action === "expire"
        ? cancelTerms(
            {
              status: booking.status,
              start: new Date(booking.start_date),
              pricePoisha: booking.price_poisha,
              unitPricePoisha: booking.unit_price_poisha,
              unit: booking.unit,
            },
            actor,
            now,
            { freeCancelHours: cfg.FREE_CANCEL_HOURS, lateFeeHours: cfg.LATE_CANCEL_FEE_HOURS },
          )
        : undefined;
    const money = steps();
    const settled: Settled =
      input.action === "confirm"
        ? await money.confirm()
        : input.action === "complete"
          ? await money.complete()
          : terms
            ? await money.cancel(terms.feePoisha)
            : { go: true, payment: money.current };
    if (!settled.go) return this.stopped(who, idem, settled);
    const actorId = actor === "timer" ? null : input.via ? booking.customer_id : who.userId;
    const meta = {
      provider_user_id: providerUserId,
      actor,
      price_poisha: booking.price_poisha,
      start_date: booking.start_date,
      service_type: booking.service_type,
      ...(terms ? { fee_poisha: terms.feePoisha, refund_poisha: terms.refundPoisha, policy: terms.reason } : {}),
      ...(input.via ? { via: input.via } : {}),
    };
    const event = bookingEvent({ ...booking, status: decision.to }, actorId, { ...meta, from_status: booking.status });
    const change = [
      booking.id,
      booking.status,
      decision.to,
      terms ? actor : null,
      terms ? (input.reason ?? terms.reason) : null,
      terms ? terms.feePoisha : null,
    ];
    const done = money.deferred
      ? await this.finish(FINISH_TRANSITION_PAID, who, idem, event, input.action, booking.status, meta, 200, [
          ...change,
          ...money.deferred,
        ])
      : await this.finish(FINISH_TRANSITION, who, idem, event, input.action, booking.status, meta, 200, change);
    if (!done) {
      // Someone moved the booking between our read and our write. Postgres wins: reload and report what it is.
      await this.reload();
      return this.answer(who, idem, fail("conflict", "illegal_transition"));
    }
    this.cellOfProvider = cellOf(Number(row.provider_lat), Number(row.provider_lng));
    const b = done.view;
    const stillActive = (ACTIVE as readonly string[]).includes(b.status);
    if (stillActive) {
      this.ctx.storage.sql.exec("UPDATE active SET status = ?, deadline_ms = NULL WHERE id = ?", b.status, b.id);
    } else {
      this.ctx.storage.sql.exec("DELETE FROM active WHERE id = ?", b.id);
    }
    await this.armAlarm();
    // Accept and confirm keep the slot taken: search's cached availability is still right.
    this.afterCommit(done.event, !stillActive);
    // The view carries the payment as the statement left it: the same body a replay of the key answers.
    return { ok: true, status: 200, body: b };
  }

  private async doRefund(input: RefundInput): Promise<Outcome> {
    const { actor: who, idempotency: idem } = input;
    const claim = await this.claim(who, idem, BOOKING_CONTEXT, [input.bookingId, this.providerId ?? 0]);
    if (!claim.go) return claim.outcome;
    const row = claim.row;
    if (!row.view || who.role !== "admin") return this.answer(who, idem, fail("not_found", "not_found"));
    const booking = toView(row.view);
    const settled = await this.money(row, { action: "refund" }).refund(input.amountPoisha, {
      by: who.userId,
      reason: input.reason,
    });
    if (!settled.go) return this.stopped(who, idem, settled);
    return this.answer(who, idem, { ok: true, status: 200, body: { ...booking, payment: settled.payment } });
  }

  // ---- idempotency and the one-statement change ----------------------------------------------------------------

  /**
   * Round trip 1: claim the key and read the context. A key already taken answers now: the stored answer for the
   * same request, 422 for a different one, 409 while the first is still running, and a takeover when the first
   * died before its change committed (the change is one statement, so nothing happened).
   */
  private async claim(actor: ActorRef, idem: Idempotency | undefined, read: string, params: unknown[]): Promise<Claim> {
    const keyParams = [
      actor.userId,
      idem?.key ?? null,
      idem?.method ?? null,
      idem?.path ?? null,
      idem?.requestHash ?? null,
    ];
    for (let attempt = 0; attempt < 2; attempt++) {
      const { rows } = await this.pg.query(read, [...keyParams, ...params], { prepare: true });
      const row = rows[0] as Record<string, unknown>;
      if (row.claimed) return { go: true, row };
      const prior = (await this.pg.query(READ_KEY, [actor.userId, idem?.key], { prepare: true })).rows[0] as
        | {
            method: string;
            path: string;
            request_hash: string;
            response_body: Outcome | null;
            live: boolean;
            stale: boolean;
          }
        | undefined;
      if (!prior) continue; // deleted meanwhile: claim again
      if (!prior.live) {
        // Keys live 24 hours; after that the same key is a new request.
        await this.pg.query("DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2", [actor.userId, idem?.key]);
        continue;
      }
      if (prior.request_hash !== idem?.requestHash || prior.method !== idem.method || prior.path !== idem.path) {
        return { go: false, outcome: fail("idempotency_mismatch", "idempotency_mismatch") };
      }
      if (prior.response_body) return { go: false, outcome: { ...prior.response_body, replayed: true } };
      if (prior.stale && (await this.pg.query(TAKE_OVER_KEY, keyParams)).rowCount) continue;
      return { go: false, outcome: fail("conflict", "conflict", { retry: "the same request is still in progress" }) };
    }
    return { go: false, outcome: fail("conflict", "conflict") };
  }

  /** The stored answer for this key (a replay), a 422 for a different request under it, or undefined. */
  private async priorAnswer(actor: ActorRef, idem: Idempotency): Promise<Outcome | undefined> {
    const prior = (await this.pg.query(READ_KEY, [actor.userId, idem.key], { prepare: true })).rows[0] as
      | { method: string; path: string; request_hash: string; response_body: Outcome | null; live: boolean }
      | undefined;
    if (!prior?.live) return undefined;
    if (prior.request_hash !== idem.requestHash || prior.method !== idem.method || prior.path !== idem.path) {
      return fail("idempotency_mismatch", "idempotency_mismatch");
    }
    return prior.response_body ? { ...prior.response_body, replayed: true } : undefined;
  }

  /** Frees a claimed key without an answer (a transient failure: nothing happened, the retry should run again). */
  private async release(actor: ActorRef, idem: Idempotency | undefined): Promise<void> {
    if (!idem) return;
    await this.pg.query("DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND response_code IS NULL", [
      actor.userId,
      idem.key,
    ]);
  }

  /** The money side of a step on the booking `row` (a BOOKING_CONTEXT row) was read in. */
  private money(
    row: Record<string, unknown>,
    step: Pick<PaymentContext, "action" | "via" | "clientIp" | "deferFinal">,
  ): PaymentSteps {
    return new PaymentSteps({
      pg: this.pg,
      cfg: loadConfig(this.env),
      booking: toView(row.view),
      payment: (row.payment as PaymentRow | null) ?? null,
      paymentMethodId: (row.payment_method_id as string | null) ?? null,
      ...step,
    });
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
    if (!settled.release) return this.answer(who, idem, settled.outcome);
    await this.release(who, idem);
    return settled.outcome;
  }

  /** Stores a refusal (or a no-op answer) under the key, so a retry gets the same answer. */
  private async answer(actor: ActorRef, idem: Idempotency | undefined, outcome: Outcome): Promise<Outcome> {
    if (idem) {
      const code = outcome.ok ? outcome.status : statusOf[outcome.code];
      await this.pg.query(ANSWER_KEY, [actor.userId, idem.key, code, JSON.stringify(outcome)], { prepare: true });
    }
    return outcome;
  }

  /** Round trip 2: the change, its audit row, its outbox event and the answer, in one atomic statement. */
  private async finish(
    statement: string,
    actor: ActorRef,
    idem: Idempotency | undefined,
    event: BookingEvent,
    action: string,
    from: Status | null,
    meta: Record<string, unknown>,
    status: 200 | 201,
    params: unknown[],
  ): Promise<{ view: BookingView; event: { id: number; payload: unknown } } | null> {
    const actorId = event.actor_id;
    const { rows } = await this.pg.query(
      statement,
      [
        actor.userId,
        idem?.key ?? null,
        actorId,
        action,
        from,
        JSON.stringify({ ...meta, event_id: event.meta.event_id }),
        event.meta.event_id,
        String(this.providerId),
        JSON.stringify(event),
        status,
        ...params,
      ],
      { prepare: true },
    );
    const row = rows[0] as { view: unknown; outbox_id: string; payload: unknown } | undefined;
    return row ? { view: toView(row.view), event: { id: Number(row.outbox_id), payload: row.payload } } : null;
  }

  /**
   * Publishes a committed event and, when the provider's taken slots changed, invalidates cached search windows,
   * without holding up the caller.
   */
  private afterCommit(event: { id: number; payload: unknown }, slotsChanged = true): void {
    const cfg = loadConfig(this.env);
    if (this.cellOfProvider && slotsChanged) {
      const redis = createRedis(cfg);
      // Best effort: entries expire within a minute anyway, and a Redis blip must not fail a committed booking.
      this.ctx.waitUntil(invalidateCell(redis, this.cellOfProvider, ["availability"]).catch(() => {}));
    }
    // Through the lock: the connection must not interleave this with another change.
    this.ctx.waitUntil(this.mutex.run(() => this.publish([event])));
  }

  /** Sends events, marks them published; on failure leaves them for the alarm (and the cron sweep). */
  private async publish(events: { id: number; payload: unknown }[]): Promise<void> {
    if (events.length === 0) return;
    const ids = events.map((e) => e.id);
    try {
      await this.events.sendBatch(events.map((e) => ({ body: e.payload, contentType: "json" as const })));
    } catch (err) {
      await this.pg.query("UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = ANY($1::bigint[])", [
        ids,
        err instanceof Error ? err.message.slice(0, 200) : "send failed",
      ]);
      await this.ctx.storage.setAlarm(Date.now() + OUTBOX_RETRY_MS);
      return;
    }
    await this.pg.query(
      "UPDATE outbox SET published_at = now(), attempts = attempts + 1 WHERE id = ANY($1::bigint[])",
      [ids],
      { prepare: true },
    );
  }

  /** Relays everything this provider left unpublished (after a failed send or a crash between commit and send). */
  private async relay(): Promise<void> {
    const { rows } = await this.pg.query<{ id: string; payload: unknown }>(
      "SELECT id, payload FROM outbox WHERE partition_key = $1 AND published_at IS NULL ORDER BY id LIMIT 100",
      [String(this.providerId)],
    );
    await this.publish(rows.map((r) => ({ id: Number(r.id), payload: r.payload })));
  }

  // ---- the SQLite cache --------------------------------------------------------------------------------------

  /** Binds this object to its provider on first use; a mismatch means a routing bug, never user input. */
  private async bind(providerId: number): Promise<void> {
    if (this.providerId === undefined) {
      this.providerId = providerId;
      this.ctx.storage.sql.exec("INSERT OR REPLACE INTO meta (k, v) VALUES ('provider_id', ?)", String(providerId));
    }
    this.pg.applicationName = `kormo:provider:${this.providerId}`;
    if (this.providerId !== providerId) throw new Error("booking object routed to the wrong provider");
  }

  private async ensureLoaded(): Promise<void> {
    if (!this.loaded) await this.reload();
  }

  /** Postgres is the truth: replace the cache with the provider's active bookings as the database has them. */
  private async reload(): Promise<void> {
    // One row of JSON text, loaded into SQLite by one statement: a provider with hundreds of bookings ahead costs
    // no per-row work in JavaScript. Bookings already over cannot collide with a new one, so they stay out
    // (pending ones stay for their expiry alarm).
    const { rows } = await this.pg.query<{ active: string }>(
      `SELECT COALESCE(json_agg(json_build_array(id, customer_id,
                (extract(epoch FROM start_date) * 1000)::bigint, (extract(epoch FROM end_date) * 1000)::bigint, status,
                CASE WHEN status = 'PENDING' THEN (extract(epoch FROM accept_deadline) * 1000)::bigint END)), '[]')::text
              AS active
         FROM bookings
        WHERE provider_id = $1 AND status IN ('PENDING', 'ACCEPTED', 'CONFIRMED')
          AND (end_date > now() OR status = 'PENDING')`,
      [this.providerId],
    );
    const sql = this.ctx.storage.sql;
    sql.exec("DELETE FROM active");
    sql.exec(
      `INSERT INTO active (id, customer_id, start_ms, end_ms, status, deadline_ms)
       SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'),
              json_extract(value, '$[3]'), json_extract(value, '$[4]'), json_extract(value, '$[5]')
         FROM json_each(?)`,
      rows[0]?.active ?? "[]",
    );
    this.loaded = true;
    await this.armAlarm();
  }

  private cachedActive() {
    return this.ctx.storage.sql
      .exec<{
        id: number;
        customer_id: number;
        start_ms: number;
        end_ms: number;
        status: string;
        deadline_ms: number | null;
      }>("SELECT * FROM active ORDER BY start_ms")
      .toArray();
  }

  private overlapsCache(startMs: number, endMs: number): boolean {
    return (
      this.ctx.storage.sql
        .exec("SELECT 1 FROM active WHERE start_ms < ? AND end_ms > ? LIMIT 1", endMs, startMs)
        .toArray().length > 0
    );
  }

  /** One alarm per object: the earliest accept deadline among pending bookings. */
  private async armAlarm(): Promise<void> {
    const next = this.ctx.storage.sql
      .exec<{ at: number | null }>("SELECT min(deadline_ms) AS at FROM active WHERE status = 'PENDING'")
      .toArray()[0]?.at;
    const current = await this.ctx.storage.getAlarm();
    if (next !== null && next !== undefined && (current === null || next < current)) {
      await this.ctx.storage.setAlarm(next);
    }
  }
}

const TIMER: ActorRef = { userId: 0, role: "admin" };

/** Which party the caller is for this booking, or null when they are none of them. */
function actorKind(actor: ActorRef, customerId: number, providerUserId: number): Actor | null {
  if (actor === TIMER) return "timer";
  if (actor.userId === customerId) return "customer";
  if (actor.userId === providerUserId) return "provider";
  if (actor.role === "admin") return "admin";
  return null;
}

/** A retried step that already happened (accept on ACCEPTED by the provider) answers the booking, not an error. */
function alreadyThere(status: Status, action: Action, actor: Actor): boolean {
  return RULES.some((r) => r.action === action && r.to === status && r.actors.includes(actor));
}
