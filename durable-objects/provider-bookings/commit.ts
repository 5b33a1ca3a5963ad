// What every committed booking change records besides the change itself (its audit row, its outbox event, the
// answer under the caller's key), as the named parameters of the finishChange tail.
import type { BookingStatus } from "../../lib/enums";
import type { BookingEventMessage } from "../../lib/messages";
import type { EventMeta } from "./events";
import type { Finished, FinishParams } from "./sql";
import type { ActorRef, Idempotency } from "./types";
import type { BookingWithPayment } from "./views";

/** The audit row's meta: the event's, less what the audit row has columns for. */
export type AuditMeta = Omit<EventMeta, "from_status">;

export interface Commit {
  actor: ActorRef;
  idem: Idempotency | undefined;
  event: BookingEventMessage;
  action: string;
  from: BookingStatus | null;
  meta: AuditMeta;
  /** The answer's HTTP status, stored with it under the key. */
  status: 200 | 201;
}

/** A published-to-be event: its outbox row and body. */
export interface OutboxEvent {
  id: number;
  payload: unknown;
}

export function finishParams(c: Commit, providerId: number): FinishParams {
  const eventId = c.event.meta.event_id;
  return {
    user_id: c.actor.userId,
    key: c.idem?.key ?? null,
    actor_id: c.event.actor_id,
    action: c.action,
    from_status: c.from,
    audit_meta: JSON.stringify({ ...c.meta, event_id: eventId }),
    event_id: eventId,
    partition_key: String(providerId),
    event: JSON.stringify(c.event),
    answer_status: c.status,
  };
}

/** The committed change, or null when the statement changed nothing (Postgres saw a conflict the cache missed). */
export function committed(row: Finished | undefined): { view: BookingWithPayment; event: OutboxEvent } | null {
  return row ? { view: row.view, event: { id: row.outbox_id, payload: row.payload } } : null;
}
