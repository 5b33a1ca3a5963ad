// ChatRoom: one object per booking's conversation. It holds the participants' WebSockets (hibernating between
// messages), numbers and stores every message in Postgres before anyone sees it, and turns a message to an absent
// participant into one collapsed push. Contact details are redacted here, before anything is stored or sent.
//
// Sends are batched: while one batch's statement is in flight, new messages queue, and the next statement stores
// them all. A message is acknowledged (broadcast, or answered to REST) only after its statement committed.

import { DurableObject } from "cloudflare:workers";
import {
  CHAT_MAX_CHARS,
  CHAT_MAX_FRAME_BYTES,
  CHAT_PAGE_MAX,
  type ChatMessage,
  CLIENT_ID,
  ClientFrame,
  codePoints,
  messageText,
  RateWindow,
} from "../../lib/chat";
import type { MessageKey } from "../../lib/i18n";
import { type LogLevel, logLine } from "../../lib/log";
import { Mutex } from "../../lib/mutex";
import { flaggedTerms, redact } from "../../lib/redact";
import { type Config, loadConfig } from "../../platform/config";
import { isDependencyFailure } from "../../platform/pg/errors";
import { PgHttp } from "../../platform/pg/http";
import { first, rows } from "../../platform/pg/sql";
import { errorFrame, frame, text, wire } from "./frames";
import { otherParty } from "./parties";
import { collectPushes, sendPushes } from "./pushes";
import {
  CLOSE_CONVERSATION,
  FILE_REPORT,
  MARK_READ,
  MESSAGES_AFTER,
  type Outgoing,
  SEND_BATCH,
  type SendRow,
  STRIKES,
} from "./sql";
import type { Conversation, ModerationOutcome, ReportInput, SendInput, SendOutcome, SocketTag } from "./types";

/** Messages one statement stores at most. */
const BATCH_MAX = 50;
/** Messages a reconnecting socket is sent at most; a client further behind pages with GET …/messages. */
const RESUME_MAX = CHAT_PAGE_MAX * 10;

interface Pending {
  out: Omit<Outgoing, "ord">;
  resolve: (r: Stored) => void;
}
type Stored =
  | { outcome: "stored" | "duplicate"; message: ChatMessage }
  | { outcome: "closed" | "no_booking" | "unavailable" };

export class ChatRoom extends DurableObject<Env> {
  /** Stateless HTTP statements: an idle conversation holds no connection, however many sockets it keeps. */
  readonly pg: PgHttp;
  /**
   * Input gates do not cover the Postgres round trip: without this lock a second batch could take the same seq
   * numbers, and a reconnecting socket could miss a message committed between its history read and its accept.
   */
  private readonly mutex = new Mutex();
  private readonly cfg: Config;
  private readonly rate: RateWindow;
  private queue: Pending[] = [];
  private flushing = false;
  /** The queue binding, a field so tests can make a push's send fail. */
  events: Queue;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.cfg = loadConfig(env);
    this.pg = new PgHttp(this.cfg);
    this.rate = new RateWindow(this.cfg.CHAT_MESSAGES_PER_MIN);
    this.events = env.CHAT_EVENTS;
    // Keep-alives are answered without waking the object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('{"type":"ping"}', '{"type":"pong"}'));
  }

  // ---- RPC -------------------------------------------------------------------------------------------------

  /** Redacts, stores (batched) and delivers one message; answers only once it is durable. */
  async send(input: SendInput): Promise<SendOutcome> {
    await this.remember(input.conv);
    const wait = this.rate.take(input.sender.userId, Date.now());
    if (wait > 0) return { ok: false, code: "rate_limited", retryAfterS: wait };
    const clean = redact(input.text);
    const stored = await this.enqueue({
      sender_id: input.sender.userId,
      client_id: input.clientId,
      text: clean.text,
      redaction_count: clean.total,
      redaction_kinds: Object.keys(clean.counts),
      flagged_terms: flaggedTerms(input.text),
    });
    switch (stored.outcome) {
      case "stored":
      case "duplicate": {
        const hint = stored.message.redacted ? text("chat_redacted", input.sender.lang) : undefined;
        return {
          ok: true,
          message: stored.message,
          duplicate: stored.outcome === "duplicate",
          ...(hint ? { hint } : {}),
        };
      }
      case "closed":
        return { ok: false, code: "conversation_closed" };
      case "no_booking":
        return { ok: false, code: "not_found" };
      case "unavailable":
        return { ok: false, code: "dependency_unavailable", retryAfterS: 2 };
    }
  }

  /** A participant reports a message (or the conversation): it opens or joins the case moderators see. */
  async report(input: ReportInput): Promise<ModerationOutcome> {
    await this.remember(input.conv);
    return this.file(
      input.conv.bookingId,
      "report",
      input.by.userId,
      otherParty(input.conv, input.by.userId),
      input.seq,
      input.reason,
    );
  }

  /** A participant blocks the other: the conversation closes for both, and support gets a case. */
  async block(input: ReportInput): Promise<ModerationOutcome> {
    await this.remember(input.conv);
    const subject = otherParty(input.conv, input.by.userId);
    try {
      await first(this.pg, CLOSE_CONVERSATION, {
        booking_id: input.conv.bookingId,
        closed_by: input.by.userId,
        reason: "block",
      });
    } catch (err) {
      return this.unavailable(err, "chat block failed");
    }
    const filed = await this.file(input.conv.bookingId, "block", input.by.userId, subject, input.seq, input.reason);
    this.closeSockets("block");
    return filed;
  }

  /** A moderator closed the conversation, or suspended `userId`: sockets follow at once. */
  async moderate(input: {
    conv: Conversation;
    adminId: number;
    action: "close" | "suspend";
    userId?: number;
  }): Promise<{ ok: boolean }> {
    await this.remember(input.conv);
    if (input.action === "close") {
      await first(this.pg, CLOSE_CONVERSATION, {
        booking_id: input.conv.bookingId,
        closed_by: input.adminId,
        reason: "moderation",
      });
      this.closeSockets("moderation");
    } else if (input.userId !== undefined) {
      for (const ws of this.ctx.getWebSockets(`u:${input.userId}`)) ws.close(4003, "suspended");
    }
    return { ok: true };
  }

  /** How many sockets this conversation holds (diagnostics, the benchmark). */
  async sockets(): Promise<number> {
    return this.ctx.getWebSockets().length;
  }

  // ---- WebSockets ----------------------------------------------------------------------------------------

  /**
   * The upgrade, already authorized by the gateway (which spent the ticket). The missed messages are read and the
   * socket accepted under the lock, so nothing committed in between is lost or sent out of order.
   */
  override async fetch(request: Request): Promise<Response> {
    const tag = JSON.parse(request.headers.get("x-chat-socket") ?? "null") as
      | (SocketTag & { conv: Conversation })
      | null;
    if (!tag || request.headers.get("upgrade")?.toLowerCase() !== "websocket")
      return new Response(null, { status: 400 });
    await this.remember(tag.conv);
    const after = Number(new URL(request.url).searchParams.get("after_seq") ?? "");
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    try {
      await this.mutex.run(async () => {
        const missed =
          Number.isSafeInteger(after) && after >= 0 && new URL(request.url).searchParams.has("after_seq")
            ? await rows(this.pg, MESSAGES_AFTER, { booking_id: tag.bookingId, after_seq: after, limit: RESUME_MAX })
            : [];
        const attachment: SocketTag = { userId: tag.userId, role: tag.role, lang: tag.lang, bookingId: tag.bookingId };
        this.ctx.acceptWebSocket(server, [`u:${tag.userId}`]);
        server.serializeAttachment(attachment);
        for (const m of missed) server.send(frame({ type: "message", ...wire(m) }));
      });
    } catch (err) {
      await this.log("warn", { msg: "chat resume failed", error: err instanceof Error ? err.name : "unknown" });
      return new Response(null, { status: 503 });
    }
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    const tag = ws.deserializeAttachment() as SocketTag;
    const raw = typeof data === "string" ? data : new TextDecoder().decode(data);
    if (raw.length > CHAT_MAX_FRAME_BYTES)
      return void ws.send(errorFrame("payload_too_large", "message_too_long", tag.lang));
    let parsed: ClientFrame;
    try {
      const f = ClientFrame.safeParse(JSON.parse(raw));
      if (!f.success) return void ws.send(errorFrame("invalid_input", "invalid_input", tag.lang));
      parsed = f.data;
    } catch {
      return void ws.send(errorFrame("invalid_input", "malformed_json", tag.lang));
    }
    const conv = await this.conversation();
    if (!conv) return void ws.send(errorFrame("internal", "internal", tag.lang));
    if (parsed.type === "ping") return void ws.send(frame({ type: "pong" }));
    if (parsed.type === "read") return this.markRead(ws, tag, parsed.seq);
    const clientId = parsed.client_id;
    const body = messageText(parsed.text);
    if (!CLIENT_ID.test(clientId) || body === undefined) {
      return void ws.send(errorFrame("invalid_input", "invalid_input", tag.lang, { client_id: clientId }));
    }
    if (codePoints(body) > CHAT_MAX_CHARS) {
      return void ws.send(errorFrame("payload_too_large", "message_too_long", tag.lang, { client_id: clientId }));
    }
    const out = await this.send({ conv, sender: tag, clientId, text: body });
    if (out.ok) {
      // A new message reached every socket in the broadcast; a resend is answered to the socket that resent it.
      if (out.duplicate) ws.send(frame({ type: "message", ...out.message, ...(out.hint ? { hint: out.hint } : {}) }));
      return;
    }
    const key: MessageKey = out.code === "not_found" ? "not_found" : out.code;
    ws.send(
      errorFrame(out.code === "not_found" ? "conversation_closed" : out.code, key, tag.lang, {
        client_id: clientId,
        ...("retryAfterS" in out && out.retryAfterS ? { retry_after_s: out.retryAfterS } : {}),
      }),
    );
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    // The client's close is echoed (1005 "no status" cannot be sent back, so it becomes a normal close).
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, "bye");
    } catch {}
  }

  override async webSocketError(): Promise<void> {}

  /** The collapse window ended: one push per absent participant, unless they came back meanwhile. */
  override async alarm(): Promise<void> {
    const conv = await this.conversation();
    if (conv) await sendPushes(this.ctx, conv, this.events);
  }

  // ---- internals -----------------------------------------------------------------------------------------

  private enqueue(out: Pending["out"]): Promise<Stored> {
    return new Promise((resolve) => {
      this.queue.push({ out, resolve });
      if (!this.flushing) void this.flush();
    });
  }

  /** Stores queued messages batch by batch, under the lock, until the queue is empty. */
  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, BATCH_MAX);
        await this.mutex.run(() => this.commit(batch));
      }
    } finally {
      this.flushing = false;
    }
  }

  private async commit(batch: Pending[]): Promise<void> {
    const conv = await this.conversation();
    // The same message twice in one batch (a resend racing its original) is stored once and answered twice.
    const firstOf = new Map<string, number>();
    const unique: Outgoing[] = [];
    const ordOf = batch.map((p) => {
      const key = `${p.out.sender_id}:${p.out.client_id}`;
      let ord = firstOf.get(key);
      if (ord === undefined) {
        ord = unique.length;
        firstOf.set(key, ord);
        unique.push({ ord, ...p.out });
      }
      return ord;
    });
    let results: SendRow[];
    try {
      if (!conv) throw new Error("conversation unknown");
      results = await rows(this.pg, SEND_BATCH, {
        booking_id: conv.bookingId,
        batch: JSON.stringify(unique),
        open_days: this.cfg.CHAT_OPEN_DAYS_AFTER,
      });
    } catch (err) {
      await this.log(isDependencyFailure(err) ? "warn" : "error", {
        msg: "chat batch failed",
        messages: batch.length,
        error: err instanceof Error ? err.name : "unknown",
      });
      for (const p of batch) p.resolve({ outcome: "unavailable" });
      return;
    }
    const byOrd = new Map(results.map((r) => [r.ord, r]));
    const fresh: ChatMessage[] = [];
    batch.forEach((p, i) => {
      const r = byOrd.get(ordOf[i] as number);
      if (!r || !("seq" in r)) {
        p.resolve({ outcome: r?.outcome === "no_booking" ? "no_booking" : "closed" });
        return;
      }
      const message = wire(r);
      const firstAnswer = r.outcome === "stored" && !fresh.some((m) => m.seq === message.seq);
      if (firstAnswer) fresh.push(message);
      p.resolve({ outcome: firstAnswer ? "stored" : "duplicate", message });
    });
    if (conv && fresh.length > 0) {
      this.broadcast(fresh);
      await this.afterStore(conv, fresh, unique);
    }
  }

  /** Every socket sees each new message; the sender's sockets also get the hint when something was hidden. */
  private broadcast(fresh: ChatMessage[]): void {
    for (const ws of this.ctx.getWebSockets()) {
      const tag = ws.deserializeAttachment() as SocketTag;
      for (const m of fresh) {
        const hint = m.redacted && m.sender_id === tag.userId ? { hint: text("chat_redacted", tag.lang) } : {};
        try {
          ws.send(frame({ type: "message", ...m, ...hint }));
        } catch {}
      }
    }
  }

  /** Pushes for absent participants (collapsed), and the strikes that open a moderation case. */
  private async afterStore(conv: Conversation, fresh: ChatMessage[], sent: Outgoing[]): Promise<void> {
    await collectPushes(this.ctx, conv, fresh, this.cfg.CHAT_PUSH_COLLAPSE_MS);
    for (const m of fresh) {
      const out = sent.find((o) => o.sender_id === m.sender_id && o.client_id === m.client_id);
      if (!out) continue;
      if (out.flagged_terms.length > 0) {
        await this.file(conv.bookingId, "flagged_terms", null, m.sender_id, m.seq, out.flagged_terms.join(", "));
      }
      if (m.redacted) {
        const strikes = await first(this.pg, STRIKES, { booking_id: conv.bookingId, sender_id: m.sender_id }).catch(
          () => undefined,
        );
        if (strikes && strikes.strikes >= this.cfg.CHAT_CONTACT_STRIKES) {
          await this.file(
            conv.bookingId,
            "contact_sharing",
            null,
            m.sender_id,
            null,
            `${strikes.strikes} messages redacted`,
          );
        }
      }
    }
  }

  private async markRead(ws: WebSocket, tag: SocketTag, seq: number): Promise<void> {
    let stored: number;
    try {
      stored = (await first(this.pg, MARK_READ, { booking_id: tag.bookingId, user_id: tag.userId, seq }))?.seq ?? 0;
    } catch {
      return void ws.send(errorFrame("dependency_unavailable", "dependency_unavailable", tag.lang));
    }
    for (const other of this.ctx.getWebSockets()) {
      if (other === ws) continue;
      try {
        other.send(frame({ type: "read", user_id: tag.userId, seq: stored }));
      } catch {}
    }
  }

  /** Files one report into the conversation's open case (opening it); retried once if a concurrent open won. */
  private async file(
    bookingId: number,
    kind: "report" | "block" | "contact_sharing" | "flagged_terms",
    reporterId: number | null,
    subjectId: number,
    seq: number | null,
    reason: string | null,
  ): Promise<ModerationOutcome> {
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        const row = await first(this.pg, FILE_REPORT, {
          booking_id: bookingId,
          kind,
          reporter_id: reporterId,
          subject_id: subjectId,
          seq,
          reason,
        });
        if (row) {
          if (row.opened) await this.log("info", { msg: "chat case opened", case_id: row.case_id, kind });
          return { ok: true, caseId: row.case_id };
        }
      }
      throw new Error("case not found after three attempts");
    } catch (err) {
      return this.unavailable(err, "chat report failed");
    }
  }

  private closeSockets(reason: string): void {
    for (const ws of this.ctx.getWebSockets()) {
      try {
        ws.send(frame({ type: "closed", reason }));
        ws.close(4000, reason);
      } catch {}
    }
  }

  /** The conversation's parties, kept in storage once known (they never change for a booking). */
  private async remember(conv: Conversation): Promise<void> {
    const known = await this.ctx.storage.get<Conversation>("conv");
    if (!known) await this.ctx.storage.put("conv", conv);
  }

  private conversation(): Promise<Conversation | undefined> {
    return this.ctx.storage.get<Conversation>("conv");
  }

  private async unavailable(err: unknown, msg: string): Promise<{ ok: false; code: "dependency_unavailable" }> {
    await this.log("warn", { msg, error: err instanceof Error ? err.name : "unknown" });
    return { ok: false, code: "dependency_unavailable" };
  }

  private log(level: "info" | "warn" | "error", fields: Record<string, unknown>) {
    return logLine(this.cfg.LOG_LEVEL as LogLevel, level, fields);
  }
}
