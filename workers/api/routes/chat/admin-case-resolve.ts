// POST /chat/admin/cases/{id}/resolve: an admin acts on a case (warn or suspend a party, close the conversation,
// or dismiss), with a reason, recorded in admin_audit. Repeating the same action is safe; another one is 409.
import { z } from "@hono/zod-openapi";
import { chatRoom } from "../../../../durable-objects/chat-room/client";
import { ChatCaseAction } from "../../../../lib/enums";
import { ApiError } from "../../../../lib/errors";
import { idValue, text } from "../../../../lib/input";
import { fieldIssue, validationDetails } from "../../../../lib/issues";
import type { ChatEventMessage } from "../../../../lib/messages";
import { first } from "../../../../platform/pg/sql";
import { caller, requireAuth } from "../../auth/require-auth";
import { revokeSessions } from "../../auth/sessions";
import { type App, defineRoute, json } from "../../openapi";
import { CASE_BY_ID, RESOLVE_CASE, SUSPEND_USER } from "../../queries/chat";
import { security } from "../shared/booking";
import { CaseIdParam, ChatCaseSchema, caseView } from "./schemas";

const Body = z
  .object({
    action: ChatCaseAction,
    reason: text({ min: 1, max: 500, multiline: true }),
    user_id: idValue
      .optional()
      .openapi({ description: "warn and suspend: which party (the customer or the provider)." }),
  })
  .openapi("ChatCaseResolve");

const route = defineRoute({
  operationId: "resolveChatCase",
  errors: [403, 404, 409],
  method: "post",
  path: "/admin/cases/{id}/resolve",
  tags: ["chat"],
  summary: "Admin: act on a case",
  description:
    "warn: the party gets a warning push. suspend: the party's sessions end, no new sign-in starts, their sockets " +
    "close. close: the conversation becomes read-only for both. dismiss: nothing else happens. Each resolves the case.",
  security,
  middleware: [requireAuth(["admin"])] as const,
  request: {
    params: CaseIdParam,
    body: {
      required: true,
      content: json(Body, { action: "warn", reason: "Shared a phone number twice.", user_id: 12 }),
    },
  },
  responses: { 200: { description: "Resolved", content: json(ChatCaseSchema) } },
});

export function registerResolveChatCase(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const admin = caller(c).userId;
    const pool = c.var.services.pool();
    const found = await first(pool, CASE_BY_ID, { case_id: id });
    if (!found) throw new ApiError("not_found");
    const parties = [found.customer_id, found.provider_user_id];
    const needsUser = body.action === "warn" || body.action === "suspend";
    if (needsUser && (body.user_id === undefined || !parties.includes(body.user_id))) {
      throw new ApiError("invalid_input", { details: validationDetails([fieldIssue("user_id", "required")]) });
    }
    const subject = needsUser ? (body.user_id ?? null) : null;
    const done = await first(pool, RESOLVE_CASE, {
      case_id: id,
      admin_id: admin,
      action: body.action,
      reason: body.reason,
      subject_id: subject,
    });
    if (!done) throw new ApiError("conflict", { message: "case_resolved" });
    // The effects are safe to repeat: a retry after a lost answer finishes them.
    const conv = { bookingId: found.booking_id, customerId: found.customer_id, providerUserId: found.provider_user_id };
    if (body.action === "close")
      await chatRoom(c.env, found.booking_id).moderate({ conv, adminId: admin, action: "close" });
    if (body.action === "suspend" && subject !== null) {
      await first(pool, SUSPEND_USER, { user_id: subject });
      await revokeSessions(pool, subject, "suspended");
      await chatRoom(c.env, found.booking_id).moderate({ conv, adminId: admin, action: "suspend", userId: subject });
    }
    if (body.action === "warn" && subject !== null && done.changed) {
      const warning: ChatEventMessage = {
        type: "chat.warning",
        event_id: crypto.randomUUID(),
        booking_id: found.booking_id,
        recipient_id: subject,
        at: new Date().toISOString(),
      };
      await c.env.CHAT_EVENTS.send(warning, { contentType: "json" });
    }
    const after = await first(pool, CASE_BY_ID, { case_id: id });
    return c.json(caseView(after ?? found), 200);
  });
}
