// WebSocket tickets: a socket cannot always carry an Authorization header (browsers never can), and tokens never go
// in URLs, so the app trades its access token for a ticket that lives 30 s and opens one socket. Only its hash is
// stored; GETDEL spends it in the same command that reads it, so two sockets can never share one.
import type { Redis } from "@upstash/redis/cloudflare";
import { z } from "zod";
import type { Conversation, Participant } from "../../../durable-objects/chat-room/client";
import { Lang } from "../../../lib/enums";
import { sha256Hex } from "../../../lib/hash";

const Stored = z.object({
  booking_id: z.number().int(),
  customer_id: z.number().int(),
  provider_user_id: z.number().int(),
  user_id: z.number().int(),
  role: z.enum(["customer", "provider"]),
  lang: Lang,
});

const keyOf = async (ticket: string) => `chat:ticket:${await sha256Hex(ticket)}`;

function randomTicket(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return `kmt_${btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")}`;
}

export const TICKET_PATTERN = /^kmt_[A-Za-z0-9_-]{43}$/;

export async function issueTicket(
  redis: Redis,
  conv: Conversation,
  me: Participant,
  ttlS: number,
): Promise<{ ticket: string; expiresAt: Date }> {
  const ticket = randomTicket();
  const value: z.infer<typeof Stored> = {
    booking_id: conv.bookingId,
    customer_id: conv.customerId,
    provider_user_id: conv.providerUserId,
    user_id: me.userId,
    role: me.role,
    lang: me.lang,
  };
  await redis.set(await keyOf(ticket), JSON.stringify(value), { ex: ttlS });
  return { ticket, expiresAt: new Date(Date.now() + ttlS * 1000) };
}

/** Spends a ticket: what it was issued for, or undefined when it is unknown, spent or expired. */
export async function spendTicket(
  redis: Redis,
  ticket: string,
): Promise<{ conv: Conversation; me: Participant } | undefined> {
  if (!TICKET_PATTERN.test(ticket)) return undefined;
  const raw = await redis.getdel<unknown>(await keyOf(ticket));
  const parsed = Stored.safeParse(typeof raw === "string" ? JSON.parse(raw) : raw);
  if (!parsed.success) return undefined;
  const t = parsed.data;
  return {
    conv: { bookingId: t.booking_id, customerId: t.customer_id, providerUserId: t.provider_user_id },
    me: { userId: t.user_id, role: t.role, lang: t.lang },
  };
}
