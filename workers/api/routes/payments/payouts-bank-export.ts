// GET /payments/payouts/bank-export.csv: bank payouts waiting for ops, as a BEFTN batch to upload to the bank's
// portal (routing number, account, name, amount in taka, our reference). Admins only; no-store; audited.
import { z } from "@hono/zod-openapi";
import { rows, run } from "../../../../platform/pg/sql";
import { caller, requireAuth } from "../../auth/require-auth";
import { type App, defineRoute } from "../../openapi";
import { AUDIT_PAYOUT, BANK_BATCH } from "../../queries/payouts";
import { security } from "../shared/booking";

const route = defineRoute({
  operationId: "exportBankPayouts",
  errors: [403],
  method: "get",
  path: "/payouts/bank-export.csv",
  tags: ["payments"],
  summary: "Admin: pending bank payouts as a BEFTN CSV",
  description: "Upload it at the bank, then confirm each payout with POST /payments/payouts/{id}/confirm.",
  security,
  middleware: [requireAuth(["admin"])] as const,
  responses: {
    200: {
      description: "CSV: reference,routing_number,account_number,account_name,amount_bdt,bank_name",
      content: { "text/csv": { schema: z.string() } },
    },
  },
});

/** A CSV field: quoted when it holds a comma, a quote or a line break; a leading = + - @ is neutralised. */
function field(v: string): string {
  const safe = /^[=+\-@]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function registerBankExport(app: App) {
  app.openapi(route, async (c) => {
    const pool = c.var.services.pool();
    const batch = await rows(pool, BANK_BATCH, {});
    const lines = [
      "reference,routing_number,account_number,account_name,amount_bdt,bank_name",
      ...batch.map((p) =>
        [
          p.invoice,
          p.branch_routing,
          p.account_number,
          p.account_name,
          (p.amount_poisha / 100).toFixed(2),
          p.bank_name ?? "",
        ]
          .map(field)
          .join(","),
      ),
    ];
    for (const p of batch) {
      await run(pool, AUDIT_PAYOUT, { admin_id: caller(c).userId, payout_id: p.id, action: "payout.bank_export" });
    }
    return c.body(`${lines.join("\r\n")}\r\n`, 200, { "content-type": "text/csv; charset=utf-8" });
  });
}
