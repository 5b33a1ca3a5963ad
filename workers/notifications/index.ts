// Notifications worker: consumes booking events. For now it validates and acknowledges each message on its own.
import { logLine } from "../../lib/log";
import type { NotificationsEnv } from "./env";

export default {
  async queue(batch, env) {
    const level = env.LOG_LEVEL ?? "info";
    for (const message of batch.messages) {
      const body = message.body as { type?: unknown; meta?: { event_id?: unknown } } | null;
      const type = typeof body?.type === "string" ? body.type : "unknown";
      await logLine(level, "info", {
        msg: "event received",
        queue: batch.queue,
        type,
        event_id: typeof body?.meta?.event_id === "string" ? body.meta.event_id : undefined,
        attempts: message.attempts,
      });
      message.ack();
    }
  },
} satisfies ExportedHandler<NotificationsEnv>;
