// Chat moderation: reports and blocks open a case, repeated contact sharing and flagged words open one by
// themselves, admins read a conversation only through a case (audited), and their actions take effect.
import { describe, expect, it } from "vitest";
import { chatBooking, isMessage, openSocket, sendRest } from "./chat-helpers";
import { call, type Json, login, loginAdmin, plantCode, sql } from "./helpers";

/** Polls until `check` passes (or gives up after `ms`): moderation runs right after the message is acknowledged. */
async function eventually<T>(read: () => Promise<T>, check: (v: T) => boolean, ms = 5000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (check(v) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function casesOf(bookingId: number) {
  return sql<{ id: string; status: string; resolution: string | null }>(
    "SELECT id, status, resolution FROM chat_cases WHERE booking_id = $1 ORDER BY id",
    [bookingId],
  );
}

async function reportsOf(bookingId: number) {
  return sql<{ kind: string; reporter_id: string | null; subject_id: string; seq: number | null }>(
    "SELECT kind, reporter_id, subject_id, seq FROM chat_reports WHERE booking_id = $1 ORDER BY id",
    [bookingId],
  );
}

describe("reports and blocks", () => {
  it("files a report once however often it is sent, and the case reaches the admin queue", async () => {
    const f = await chatBooking();
    const sent = await sendRest(f.bookingId, f.provider, "you are an idiot", "p-1");
    const seq = sent.body.seq as number;
    for (let i = 0; i < 2; i++) {
      const res = await call(`/chat/bookings/${f.bookingId}/report`, {
        method: "POST",
        token: f.customer.access,
        body: { seq, reason: "Insulted me" },
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: "reported", closed: false });
    }
    const reports = (await reportsOf(f.bookingId)).filter((r) => r.kind === "report");
    expect(reports).toEqual([
      { kind: "report", reporter_id: String(f.customer.userId), subject_id: String(f.provider.userId), seq },
    ]);
    const admin = await loginAdmin();
    const queue = await call("/chat/admin/cases?status=open&limit=50", { token: admin.access });
    expect(queue.status).toBe(200);
    const item = (queue.body.items as Json[]).find((c) => c.booking_id === f.bookingId);
    expect(item).toMatchObject({ status: "open", kinds: expect.arrayContaining(["report"]) });
    // The queue itself shows no message text.
    expect(JSON.stringify(queue.body)).not.toContain("idiot");
  });

  it("closes the conversation for both sides on a block, tells open sockets, and opens a case for support", async () => {
    const f = await chatBooking();
    const p = await openSocket(f.bookingId, f.provider);
    await sendRest(f.bookingId, f.provider, "hello", "p-1");
    await p.next(isMessage);
    const blocked = await call(`/chat/bookings/${f.bookingId}/block`, {
      method: "POST",
      token: f.customer.access,
      body: { reason: "Keeps asking for my number" },
    });
    expect(blocked.status).toBe(200);
    expect(blocked.body).toEqual({ status: "blocked", closed: true });
    expect(await p.next((fr) => fr.type === "closed")).toEqual({ type: "closed", reason: "block" });
    expect(await p.closed).toBe(4000);
    for (const who of [f.customer, f.provider]) {
      const res = await sendRest(f.bookingId, who, "still there?", crypto.randomUUID());
      expect(res.status).toBe(409);
    }
    const again = await call(`/chat/bookings/${f.bookingId}/block`, { method: "POST", token: f.customer.access });
    expect(again.status).toBe(200);
    const [conv] = await sql<{ closed_reason: string; closed_by: string }>(
      "SELECT closed_reason, closed_by FROM conversations WHERE booking_id = $1",
      [f.bookingId],
    );
    expect(conv).toEqual({ closed_reason: "block", closed_by: String(f.customer.userId) });
    expect((await casesOf(f.bookingId)).map((c) => c.status)).toEqual(["open"]);
    expect((await reportsOf(f.bookingId)).map((r) => r.kind)).toEqual(["block"]);
    // Reading still works after a block.
    const page = await call(`/chat/bookings/${f.bookingId}/messages`, { token: f.provider.access });
    expect(page.body).toMatchObject({ open: false, closed_reason: "block" });
  });

  it("opens a case by itself when one sender keeps trying to share contact details", async () => {
    const f = await chatBooking();
    const tries = ["call 01712345678", "my whatsapp is +880 1812-345678", "email rahim@gmail.com"];
    for (const [i, t] of tries.entries()) {
      const res = await sendRest(f.bookingId, f.provider, t, `p-${i}`);
      expect(res.body.redacted).toBe(true);
      if (i < tries.length - 1) expect(await casesOf(f.bookingId)).toEqual([]);
    }
    const reports = await reportsOf(f.bookingId);
    expect(reports).toEqual([
      { kind: "contact_sharing", reporter_id: null, subject_id: String(f.provider.userId), seq: null },
    ]);
  });

  it("opens a case on flagged words", async () => {
    const f = await chatBooking();
    const res = await sendRest(f.bookingId, f.customer, "pay me directly, outside the app", "c-1");
    expect(res.status).toBe(201);
    const reports = await eventually(
      () => reportsOf(f.bookingId),
      (r) => r.length > 0,
    );
    expect(reports.map((r) => [r.kind, r.subject_id, r.seq])).toEqual([
      ["flagged_terms", String(f.customer.userId), res.body.seq],
    ]);
  });
});

describe("admins and cases", () => {
  async function reportedCase() {
    const f = await chatBooking();
    await sendRest(f.bookingId, f.customer, "the gate is blue", "c-1");
    const bad = await sendRest(f.bookingId, f.provider, "send 2000 taka first or I will not come, idiot", "p-1");
    await call(`/chat/bookings/${f.bookingId}/report`, {
      method: "POST",
      token: f.customer.access,
      body: { seq: bad.body.seq },
    });
    const [c] = await casesOf(f.bookingId);
    return { ...f, caseId: Number(c?.id) };
  }

  it("lets an admin read a reported conversation only through its case, and records every read", async () => {
    const f = await reportedCase();
    const admin = await loginAdmin();
    expect((await call(`/chat/bookings/${f.bookingId}/messages`, { token: admin.access })).status).toBe(404);
    const detail = await call(`/chat/admin/cases/${f.caseId}`, { token: admin.access });
    expect(detail.status).toBe(200);
    expect((detail.body.messages as { seq: number }[]).map((m) => m.seq)).toEqual([1, 2]);
    expect(detail.body).toMatchObject({ customer_id: f.customer.userId, provider_user_id: f.provider.userId });
    expect((detail.body.filed as Json[]).find((r) => r.kind === "report")).toMatchObject({
      reporter_id: f.customer.userId,
      subject_id: f.provider.userId,
      seq: 2,
    });
    const audit = await sql<{ action: string; admin_id: string }>(
      "SELECT action, admin_id FROM admin_audit WHERE target_type = 'chat_case' AND target_id = $1",
      [String(f.caseId)],
    );
    expect(audit).toEqual([{ action: "chat.case.read", admin_id: String(admin.userId) }]);
    // Not for participants, nor for an unknown case.
    expect((await call(`/chat/admin/cases/${f.caseId}`, { token: f.customer.access })).status).toBe(403);
    expect((await call("/chat/admin/cases", { token: f.provider.access })).status).toBe(403);
    expect((await call("/chat/admin/cases/999999999", { token: admin.access })).status).toBe(404);
  });

  it("warns a party once, repeats safely, and refuses a different action on a resolved case", async () => {
    const f = await reportedCase();
    const admin = await loginAdmin();
    const body = { action: "warn", reason: "Threatened the customer", user_id: f.provider.userId };
    const first = await call(`/chat/admin/cases/${f.caseId}/resolve`, { method: "POST", token: admin.access, body });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: "resolved", resolution: "warn" });
    const again = await call(`/chat/admin/cases/${f.caseId}/resolve`, { method: "POST", token: admin.access, body });
    expect(again.status).toBe(200);
    const other = await call(`/chat/admin/cases/${f.caseId}/resolve`, {
      method: "POST",
      token: admin.access,
      body: { action: "dismiss", reason: "changed my mind" },
    });
    expect(other.status).toBe(409);
    const audit = await sql<{ action: string; meta: { reason: string; subject_id: number } }>(
      "SELECT action, meta FROM admin_audit WHERE target_type = 'chat_case' AND target_id = $1 AND action <> 'chat.case.read'",
      [String(f.caseId)],
    );
    expect(audit).toEqual([
      { action: "chat.case.warn", meta: { reason: "Threatened the customer", subject_id: f.provider.userId } },
    ]);
  });

  it("asks which party to warn or suspend, and only a party of the booking", async () => {
    const f = await reportedCase();
    const admin = await loginAdmin();
    const stranger = await login();
    for (const body of [
      { action: "suspend", reason: "x" },
      { action: "suspend", reason: "x", user_id: stranger.userId },
      { action: "warn", reason: "" },
      { action: "ban", reason: "x", user_id: f.provider.userId },
    ]) {
      const res = await call(`/chat/admin/cases/${f.caseId}/resolve`, { method: "POST", token: admin.access, body });
      expect(res.status).toBe(400);
    }
    expect((await casesOf(f.bookingId))[0]?.status).toBe("open");
  });

  it("suspends a party: their sessions end, they cannot sign in again, and their socket closes", async () => {
    const f = await reportedCase();
    const p = await openSocket(f.bookingId, f.provider);
    const admin = await loginAdmin();
    const res = await call(`/chat/admin/cases/${f.caseId}/resolve`, {
      method: "POST",
      token: admin.access,
      body: { action: "suspend", reason: "Threats", user_id: f.provider.userId },
    });
    expect(res.status).toBe(200);
    expect(await p.closed).toBe(4003);
    const refresh = await call("/auth/token/refresh", { method: "POST", body: { refresh_token: f.provider.refresh } });
    expect(refresh.status).toBe(401);
    const code = await plantCode(f.provider.phone);
    const relogin = await call("/auth/otp/verify", {
      method: "POST",
      headers: { "accept-language": "bn" },
      body: { phone: f.provider.phone, code, device_id: "dev-x", platform: "android" },
    });
    expect(relogin.status).toBe(403);
    expect((relogin.body.error as { message: string }).message).toMatch(/স্থগিত/);
    // A still-valid access token cannot open the conversation either.
    expect(
      (await call(`/chat/bookings/${f.bookingId}/ticket`, { method: "POST", token: f.provider.access })).status,
    ).toBe(403);
  });

  it("closes a conversation for both sides", async () => {
    const f = await reportedCase();
    const admin = await loginAdmin();
    const res = await call(`/chat/admin/cases/${f.caseId}/resolve`, {
      method: "POST",
      token: admin.access,
      body: { action: "close", reason: "Off-platform payment demanded" },
    });
    expect(res.status).toBe(200);
    expect((await sendRest(f.bookingId, f.customer, "hello?", "c-9")).status).toBe(409);
    const page = await call(`/chat/bookings/${f.bookingId}/messages`, { token: f.customer.access });
    expect(page.body).toMatchObject({ open: false, closed_reason: "moderation" });
  });

  it("opens a new case for a new report after the last one was resolved", async () => {
    const f = await reportedCase();
    const admin = await loginAdmin();
    await call(`/chat/admin/cases/${f.caseId}/resolve`, {
      method: "POST",
      token: admin.access,
      body: { action: "dismiss", reason: "Banter" },
    });
    await call(`/chat/bookings/${f.bookingId}/report`, { method: "POST", token: f.provider.access, body: { seq: 1 } });
    expect((await casesOf(f.bookingId)).map((c) => c.status)).toEqual(["resolved", "open"]);
  });
});
