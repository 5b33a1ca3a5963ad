// Matching's pushes from the match-events queue: a job offered to a provider and its withdrawal (push only, and
// not in their quiet hours or when they turned pushes off: the offer is still listed in the app), and the
// customer's answer, matched or no provider (they are waiting for it: always sent, by SMS when they have no
// device). The delivery log makes each notify-once; an offer and its withdrawal share a collapse id, so the
// withdrawal replaces the offer on the device.
import type { Lang } from "../../lib/enums";
import { sha256Hex } from "../../lib/hash";
import type { MatchEventMessage } from "../../lib/messages";
import { first, type Runner, rows, run } from "../../platform/pg/sql";
import { claim, type Delivery, type FanoutResult, record } from "./fanout/fanout";
import { quietFor } from "./fanout/policy";
import { type FcmConfig, sendPush } from "./push/fcm";
import { type SmsConfig, sendSms } from "./sms/sslwireless";
import { FORGET_DEVICE, RECIPIENTS, SERVICE_NAME } from "./sql";
import { matchText } from "./templates";

export interface MatchDeps {
  pool: Runner;
  fcm: FcmConfig;
  sms: SmsConfig;
  now?: Date;
}

const forCustomer = (e: MatchEventMessage) => e.type === "request.matched" || e.type === "request.no_provider";

export async function matchPush(e: MatchEventMessage, deps: MatchDeps): Promise<FanoutResult> {
  const result: FanoutResult = { retry: false, holdS: 0, sent: 0 };
  const [user] = await rows(deps.pool, RECIPIENTS, { ids: [e.recipient_id] });
  if (!user) return result;
  const customer = forCustomer(e);
  if (!customer && (!user.notify_push || quietFor(user, deps.now ?? new Date()) > 0)) return result;
  const text = matchText(e, user.lang, await serviceName(deps.pool, e, user.lang));
  const collapseId = "offer_id" in e ? `offer-${e.offer_id}` : `request-${e.request_id}`;
  const targets = [
    ...user.devices.map((t) => ({ channel: "push" as const, target: t })),
    ...(customer && user.devices.length === 0 ? [{ channel: "sms" as const, target: user.phone }] : []),
  ];
  await Promise.all(
    targets.map(async ({ channel, target }) => {
      const d: Delivery = {
        eventId: e.event_id,
        eventType: e.type,
        bookingId: e.type === "request.matched" ? e.booking_id : null,
        userId: user.id,
        channel,
        targetHash: await sha256Hex(`${channel}:${target}`),
      };
      const c = await claim(deps.pool, d);
      if (c.kind === "sent") return;
      if (c.kind === "busy") {
        result.retry = true;
        result.retryAfterS = Math.max(result.retryAfterS ?? 0, c.waitS);
        return;
      }
      if (channel === "sms") {
        const id = (await sha256Hex(`${e.event_id}:${user.id}`)).slice(0, 32);
        const r = await sendSms(deps.sms, target, `${text.title}: ${text.body}`, id);
        await record(deps.pool, d, r.ok ? "sent" : "failed", r.ok ? null : r.error);
        if (r.ok) result.sent++;
        else if (r.retryable) result.retry = true;
        return;
      }
      const r = await sendPush(deps.fcm, {
        token: target,
        title: text.title,
        body: text.body,
        data: {
          type: e.type,
          request_id: String(e.request_id),
          event_id: e.event_id,
          ...("offer_id" in e ? { offer_id: String(e.offer_id) } : {}),
          ...(e.type === "request.matched" ? { booking_id: String(e.booking_id) } : {}),
        },
        collapseId,
      });
      if (r.kind === "sent") {
        await record(deps.pool, d, "sent", null);
        result.sent++;
        return;
      }
      if (r.kind === "dead_token") await run(deps.pool, FORGET_DEVICE, { push_token: target });
      await record(deps.pool, d, "failed", r.error);
      if (r.kind === "retry") {
        result.retry = true;
        if (r.retryAfterS) result.retryAfterS = Math.max(result.retryAfterS ?? 0, r.retryAfterS);
      }
    }),
  );
  return result;
}

/** The service as the recipient reads it; its type when the catalog has no such entry. */
async function serviceName(pool: Runner, e: MatchEventMessage, lang: Lang): Promise<string> {
  if (!("service_type" in e)) return "";
  const row = await first(pool, SERVICE_NAME, { service_type: e.service_type });
  if (!row) return e.service_type;
  return lang === "bn" ? row.name_bn : row.name_en;
}
