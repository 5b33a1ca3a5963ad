// Schemas the /chat endpoints share.
import { z } from "@hono/zod-openapi";
import { ChatCaseAction, ChatCaseStatus, ChatReportKind } from "../../../../lib/enums";
import { pathId } from "../shared/params";

export const ChatCaseSchema = z
  .object({
    id: z.number().int(),
    booking_id: z.number().int(),
    status: ChatCaseStatus,
    resolution: ChatCaseAction.nullable(),
    opened_at: z.string().datetime(),
    resolved_at: z.string().datetime().nullable(),
    reports: z.number().int().openapi({ description: "Reports, blocks and system strikes filed into this case." }),
    kinds: z.array(ChatReportKind),
  })
  .openapi("ChatCase");

type CaseRow = {
  id: number;
  booking_id: number;
  status: z.infer<typeof ChatCaseStatus>;
  resolution: z.infer<typeof ChatCaseAction> | null;
  opened_at: Date;
  resolved_at: Date | null;
  reports: number;
  kinds: z.infer<typeof ChatReportKind>[];
};

export function caseView(r: CaseRow): z.infer<typeof ChatCaseSchema> {
  return {
    id: r.id,
    booking_id: r.booking_id,
    status: r.status,
    resolution: r.resolution,
    opened_at: r.opened_at.toISOString(),
    resolved_at: r.resolved_at?.toISOString() ?? null,
    reports: r.reports,
    kinds: r.kinds,
  };
}

export const CaseIdParam = z.object({ id: pathId });
