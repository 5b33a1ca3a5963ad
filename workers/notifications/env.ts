// Bindings of the notifications worker (wrangler types describes the gateway's; this worker has its own config).
export interface NotificationsEnv {
  ENVIRONMENT: string;
  DATABASE_URL: string;
  NEON_WS_PROXY?: string;
  LOG_LEVEL?: "debug" | "info" | "warn" | "error" | "silent";
  /** SSL Wireless base URL (the simulator locally). */
  SMS_API_URL: string;
  SMS_API_TOKEN: string;
  SMS_SID: string;
}
