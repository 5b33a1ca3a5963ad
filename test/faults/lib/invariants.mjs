// What must hold after the faults are over, read straight from Postgres and the simulators' inboxes.
import pg from "pg";

/**
 * payment_events kinds that move money (durable-objects/provider-bookings/payments.ts) and happen at most once per
 * payment in these journeys (no admin refunds, no hold renewals). Attempts (hold_started) may repeat, and a capture
 * may also arrive as a webhook row, so amounts are checked against bounds rather than summed.
 */
const MONEY_MOVES = new Set(["hold", "capture", "capture_fee", "cash_due", "void", "refund_less_fee"]);

async function read(databaseUrl) {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const q = async (text) => (await c.query(text)).rows;
    return {
      bookings: await q("SELECT id::int, status, price_poisha::int, payment_method FROM bookings ORDER BY id"),
      audit: await q(
        `SELECT id::int, booking_id::int, action, from_status, to_status, meta->>'event_id' AS event_id
           FROM audit_log ORDER BY booking_id, id`,
      ),
      // Booking changes only: review events (review.requested, …) share the outbox but belong to no audit row.
      outbox: await q(
        `SELECT id::int, event_id::text, (payload->>'id')::int AS booking_id, payload->>'type' AS type,
                published_at IS NOT NULL AS published, attempts FROM outbox
          WHERE payload->>'type' LIKE 'booking.%' ORDER BY id`,
      ),
      deliveries: await q(
        "SELECT event_id::text, user_id::int, channel, target_hash, status, attempts FROM notification_deliveries",
      ),
      payments: await q(
        `SELECT y.id::int, y.booking_id::int, y.gateway, y.status, y.amount_poisha::int AS amount,
                y.captured_poisha::int AS captured, y.refunded_poisha::int AS refunded, y.gateway_ref
           FROM payments y`,
      ),
      paymentEvents: await q(
        "SELECT payment_id::int, kind, amount_poisha::int AS amount, gateway_ref FROM payment_events ORDER BY id",
      ),
      openKeys: await q(
        "SELECT user_id::int, key, path FROM idempotency_keys WHERE response_code IS NULL AND path LIKE '/booking/%'",
      ),
    };
  } finally {
    await c.end();
  }
}

const countBy = (items, keyOf) => {
  const m = new Map();
  for (const it of items) m.set(keyOf(it), (m.get(keyOf(it)) ?? 0) + 1);
  return m;
};

/**
 * What is still under way: outbox rows not yet published, and deliveries a consumer has claimed but not finished.
 * The drain loop waits on both, so a delivery in flight at the end is neither counted lost nor hides a duplicate.
 */
export async function unsettled(databaseUrl) {
  const c = new pg.Client({ connectionString: databaseUrl });
  c.on("error", () => {});
  await c.connect();
  try {
    const { rows } = await c.query(
      `SELECT (SELECT count(*)::int FROM outbox WHERE published_at IS NULL) AS outbox,
              (SELECT count(*)::int FROM notification_deliveries WHERE status = 'pending') AS pending`,
    );
    return rows[0];
  } finally {
    await c.end();
  }
}

export async function fcmInbox(port) {
  const res = await fetch(`http://127.0.0.1:${port}/__sim/messages`);
  return (await res.json()).messages;
}

/**
 * Checks every invariant; returns per-fault event figures and adds findings through ctx.finding. A booking's fault
 * is the phase its journey ran in; a booking no journey knows is itself a finding (a create that ran twice).
 */
export async function verify(ctx, { databaseUrl, fcmPort, people }) {
  const db = await read(databaseUrl);
  const fcm = await fcmInbox(fcmPort);
  const faultOf = (bookingId) => ctx.journeys.get(bookingId)?.fault ?? "(unknown)";
  const events = new Map(); // fault -> { committed, delivered, lost, duplicates }
  const tally = (fault) => {
    if (!events.has(fault)) events.set(fault, { committed: 0, delivered: 0, lost: 0, duplicates: 0 });
    return events.get(fault);
  };
  const bad = (bookingId, what, expected) =>
    ctx.finding(faultOf(bookingId), `booking ${bookingId}: ${what}`, { expected });

  // Bookings: each one a journey created, and each journey's booking there, in the state the client last saw.
  const byId = new Map(db.bookings.map((b) => [b.id, b]));
  for (const b of db.bookings) {
    if (!ctx.journeys.has(b.id)) {
      bad(b.id, "exists but no create answered it", "one booking per committed create");
      tally("(unknown)").duplicates++;
    }
  }
  for (const [id, j] of ctx.journeys) {
    const b = byId.get(id);
    if (!b) {
      bad(id, "was answered 201 but is not in the database", "every answered booking stored");
      tally(j.fault).lost++;
      continue;
    }
    const last = j.steps.at(-1);
    if (!j.unfinished && j.method !== "bkash" && j.method !== "nagad" && b.status !== last) {
      bad(id, `is ${b.status} but the last answer said ${last}`, "the stored status is the last one answered");
    }
  }

  // Audit: one row per change, a chain from PENDING to the booking's status, each with its own event.
  const auditBy = Map.groupBy(db.audit, (a) => a.booking_id);
  for (const b of db.bookings) {
    const rows = auditBy.get(b.id) ?? [];
    const chain = rows.every((a, i) => (i === 0 ? a.from_status === null : a.from_status === rows[i - 1].to_status));
    if (!rows.length || rows[0].to_status !== "PENDING" || !chain || rows.at(-1).to_status !== b.status) {
      bad(
        b.id,
        `audit trail ${rows.map((a) => `${a.from_status}->${a.to_status}`).join(", ")} vs status ${b.status}`,
        "one row per change, in order",
      );
    }
    const j = ctx.journeys.get(b.id);
    // A journey whose step never converged (already a finding) may have changed more than it was told.
    if (j && !j.unfinished && j.method !== "bkash" && j.method !== "nagad" && rows.length !== j.steps.length) {
      bad(b.id, `${rows.length} audit rows for ${j.steps.length} answered changes`, "no audit row lost or repeated");
      tally(j.fault)[rows.length > j.steps.length ? "duplicates" : "lost"] += Math.abs(rows.length - j.steps.length);
    }
  }

  // Outbox: exactly one event per audit row, all published after recovery.
  const outboxByEvent = countBy(db.outbox, (o) => o.event_id);
  const auditEvents = new Set(db.audit.map((a) => a.event_id));
  for (const a of db.audit) {
    if ((outboxByEvent.get(a.event_id) ?? 0) !== 1) {
      bad(a.booking_id, `change ${a.action} has ${outboxByEvent.get(a.event_id) ?? 0} outbox events`, "exactly one");
    }
  }
  for (const o of db.outbox) {
    if (!auditEvents.has(o.event_id))
      bad(o.booking_id, `outbox event ${o.event_id} has no audit row`, "one per change");
  }

  // Consumer: every event reached the notifications worker once; every push it recorded reached FCM once.
  const tokenOf = new Map(people.map((p) => [p.pushHash, p.pushToken]));
  const deliveriesBy = Map.groupBy(db.deliveries, (d) => d.event_id);
  const pushes = countBy(fcm, (m) => `${m.data?.event_id}|${m.token}`);
  const pushesByEvent = new Map();
  for (const m of fcm) {
    const byToken = pushesByEvent.get(m.data?.event_id) ?? new Map();
    byToken.set(m.token, (byToken.get(m.token) ?? 0) + 1);
    pushesByEvent.set(m.data?.event_id, byToken);
  }
  const known = new Set(db.outbox.map((o) => o.event_id));
  for (const o of db.outbox) {
    const t = tally(faultOf(o.booking_id));
    t.committed++;
    const rows = deliveriesBy.get(o.event_id) ?? [];
    const sent = rows.filter((d) => d.status === "sent");
    let dup = 0;
    let missing = !o.published || sent.length === 0 || sent.length !== rows.length;
    for (const d of rows.filter((r) => r.channel === "push")) {
      if ((pushes.get(`${o.event_id}|${tokenOf.get(d.target_hash)}`) ?? 0) === 0) missing = true;
    }
    // Every push FCM got for this event beyond the first per device is a duplicate, whether or not the delivery
    // log has a row for it (a send whose record was lost is exactly the case to catch).
    for (const n of pushesByEvent.get(o.event_id)?.values() ?? []) if (n > 1) dup += n - 1;
    if (missing) {
      t.lost++;
      bad(
        o.booking_id,
        `event ${o.type} ${o.event_id}: published=${o.published}, deliveries ${rows.map((d) => `${d.channel}:${d.status}`).join(",") || "none"}`,
        "published and delivered (every delivery sent, every push at FCM)",
      );
    } else t.delivered++;
    if (dup > 0) {
      t.duplicates += dup;
      bad(o.booking_id, `event ${o.type} ${o.event_id} pushed ${dup} extra time(s)`, "one push per delivery");
    }
  }
  const strays = fcm.filter((m) => m.data?.type?.startsWith("booking.") && !known.has(m.data?.event_id));
  if (strays.length)
    ctx.finding("(consumer)", `${strays.length} pushes for events not in the outbox`, { expected: "none" });

  // Ledger: one payment per booking, amounts within bounds, no money move recorded twice.
  const movesBy = Map.groupBy(db.paymentEvents, (e) => e.payment_id);
  for (const y of db.payments) {
    const b = byId.get(y.booking_id);
    if (y.captured > y.amount || y.refunded > y.captured)
      bad(y.booking_id, `payment ${JSON.stringify(y)}`, "captured <= amount, refunded <= captured");
    if (b && y.amount !== b.price_poisha)
      bad(y.booking_id, `payment amount ${y.amount} for price ${b.price_poisha}`, "the price");
    const moves = (movesBy.get(y.id) ?? []).filter((e) => MONEY_MOVES.has(e.kind));
    for (const [kind, n] of countBy(moves, (e) => e.kind)) {
      if (n > 1) {
        bad(y.booking_id, `payment move ${kind} recorded ${n} times`, "each money move once");
        tally(faultOf(y.booking_id)).duplicates += n - 1;
      }
    }
    if (b?.status === "COMPLETED" && y.gateway === "stripe" && y.captured !== y.amount) {
      bad(y.booking_id, `completed with ${y.captured} of ${y.amount} captured`, "a completed card booking is captured");
    }
  }

  // Keys: a key whose request is over must not stay claimed (a retry would get 409 for a day).
  for (const k of db.openKeys) {
    ctx.finding("(idempotency)", `key ${k.key} for ${k.path} is still claimed with no answer`, {
      expected: "answered or released once the request ended",
    });
  }
  return {
    events,
    stats: { bookings: db.bookings.length, outbox: db.outbox.length, pushes: fcm.length, payments: db.payments.length },
  };
}
