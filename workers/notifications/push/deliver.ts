// One push to every device of one user, each device a delivery in the log (claimed before it is sent, so a
// redelivered event never pushes twice). Shared by the chat and account consumers.
import type { NotificationEventType } from "../../../lib/enums";
import { sha256Hex } from "../../../lib/hash";
import { type Runner, run } from "../../../platform/pg/sql";
import { claim, type FanoutResult, record } from "../fanout/fanout";
import { FORGET_DEVICE } from "../sql";
import { type FcmConfig, sendPush } from "./fcm";

export interface PushOne {
  eventId: string;
  eventType: NotificationEventType;
  bookingId: number;
  userId: number;
  devices: string[];
  title: string;
  body: string;
  data: Record<string, string>;
  collapseId: string;
}

export async function pushDevices(
  deps: { pool: Runner; fcm: FcmConfig },
  p: PushOne,
  result: FanoutResult,
): Promise<void> {
  await Promise.all(
    p.devices.map(async (token) => {
      const d = {
        eventId: p.eventId,
        eventType: p.eventType,
        bookingId: p.bookingId,
        userId: p.userId,
        channel: "push" as const,
        targetHash: await sha256Hex(`push:${token}`),
      };
      const c = await claim(deps.pool, d);
      if (c.kind === "sent") return;
      if (c.kind === "busy") {
        result.retry = true;
        result.retryAfterS = Math.max(result.retryAfterS ?? 0, c.waitS);
        return;
      }
      const r = await sendPush(deps.fcm, {
        token,
        title: p.title,
        body: p.body,
        data: p.data,
        collapseId: p.collapseId,
      });
      if (r.kind === "sent") {
        await record(deps.pool, d, "sent", null);
        result.sent++;
        return;
      }
      if (r.kind === "dead_token") await run(deps.pool, FORGET_DEVICE, { push_token: token });
      await record(deps.pool, d, "failed", r.error);
      if (r.kind === "retry") result.retry = true;
    }),
  );
}
