// Bindings of the notifications worker (wrangler types describes the gateway's; this worker has its own config).
import type { LogLevel } from "../../lib/log";

export interface NotificationsEnv {
  ENVIRONMENT: string;
  DATABASE_URL: string;
  NEON_WS_PROXY?: string;
  /** The local sql-http bridge's /sql (Neon's HTTP path); not read yet. */
  NEON_HTTP_ENDPOINT?: string;
  LOG_LEVEL?: LogLevel;
  /** SSL Wireless base URL (the simulator locally). */
  SMS_API_URL: string;
  SMS_API_TOKEN: string;
  SMS_SID: string;
  /** The Firebase service account JSON (secret). */
  FCM_SERVICE_ACCOUNT: string;
  /** https://fcm.googleapis.com in production. */
  FCM_API_URL: string;
  /** Base of the retry backoff in seconds (2 in production; tests make it 0). */
  RETRY_BASE_S?: string;
  /** To send an event again later (quiet hours). */
  BOOKING_EVENTS: Queue;
}
