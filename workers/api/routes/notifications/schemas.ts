// Shapes shared by the /notifications endpoints.
import { z } from "@hono/zod-openapi";
import { parseClock } from "../../../../lib/availability";
import { DevicePlatform, Lang } from "../../../../lib/enums";
import { token } from "../../../../lib/input";

export const PushToken = token(4096);

export const Device = z.object({ push_token: PushToken, platform: DevicePlatform }).openapi("Device");

const Clock = z.string().refine((v) => {
  const m = parseClock(v);
  return m !== null && m < 1440;
}, "HH:MM, 00:00 to 23:59");

export const Preferences = z
  .object({
    lang: Lang,
    push: z
      .boolean()
      .openapi({ description: "Pushes for non-critical events (confirmations and cancellations always go)" }),
    sms: z.boolean().openapi({ description: "SMS for non-critical events when there is no device" }),
    quiet_hours: z
      .object({ start: Clock, end: Clock })
      .nullable()
      .openapi({ description: "Asia/Dhaka; may wrap past midnight (22:00 to 07:00). Non-critical messages wait." }),
  })
  .openapi("NotificationPreferences");
