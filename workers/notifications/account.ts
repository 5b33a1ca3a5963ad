// Money news (payouts sent or failed, disputes opened or resolved) as pushes to each recipient's devices, with an
// SMS when a provider has no device and a payout failed (they must act). Notify-once through the delivery log.
import type { AccountEventMessage } from "../../lib/messages";
import { type Runner, rows } from "../../platform/pg/sql";
import type { FanoutResult } from "./fanout/fanout";
import { pushDevices } from "./push/deliver";
import type { FcmConfig } from "./push/fcm";
import { sendSms } from "./sms/sslwireless";
import { RECIPIENTS, USERS_OF_PROVIDERS } from "./sql";
import { accountText } from "./templates";

export async function accountPush(
  e: AccountEventMessage,
  deps: { pool: Runner; fcm: FcmConfig; sms: { SMS_API_URL: string; SMS_API_TOKEN: string; SMS_SID: string } },
): Promise<FanoutResult> {
  const result: FanoutResult = { retry: false, holdS: 0, sent: 0 };
  const direct = e.to.flatMap((t) => ("user_id" in t ? [t.user_id] : []));
  const providers = e.to.flatMap((t) => ("provider_id" in t ? [t.provider_id] : []));
  const viaProvider = providers.length
    ? (await rows(deps.pool, USERS_OF_PROVIDERS, { ids: providers })).map((r) => r.user_id)
    : [];
  for (const user of await rows(deps.pool, RECIPIENTS, { ids: [...new Set([...direct, ...viaProvider])] })) {
    const text = accountText(e, user.lang);
    if (user.devices.length > 0) {
      await pushDevices(
        deps,
        {
          eventId: e.event_id,
          eventType: e.type,
          bookingId: e.booking_id,
          userId: user.id,
          devices: user.devices,
          title: text.title,
          body: text.body,
          data: { type: e.type, event_id: e.event_id, booking_id: String(e.booking_id) },
          collapseId: e.event_id,
        },
        result,
      );
    } else if (e.type === "payout.failed" && user.notify_sms) {
      const r = await sendSms(deps.sms, user.phone, `${text.title}: ${text.body}`, e.event_id.replaceAll("-", ""));
      if (r.ok) result.sent++;
      else if (r.retryable) result.retry = true;
    }
  }
  return result;
}
