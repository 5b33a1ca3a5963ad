// Shapes shared by the /auth endpoints.
import { z } from "@hono/zod-openapi";
import { toAsciiDigits } from "../../../../lib/digits";
import { Lang, Role } from "../../../../lib/enums";

export const PhoneInput = z.string().min(1).max(32).openapi({ example: "01700-000001" });

/** Six digits, ASCII or Bangla (০-৯). */
export const CodeInput = z
  .string()
  .transform((v) => toAsciiDigits(v.trim()))
  .pipe(z.string().regex(/^\d{6}$/, "six_digits"))
  .openapi({ type: "string", example: "123456" });

export const UserSchema = z
  .object({
    id: z.number().int(),
    phone: z.string(),
    role: Role,
    name: z.string().nullable(),
    lang: Lang,
  })
  .openapi("User");

export const TokenPairSchema = z
  .object({
    access_token: z.string(),
    refresh_token: z.string(),
    token_type: z.literal("Bearer"),
    expires_in: z.number().int().openapi({ example: 900 }),
  })
  .openapi("TokenPair");

/** What every logout answers: how many live sessions it ended (0 when there were none: logouts are idempotent). */
export const RevokedSchema = z.object({ revoked: z.number().int() }).openapi("Revoked");

export const LOGOUT_NOTE =
  "Access tokens already issued stay valid until they expire (at most 15 minutes); refresh stops at once. Push " +
  "devices registered under an ended session are unregistered (logout-all: every device of the user), so the " +
  "phone can be registered by the next account.";

/** Token answers are never stored by any cache (RFC 6749 §5.1: no-store, and Pragma for HTTP/1.0 caches). */
export const NO_STORE = { "Cache-Control": "no-store", Pragma: "no-cache" } as const;
