// JobRequest: one object per job request (idFromName("request:<id>")). It finds the request's provider in waves:
// ranks the free providers nearby (lib/matching.ts), offers the job to the best K at once, and when they have all
// declined or the wave's window has ended, offers it to the next K, until one accepts (MATCHED), nobody is left to
// ask or the search time is up (NO_PROVIDER), or the customer cancels. Its alarm drives the waves; Postgres holds
// the truth (the request and its offers), and this object is their one writer.
//
// Exactly one winner: every accept, decline, cancel and wave runs under the object's lock, so the first valid
// acceptance makes its booking (through the provider's booking object: the same path and guarantees as
// POST /booking/bookings) and withdraws every other open offer before the next answer is looked at. A provider who
// wins two requests for one time at once is refused by their own booking object for the second.

import { DurableObject } from "cloudflare:workers";
import { windowWeekRange } from "../../lib/availability";
import { type LogLevel, logLine } from "../../lib/log";
import { LOAD_WINDOW_MIN, pickWave } from "../../lib/matching";
import type { MatchEventMessage } from "../../lib/messages";
import { Mutex } from "../../lib/mutex";
import { type Config, loadConfig } from "../../platform/config";
import { isDependencyFailure } from "../../platform/pg/errors";
import { PgHttp } from "../../platform/pg/http";
import { first, rows } from "../../platform/pg/sql";
import { type CreateInput, type Outcome, providerBookings } from "../provider-bookings/client";
import { jobRequest } from "./client";
import { offerCreated, offersWithdrawn, requestMatched, requestNoProvider, winnerBooking } from "./events";
import {
  ANSWER_OFFER,
  CANDIDATES,
  CLOSE_REQUEST,
  MATCH,
  OFFER_STATE,
  OPEN_WAVE,
  RELEASE_TAKEN,
  REQUEST_STATE,
  REQUEST_VIEW,
  type RequestState,
  TAKEN_ELSEWHERE,
} from "./sql";
import type { CancelInput, KickInput, OfferAnswerInput } from "./types";
import { type Answer, type JobRequestView, type OfferView, refuse } from "./views";

/** Storage keys: the request this object serves, an acceptance in flight, events the queue has not taken yet. */
const ID = "id";
const INTENT = "intent";
const EVENTS = "events";
/** How soon a step that met an outage is tried again. */
const RETRY_MS = 5_000;
const EVENTS_RETRY_MS = 30_000;
/**
 * Nearest free providers read per wave, before ranking: eight waves' worth, so the farther ones can still win on
 * rating and price, without paying for every provider of a dense city (each row costs its availability checks).
 */
const POOL = 24;
/** The sphere test that bounds the index scan keeps everything the spheroid test keeps (see search/query.ts). */
const SPHERE_EPS = 0.01;

/** An acceptance being turned into a booking: kept until the request is MATCHED (or the booking refused). */
interface Intent {
  offerId: number;
  providerId: number;
  input: CreateInput;
}

export class JobRequest extends DurableObject<Env> {
  /** Stateless HTTP statements: a request waiting out its wave holds no connection. */
  readonly pg: PgHttp;
  /**
   * Input gates do not cover outbound I/O (Postgres, the provider's booking object): without this lock a second
   * acceptance could run while the first awaits its booking, and both would win.
   */
  private readonly mutex = new Mutex();
  private readonly cfg: Config;
  /** The queue binding, a field so tests can record (or refuse) what is sent. */
  events: Queue;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.cfg = loadConfig(env);
    this.pg = new PgHttp(this.cfg);
    this.events = env.MATCH_EVENTS;
  }

  // ---- RPC -------------------------------------------------------------------------------------------------

  /**
   * A new request (or the cron finding one that fell behind): the next step runs in the alarm, so the create
   * answers at once and a step that fails is retried by the alarm itself. Safe to call any number of times.
   */
  async start(input: KickInput): Promise<{ ok: true }> {
    await this.bind(input.requestId);
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now());
    return { ok: true };
  }

  /** The offer's provider takes the job: the first valid acceptance wins, every later one is refused (409). */
  accept(input: OfferAnswerInput): Promise<Answer<OfferView>> {
    return this.locked(input.requestId, async () => {
      const o = await first(this.pg, OFFER_STATE, { request_id: input.requestId, offer_id: input.offerId });
      // Another provider's offer does not exist for this caller.
      if (!o || o.provider_user_id !== input.providerUserId) return refuse("not_found", "not_found");
      if (o.status === "accepted") return { ok: true, body: o.view };
      if (o.status !== "open" || !o.live) {
        return refuse("conflict", "offer_closed", {
          kind: "state",
          status: o.status === "open" ? "expired" : o.status,
        });
      }
      const r = await first(this.pg, REQUEST_STATE, { request_id: input.requestId });
      if (r?.status !== "SEARCHING") return refuse("conflict", "offer_closed", { kind: "state", status: "withdrawn" });
      // Written before the booking is asked for: if this object dies in between, the next step finishes it with
      // the same key (a replay of the same booking), so a crash can never make a second winner.
      const intent: Intent = {
        offerId: input.offerId,
        providerId: o.provider_id,
        input: await winnerBooking(r, input.offerId, o.provider_id),
      };
      await this.ctx.storage.put(INTENT, intent);
      return this.settle(r, intent);
    });
  }

  /** The offer's provider says no; when the whole wave has answered, the next wave goes out at once. */
  decline(input: OfferAnswerInput): Promise<Answer<OfferView>> {
    return this.locked(input.requestId, async () => {
      const o = await first(this.pg, OFFER_STATE, { request_id: input.requestId, offer_id: input.offerId });
      if (!o || o.provider_user_id !== input.providerUserId) return refuse("not_found", "not_found");
      if (o.status === "declined") return { ok: true, body: o.view };
      if (o.status !== "open" || !o.live) {
        return refuse("conflict", "offer_closed", {
          kind: "state",
          status: o.status === "open" ? "expired" : o.status,
        });
      }
      const done = await first(this.pg, ANSWER_OFFER, {
        offer_id: input.offerId,
        status: "declined",
        reason: input.reason ?? null,
      });
      if (!done) return refuse("conflict", "offer_closed");
      await this.ctx.storage.setAlarm(Date.now());
      return { ok: true, body: done.view };
    });
  }

  /** The customer stops the search: open offers are withdrawn. A request already matched is the booking's now. */
  cancel(input: CancelInput): Promise<Answer<JobRequestView>> {
    return this.locked(input.requestId, async () => {
      const r = await first(this.pg, REQUEST_STATE, { request_id: input.requestId });
      if (!r || r.customer_id !== input.customerId) return refuse("not_found", "not_found");
      if (r.status === "CANCELED") {
        const v = await first(this.pg, REQUEST_VIEW, { request_id: r.id });
        return v ? { ok: true, body: v.view } : refuse("not_found", "not_found");
      }
      if (r.status === "MATCHED") return refuse("conflict", "request_matched", { kind: "state", status: r.status });
      if (r.status === "NO_PROVIDER") return refuse("conflict", "request_closed", { kind: "state", status: r.status });
      const view = await this.close(r, "CANCELED");
      await this.rearm(null);
      return view ? { ok: true, body: view } : refuse("conflict", "request_closed");
    });
  }

  /**
   * A provider offered this job took another at an overlapping time (the request they won asks every search that
   * still holds an open offer for them): those offers are withdrawn now, instead of waiting out the wave for an
   * acceptance that would be refused, and a wave left with nobody open moves on.
   */
  recheck(input: KickInput): Promise<Answer<{ released: number }>> {
    return this.locked(input.requestId, async () => {
      const gone = await rows(this.pg, RELEASE_TAKEN, { request_id: input.requestId });
      if (gone.length > 0) {
        await this.emit(offersWithdrawn(input.requestId, gone, "busy"));
        await this.ctx.storage.setAlarm(Date.now());
      }
      return { ok: true, body: { released: gone.length } };
    });
  }

  /** Waves: the current one is over (all answered, or its time ran out), so the next goes out, or the search ends. */
  override async alarm(): Promise<void> {
    await this.mutex.run(async () => {
      const id = await this.ctx.storage.get<number>(ID);
      if (id === undefined) return;
      try {
        await this.flush();
        if ((await this.recover(id)) === "pending") return this.retryLater();
        const r = await first(this.pg, REQUEST_STATE, { request_id: id });
        let next: number | null = null;
        if (r?.status === "SEARCHING") {
          const waveOver = r.wave === 0 || r.wave_due || r.search_over || r.open_offers === 0;
          next = waveOver ? await this.advance(r) : (r.wave_ends_at?.getTime() ?? Date.now());
        }
        await this.rearm(next);
      } catch (err) {
        await this.log("warn", { msg: "match step failed", request_id: id, error: errorName(err) });
        await this.retryLater();
      }
    });
  }

  // ---- the steps -------------------------------------------------------------------------------------------

  /** The next wave, or the end of the search. Answers when the alarm should next look (null: nothing to wait for). */
  private async advance(r: RequestState): Promise<number | null> {
    if (r.search_over) {
      await this.close(r, "NO_PROVIDER");
      return null;
    }
    const window = { start: new Date(r.start_date), end: new Date(r.end_date) };
    const [weekFrom, weekTo] = windowWeekRange(window.start, window.end);
    const maxRadius = this.cfg.MATCH_MAX_RADIUS_KM * 1000;
    const query = {
      lat: r.lat,
      lng: r.lng,
      service_type: r.service_type,
      request_id: r.id,
      own_provider_id: r.own_provider_id ?? 0,
      max_radius_m: maxRadius,
      scan_radius_m: maxRadius / (1 - SPHERE_EPS),
      // A unit price above the ceiling can only quote above it (every window is at least one unit).
      max_unit_price: r.max_price_poisha ?? Number.MAX_SAFE_INTEGER,
      load_window_s: LOAD_WINDOW_MIN * 60,
      pool: POOL,
      week_from: weekFrom,
      week_to: weekTo,
      start: r.start_date,
      end: r.end_date,
    };
    const k = this.cfg.MATCH_WAVE_SIZE;
    // Providers holding no open offer for this time first; those who do only when too few others are left.
    let candidates = await rows(this.pg, CANDIDATES, { ...query, free_only: true });
    if (pickWave(candidates, window, k, r.max_price_poisha).length < k) {
      const all = await rows(this.pg, CANDIDATES, { ...query, free_only: false });
      const known = new Set(candidates.map((c) => c.provider_id));
      candidates = [...candidates, ...all.filter((c) => !known.has(c.provider_id))];
    }
    const wave = pickWave(candidates, window, k, r.max_price_poisha, r.id);
    if (wave.length === 0) {
      // Nobody free is left to ask: waiting out the search time would only keep the customer waiting.
      await this.close(r, "NO_PROVIDER");
      return null;
    }
    const endsAt = new Date(Math.min(Date.now() + this.cfg.MATCH_OFFER_WINDOW_S * 1000, r.search_until.getTime()));
    const offers = wave.map((c, i) => ({
      provider_id: c.provider_id,
      rank: i + 1,
      score: c.score,
      distance_m: c.distance_m,
      price_poisha: c.quote_poisha,
      unit: c.unit,
    }));
    const opened = await rows(this.pg, OPEN_WAVE, {
      request_id: r.id,
      expected_wave: r.wave,
      wave_ends_at: endsAt.toISOString(),
      offers: JSON.stringify(offers),
    });
    const unitOf = new Map(wave.map((c) => [c.provider_id, c.unit]));
    await this.emit(opened.map((o) => offerCreated(r, { ...o, unit: unitOf.get(o.provider_id) ?? "hour" }, endsAt)));
    await this.log("info", { msg: "match wave", request_id: r.id, wave: r.wave + 1, offers: opened.length });
    return endsAt.getTime();
  }

  /** Ends a search: NO_PROVIDER (open offers expire with it, the customer is told) or CANCELED (they are withdrawn). */
  private async close(r: RequestState, status: "NO_PROVIDER" | "CANCELED"): Promise<JobRequestView | undefined> {
    const done = await first(this.pg, CLOSE_REQUEST, {
      request_id: r.id,
      status,
      offer_status: status === "CANCELED" ? "withdrawn" : "expired",
    });
    if (!done) return undefined;
    await this.emit(
      status === "NO_PROVIDER" ? [requestNoProvider(r)] : offersWithdrawn(r.id, done.withdrawn, "canceled"),
    );
    await this.log("info", { msg: "match closed", request_id: r.id, status, wave: r.wave });
    return done.view;
  }

  /**
   * Makes the winner's booking through the provider's object and, once it exists, marks the request MATCHED in one
   * statement that also withdraws every other open offer. A provider whose object refuses (their time was taken
   * first) loses this offer and the search goes on; an outage keeps the intent for the next step to finish.
   */
  private async settle(r: RequestState, intent: Intent): Promise<Answer<OfferView>> {
    const out = await providerBookings(this.env, intent.providerId).create(intent.input);
    if (!out.ok) {
      if (transient(out)) {
        await this.retryLater();
        return refuse("dependency_unavailable", "dependency_unavailable", {
          kind: "retry",
          retry_after_s: RETRY_MS / 1000,
          reason: "unavailable",
        });
      }
      await first(this.pg, ANSWER_OFFER, { offer_id: intent.offerId, status: "unavailable", reason: null });
      await this.ctx.storage.delete(INTENT);
      await this.log("info", { msg: "match refused", request_id: r.id, code: out.code, why: out.message });
      // The wave may have no open offer left: the alarm looks now.
      await this.ctx.storage.setAlarm(Date.now());
      return refuse("conflict", "offer_unavailable", { kind: "state", status: "unavailable" });
    }
    const booking = out.body;
    const done = await first(this.pg, MATCH, {
      request_id: r.id,
      offer_id: intent.offerId,
      provider_id: intent.providerId,
      booking_id: booking.id,
    });
    await this.ctx.storage.delete(INTENT);
    if (done) {
      await this.emit([
        requestMatched(r, booking.id, booking.price_poisha),
        ...offersWithdrawn(r.id, done.withdrawn, "matched"),
      ]);
      await this.log("info", { msg: "match won", request_id: r.id, booking_id: booking.id, wave: r.wave });
      await this.releaseElsewhere(r, intent.providerId);
    } else {
      await this.log("error", { msg: "booking made for a request no longer searching", request_id: r.id });
    }
    await this.rearm(null);
    const o = await first(this.pg, OFFER_STATE, { request_id: r.id, offer_id: intent.offerId });
    return o ? { ok: true, body: o.view } : refuse("internal", "internal");
  }

  /**
   * The winner can win nothing else at this time: every other search holding an open offer for them is asked to
   * withdraw it. Not awaited under this lock (each of those objects takes its own), and best effort: an offer missed
   * here is refused when accepted, and expires with its wave.
   */
  private async releaseElsewhere(r: RequestState, providerId: number): Promise<void> {
    const others = await rows(this.pg, TAKEN_ELSEWHERE, {
      provider_id: providerId,
      request_id: r.id,
      start: r.start_date,
      end: r.end_date,
    }).catch(() => []);
    if (others.length === 0) return;
    this.ctx.waitUntil(
      Promise.allSettled(others.map((o) => jobRequest(this.env, o.request_id).recheck({ requestId: o.request_id }))),
    );
  }

  /** Finishes an acceptance a crash or an outage left in flight, before anything else is decided. */
  private async recover(requestId: number): Promise<"clear" | "pending"> {
    const intent = await this.ctx.storage.get<Intent>(INTENT);
    if (!intent) return "clear";
    const r = await first(this.pg, REQUEST_STATE, { request_id: requestId });
    if (r?.status !== "SEARCHING") {
      // The MATCH committed and only forgetting the intent was lost.
      await this.ctx.storage.delete(INTENT);
      return "clear";
    }
    const out = await this.settle(r, intent);
    return !out.ok && out.code === "dependency_unavailable" ? "pending" : "clear";
  }

  // ---- plumbing ----------------------------------------------------------------------------------------------

  /** A step under the lock, after any acceptance left in flight is finished; failures answer, never throw. */
  private locked<T>(requestId: number, step: () => Promise<Answer<T>>): Promise<Answer<T>> {
    return this.mutex.run(async () => {
      try {
        await this.bind(requestId);
        if ((await this.recover(requestId)) === "pending") {
          return refuse("dependency_unavailable", "dependency_unavailable", {
            kind: "retry",
            retry_after_s: RETRY_MS / 1000,
            reason: "unavailable",
          });
        }
        return await step();
      } catch (err) {
        const down = isDependencyFailure(err);
        await this.log(down ? "warn" : "error", {
          msg: "match step failed",
          request_id: requestId,
          error: errorName(err),
        });
        return down
          ? refuse("dependency_unavailable", "dependency_unavailable", {
              kind: "retry",
              retry_after_s: 1,
              reason: "unavailable",
            })
          : refuse("internal", "internal");
      }
    });
  }

  /** Binds the object to its request on first use; another id means a routing bug, never user input. */
  private async bind(requestId: number): Promise<void> {
    const known = await this.ctx.storage.get<number>(ID);
    if (known === undefined) await this.ctx.storage.put(ID, requestId);
    else if (known !== requestId) throw new Error("job request object routed to the wrong request");
  }

  /** Keeps events in storage until the queue takes them (an outage or an eviction loses nothing), then sends. */
  private async emit(events: MatchEventMessage[]): Promise<void> {
    if (events.length === 0) return;
    const pending = (await this.ctx.storage.get<MatchEventMessage[]>(EVENTS)) ?? [];
    await this.ctx.storage.put(EVENTS, [...pending, ...events]);
    await this.flush();
  }

  private async flush(): Promise<void> {
    const pending = (await this.ctx.storage.get<MatchEventMessage[]>(EVENTS)) ?? [];
    if (pending.length === 0) return;
    try {
      for (let i = 0; i < pending.length; i += 100) {
        await this.events.sendBatch(pending.slice(i, i + 100).map((body) => ({ body, contentType: "json" as const })));
      }
      await this.ctx.storage.delete(EVENTS);
    } catch (err) {
      // Sent again with the next alarm: the delivery log makes a repeat notify once.
      await this.log("warn", { msg: "match events not sent", events: pending.length, error: errorName(err) });
      const at = await this.ctx.storage.getAlarm();
      const retry = Date.now() + EVENTS_RETRY_MS;
      if (at === null || at > retry) await this.ctx.storage.setAlarm(retry);
    }
  }

  /** One alarm: the wave's end (`next`), or sooner when events wait for the queue; none when nothing waits. */
  private async rearm(next: number | null): Promise<void> {
    const waiting = ((await this.ctx.storage.get<MatchEventMessage[]>(EVENTS)) ?? []).length > 0;
    const times = [next, waiting ? Date.now() + EVENTS_RETRY_MS : null].filter((t): t is number => t !== null);
    if (times.length === 0) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(Math.min(...times));
  }

  private retryLater(): Promise<void> {
    return this.ctx.storage.setAlarm(Date.now() + RETRY_MS);
  }

  private log(level: "info" | "warn" | "error", fields: Record<string, unknown>) {
    return logLine(this.cfg.LOG_LEVEL as LogLevel, level, fields);
  }
}

/** A refusal that says nothing about the provider: an outage, or the same key's first request still running. */
function transient(out: Extract<Outcome, { ok: false }>): boolean {
  if (out.code === "dependency_unavailable" || out.code === "internal") return true;
  return out.code === "conflict" && out.details?.kind === "retry";
}

const errorName = (err: unknown) => (err instanceof Error ? err.name : "unknown");
