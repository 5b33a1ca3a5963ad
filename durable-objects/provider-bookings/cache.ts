// The provider's active bookings in the object's SQLite: a fast refusal for a taken slot and the expiry alarm's
// schedule. Postgres stays the truth; the cache is replaced from it whenever the two may disagree.
import { ACTIVE } from "../../lib/booking-machine";
import { first, type Runner } from "../../platform/pg/sql";
import { ACTIVE_BOOKINGS } from "./sql";
import type { BookingView } from "./views";

// A type literal, not an interface: SqlStorage rows must be assignable to a record.
export type CachedBooking = {
  id: number;
  customer_id: number;
  start_ms: number;
  end_ms: number;
  status: string;
  deadline_ms: number | null;
};

export class ActiveCache {
  /**
   * Whether the table exists. It is created only for a provider known to exist (see the object's adopt): an id
   * nobody registered must not leave storage behind.
   */
  private ready = false;

  constructor(private readonly sql: SqlStorage) {}

  /** Creates the table (once the provider is known to exist). */
  open(): void {
    if (this.ready) return;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS active (
      id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL, start_ms INTEGER NOT NULL, end_ms INTEGER NOT NULL,
      status TEXT NOT NULL, deadline_ms INTEGER)`);
    this.ready = true;
  }

  /** Replaces the cache with the provider's active bookings as Postgres has them. */
  async reload(pg: Runner, providerId: number): Promise<void> {
    const row = await first(pg, ACTIVE_BOOKINGS, { provider_id: providerId, active: [...ACTIVE] });
    this.open();
    this.sql.exec("DELETE FROM active");
    this.sql.exec(
      `INSERT INTO active (id, customer_id, start_ms, end_ms, status, deadline_ms)
       SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'),
              json_extract(value, '$[3]'), json_extract(value, '$[4]'), json_extract(value, '$[5]')
         FROM json_each(?)`,
      row?.active ?? "[]",
    );
  }

  all(): CachedBooking[] {
    if (!this.ready) return [];
    return this.sql.exec<CachedBooking>("SELECT * FROM active ORDER BY start_ms").toArray();
  }

  overlaps(startMs: number, endMs: number): boolean {
    if (!this.ready) return false;
    return (
      this.sql.exec("SELECT 1 FROM active WHERE start_ms < ? AND end_ms > ? LIMIT 1", endMs, startMs).toArray().length >
      0
    );
  }

  /** Bookings whose deadline has passed: a PENDING one's accept deadline, an ACCEPTED one's confirm deadline. */
  due(now: number): number[] {
    if (!this.ready) return [];
    return this.sql
      .exec<{ id: number }>("SELECT id FROM active WHERE deadline_ms <= ? ORDER BY deadline_ms", now)
      .toArray()
      .map((r) => r.id);
  }

  /** The earliest deadline (accept or confirm) among the cached bookings. */
  nextDeadline(): number | null {
    if (!this.ready) return null;
    return this.sql.exec<{ at: number | null }>("SELECT min(deadline_ms) AS at FROM active").toArray()[0]?.at ?? null;
  }

  /** Keeps the cache in step with a committed change to booking `b`. */
  changed(b: BookingView): void {
    this.open();
    if (!ACTIVE.includes(b.status)) {
      this.sql.exec("DELETE FROM active WHERE id = ?", b.id);
      return;
    }
    this.sql.exec(
      "INSERT OR REPLACE INTO active (id, customer_id, start_ms, end_ms, status, deadline_ms) VALUES (?, ?, ?, ?, ?, ?)",
      b.id,
      b.customer_id,
      Date.parse(b.start_date),
      Date.parse(b.end_date),
      b.status,
      deadlineOf(b),
    );
  }
}

/** What the object's alarm waits for on a booking: its accept deadline while PENDING, its confirm deadline while ACCEPTED. */
function deadlineOf(b: BookingView): number | null {
  const at = b.status === "PENDING" ? b.accept_deadline : b.status === "ACCEPTED" ? b.confirm_deadline : null;
  return at ? Date.parse(at) : null;
}
