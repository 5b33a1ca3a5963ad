// ProviderBookings: one object per provider. Serializes that provider's booking creates and transitions, keeps
// their active bookings in SQLite, commits each change with its audit row and outbox event in one Postgres
// transaction, and relays the event to the queue right after commit.

import { DurableObject } from "cloudflare:workers";
import { Redis } from "@upstash/redis/cloudflare";
import { windowWeekRange } from "../../lib/availability";
import { ACTIVE, type Action, type Actor, decide, RULES, type Status } from "../../lib/booking-machine";
import type { ErrorCode } from "../../lib/errors";
import { cellOf } from "../../lib/geo";
import type { MessageKey } from "../../lib/i18n";
import { cancelTerms, quote, type Unit } from "../../lib/pricing";
import { loadConfig } from "../../workers/api/config";
import { invalidateCell } from "../../workers/api/search/cache";
import { Mutex, PgConnection, type Queryable } from "../shared/pg";
import { type BookingEvent, bookingEvent } from "./events";
import { BOOKING_COLUMNS, FINISH_CHANGE, PROVIDER_CONTEXT, READ_KEY, toView } from "./sql";
import type { ActorRef, BookingView, CreateInput, Idempotency, Outcome, TransitionInput } from "./types";

const MINUTE = 60_000;
const OUTBOX_RETRY_MS = 30_000;

const fail = (code: ErrorCode, message: MessageKey, details?: unknown): Outcome => ({
  ok: false,
  code,
  message,
  ...(details === undefined ? {} : { details }),
});

/** HTTP status stored with an idempotent response, so a replay answers exactly as the first time. */
const STATUS_OF: Record<ErrorCode, number> = {
  invalid_input: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  idempotency_mismatch: 422,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  dependency_unavailable: 503,
  misconfigured: 503,
  internal: 500,
};

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

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.events = env.BOOKING_EVENTS;
    this.pg = new PgConnection(env, { idleMs: 10_000, onConnect: ["SET jit = off"] });
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
      const now = Date.now();
      const due = this.ctx.storage.sql
        .exec<{ id: number }>("SELECT id FROM active WHERE status = 'PENDING' AND deadline_ms <= ?", now)
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
    const { body, actor } = input;
    const start = new Date(body.start_date);
    const end = new Date(body.end_date);

    const outcome = await this.change(actor, input.idempotency, async (tx) => {
      const now = Date.now();
      const [weekFrom, weekTo] = windowWeekRange(start, end);
      const { rows } = await tx.query(
        PROVIDER_CONTEXT,
        [body.provider_id, body.service_type, weekFrom, weekTo, start.toISOString(), end.toISOString()],
        { prepare: true },
      );
      const p = rows[0] as
        | {
            user_id: string;
            verification_status: string;
            lat: number;
            lng: number;
            service: { price_poisha: number; unit: Unit } | null;
            in_plan: boolean;
            time_off: boolean;
          }
        | undefined;
      // Unverified providers are not public: to a customer they do not exist.
      if (p?.verification_status !== "verified") return only(fail("not_found", "provider_not_bookable"));
      if (Number(p.user_id) === actor.userId) return only(fail("forbidden", "self_booking"));
      if (!p.service) return only(fail("invalid_input", "service_not_offered"));
      if (start.getTime() < now + cfg.BOOKING_MIN_NOTICE_MIN * MINUTE) {
        return only(fail("invalid_input", "too_soon", { min_notice_minutes: cfg.BOOKING_MIN_NOTICE_MIN }));
      }
      const minutes = (end.getTime() - start.getTime()) / MINUTE;
      if (minutes < cfg.BOOKING_MIN_DURATION_MIN || minutes > cfg.BOOKING_MAX_DURATION_H * 60) {
        return only(
          fail("invalid_input", "bad_duration", {
            min_minutes: cfg.BOOKING_MIN_DURATION_MIN,
            max_hours: cfg.BOOKING_MAX_DURATION_H,
          }),
        );
      }
      if (!p.in_plan || p.time_off) return only(fail("conflict", "outside_availability"));
      if (this.overlapsCache(start.getTime(), end.getTime())) return only(fail("conflict", "slot_taken"));

      const price = quote(Number(p.service.price_poisha), p.service.unit, start, end);
      const deadline = new Date(Math.min(now + cfg.BOOKING_ACCEPT_TIMEOUT_MIN * MINUTE, start.getTime()));
      // The exclusion constraint is the final guard. DO NOTHING turns a lost race into "no row" instead of an
      // aborted transaction; when that happens our cache missed a booking, so Postgres wins and the cache reloads.
      const inserted = await tx.query(
        `INSERT INTO bookings AS b (customer_id, provider_id, service_type, start_date, end_date, status,
           price_poisha, unit_price_poisha, unit, payment_method, payment_method_id, address, location, notes,
           accept_deadline)
         VALUES ($1, $2, $3, $4, $5, 'PENDING', $6, $7, $8, $9, $10, $11,
           CASE WHEN $12::float8 IS NULL THEN NULL
                ELSE ST_SetSRID(ST_MakePoint($13::float8, $12::float8), 4326)::geography END, $14, $15)
         ON CONFLICT DO NOTHING
         RETURNING ${BOOKING_COLUMNS}`,
        [
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
        ],
        { prepare: true },
      );
      const row = inserted.rows[0] as Record<string, unknown> | undefined;
      if (!row) {
        this.loaded = false;
        return { outcome: fail("conflict", "slot_taken") };
      }
      const view = toView(row);
      this.cellOfProvider = cellOf(p.lat, p.lng);
      return {
        outcome: { ok: true, status: 201, body: view },
        record: {
          view,
          actorId: actor.userId,
          action: "created",
          from: null,
          meta: { provider_user_id: Number(p.user_id), price_poisha: price },
        },
      };
    });

    if (outcome.ok && !outcome.replayed) {
      const b = outcome.body;
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
    }
    if (!this.loaded) await this.reload();
    return outcome;
  }

  // ---- transitions -------------------------------------------------------------------------------------------

  private async doTransition(input: Omit<TransitionInput, "action"> & { action: Action }): Promise<Outcome> {
    await this.ensureLoaded();
    const cfg = loadConfig(this.env);
    const outcome = await this.change(input.actor, input.idempotency, async (tx) => {
      const { rows } = await tx.query(
        `SELECT ${BOOKING_COLUMNS}, p.user_id AS provider_user_id,
                ST_Y(p.location::geometry) AS provider_lat, ST_X(p.location::geometry) AS provider_lng
           FROM bookings b JOIN providers p ON p.id = b.provider_id
          WHERE b.id = $1 AND b.provider_id = $2
          FOR UPDATE OF b`,
        [input.bookingId, this.providerId],
        { prepare: true },
      );
      const row = rows[0] as Record<string, unknown> | undefined;
      if (!row) return only(fail("not_found", "not_found"));
      const booking = toView(row);
      const providerUserId = Number(row.provider_user_id);
      const actor = actorKind(input.actor, booking.customer_id, providerUserId);
      // Nobody outside the booking learns that it exists.
      if (!actor) return only(fail("not_found", "not_found"));

      const now = new Date();
      const decision = decide(booking.status, input.action, actor, { now, start: new Date(booking.start_date) });
      if (!decision.ok) {
        if (alreadyThere(booking.status, input.action, actor)) return only({ ok: true, status: 200, body: booking });
        if (decision.reason === "forbidden") return only(fail("forbidden", "forbidden", { status: booking.status }));
        if (decision.reason === "too_early") {
          return only(fail("conflict", "too_early_to_complete", { status: booking.status }));
        }
        return only(fail("conflict", "illegal_transition", { status: booking.status }));
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
      const updated = await tx.query(
        `UPDATE bookings AS b SET status = $2,
                canceled_by = COALESCE($3, b.canceled_by),
                cancel_reason = COALESCE($4, b.cancel_reason),
                fee_poisha = COALESCE($5, b.fee_poisha)
          WHERE b.id = $1 RETURNING ${BOOKING_COLUMNS}`,
        [
          booking.id,
          decision.to,
          terms ? actor : null,
          terms ? (input.reason ?? terms.reason) : null,
          terms ? terms.feePoisha : null,
        ],
        { prepare: true },
      );
      const view = toView(updated.rows[0] as Record<string, unknown>);
      this.cellOfProvider = cellOf(Number(row.provider_lat), Number(row.provider_lng));
      return {
        outcome: { ok: true, status: 200, body: view },
        record: {
          view,
          actorId: actor === "timer" ? null : input.actor.userId,
          action: input.action,
          from: booking.status,
          meta: {
            provider_user_id: providerUserId,
            actor,
            ...(terms ? { fee_poisha: terms.feePoisha, refund_poisha: terms.refundPoisha, policy: terms.reason } : {}),
          },
        },
      };
    });

    if (outcome.ok && outcome.status === 200 && !outcome.replayed) {
      const b = outcome.body;
      if ((ACTIVE as readonly string[]).includes(b.status)) {
        this.ctx.storage.sql.exec("UPDATE active SET status = ?, deadline_ms = NULL WHERE id = ?", b.status, b.id);
      } else {
        this.ctx.storage.sql.exec("DELETE FROM active WHERE id = ?", b.id);
      }
      await this.armAlarm();
    }
    return outcome;
  }

  // ---- shared machinery --------------------------------------------------------------------------------------

  private cellOfProvider: string | undefined;

  /** Binds this object to its provider on first use; a mismatch means a routing bug, never user input. */
  private async bind(providerId: number): Promise<void> {
    if (this.providerId === undefined) {
      this.providerId = providerId;
      this.ctx.storage.sql.exec("INSERT OR REPLACE INTO meta (k, v) VALUES ('provider_id', ?)", String(providerId));
    }
    this.pg.applicationName = `kormo:provider:${this.providerId}`;
    if (this.providerId !== providerId) {
      throw new Error("booking object routed to the wrong provider");
    }
  }

  private async ensureLoaded(): Promise<void> {
    if (!this.loaded) await this.reload();
  }

  /** Postgres is the truth: replace the cache with the provider's active bookings as the database has them. */
  private async reload(): Promise<void> {
    const { rows } = await this.pg.query<{
      id: string;
      customer_id: string;
      start_date: Date;
      end_date: Date;
      status: Status;
      accept_deadline: Date | null;
    }>(
      `SELECT id, customer_id, start_date, end_date, status, accept_deadline FROM bookings
        WHERE provider_id = $1 AND status IN ('PENDING', 'ACCEPTED', 'CONFIRMED')`,
      [this.providerId],
    );
    const sql = this.ctx.storage.sql;
    sql.exec("DELETE FROM active");
    for (const r of rows) {
      sql.exec(
        "INSERT INTO active (id, customer_id, start_ms, end_ms, status, deadline_ms) VALUES (?, ?, ?, ?, ?, ?)",
        Number(r.id),
        Number(r.customer_id),
        new Date(r.start_date).getTime(),
        new Date(r.end_date).getTime(),
        r.status,
        r.status === "PENDING" && r.accept_deadline ? new Date(r.accept_deadline).getTime() : null,
      );
    }
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

  /**
   * Runs one change in one transaction and finishes it with a single statement that stores the idempotency key
   * with its answer, the audit row and the outbox event. If the key is already taken (a retry, or a concurrent
   * duplicate that committed first), everything rolls back and the stored answer is replayed, or refused (422)
   * when it belongs to a different request. After commit the event is relayed and search is told, in the
   * background: the caller does not wait for either, and the alarm and cron sweep catch what does not get through.
   */
  private async change(
    actor: ActorRef,
    idem: Idempotency | undefined,
    work: (tx: Queryable) => Promise<Change>,
  ): Promise<Outcome> {
    for (let attempt = 0; attempt < 2; attempt++) {
      let event: { id: number; payload: BookingEvent } | undefined;
      const result: Outcome | typeof KEY_TAKEN = await this.pg
        .transaction<Outcome | typeof KEY_TAKEN>(async (tx) => {
          const { outcome, record } = await work(tx);
          if (!idem && !record) return outcome;
          const payload = record
            ? bookingEvent(record.view, record.actorId, { ...record.meta, from_status: record.from })
            : undefined;
          const code = outcome.ok ? outcome.status : STATUS_OF[outcome.code];
          const { rows } = await tx.query(
            FINISH_CHANGE,
            [
              actor.userId,
              idem?.key ?? null,
              idem?.method ?? null,
              idem?.path ?? null,
              idem?.requestHash ?? null,
              code,
              JSON.stringify(outcome),
              record?.view.id ?? null,
              record?.actorId ?? null,
              record?.action ?? null,
              record?.from ?? null,
              record?.view.status ?? null,
              record && payload ? JSON.stringify({ ...record.meta, event_id: payload.meta.event_id }) : null,
              payload?.meta.event_id ?? null,
              String(this.providerId),
              payload ? JSON.stringify(payload) : null,
            ],
            { prepare: true },
          );
          const finished = rows[0] as { claimed: boolean; outbox_id: string | null };
          if (!finished.claimed) throw KEY_TAKEN;
          if (payload && finished.outbox_id) event = { id: Number(finished.outbox_id), payload };
          return outcome;
        })
        .catch((err: unknown) => {
          if (err === KEY_TAKEN) return KEY_TAKEN;
          throw err;
        });
      if (result !== KEY_TAKEN) {
        if (event) this.afterCommit(event);
        return result;
      }
      const prior = (await this.pg.query(READ_KEY, [actor.userId, idem?.key], { prepare: true })).rows[0] as
        | { method: string; path: string; request_hash: string; response_body: Outcome | null; live: boolean }
        | undefined;
      if (prior && !prior.live) {
        // Keys live 24 hours; after that the same key is a new request.
        await this.pg.query("DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2", [actor.userId, idem?.key]);
        continue;
      }
      if (
        !prior?.response_body ||
        prior.request_hash !== idem?.requestHash ||
        prior.method !== idem.method ||
        prior.path !== idem.path
      ) {
        return fail("idempotency_mismatch", "idempotency_mismatch");
      }
      return { ...prior.response_body, replayed: true };
    }
    return fail("conflict", "conflict");
  }

  /** Publishes a committed event and invalidates cached search windows, without holding up the caller. */
  private afterCommit(event: { id: number; payload: BookingEvent }): void {
    const cfg = loadConfig(this.env);
    if (this.cellOfProvider) {
      const redis = new Redis({
        url: cfg.UPSTASH_REDIS_REST_URL,
        token: cfg.UPSTASH_REDIS_REST_TOKEN,
        enableAutoPipelining: false,
      });
      // Best effort: entries expire within a minute anyway, and a Redis blip must not fail a committed booking.
      this.ctx.waitUntil(invalidateCell(redis, this.cellOfProvider, ["a"]).catch(() => {}));
    }
    // Through the lock: the connection must not interleave this with another change's transaction.
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
      {
        prepare: true,
      },
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

/** A change's answer, and what to record (audit row + event) when it changed a booking. */
interface Change {
  outcome: Outcome;
  record?: {
    view: BookingView;
    actorId: number | null;
    action: string;
    from: Status | null;
    meta: Record<string, unknown>;
  };
}

const only = (outcome: Outcome): Change => ({ outcome });

/** Thrown inside a transaction to roll it back when the idempotency key turns out to be taken. */
const KEY_TAKEN = Symbol("idempotency key taken");

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
