// SSL Wireless v3 SMS gateway simulator: checks api_token, sid, msisdn and csms_id like the real one, and keeps an inbox.
import { answerInbox, listen, readBody, sendJson } from "./http.mjs";

/**
 * POST /api/v3/send-sms {api_token, sid, msisdn, sms, csms_id} -> {status, status_code, error_message, smsinfo}.
 * Test hooks (not part of the real API): GET /__sim/messages?msisdn=, DELETE /__sim/messages,
 * POST /__sim/fail {status: 500|503, count, msisdn?} to fail the next `count` sends (only to `msisdn` when given, so
 * tests running side by side do not take each other's failures).
 */
export async function startSmsSimulator({ port = 0, apiToken, sid }) {
  const inbox = [];
  const seen = new Set();
  let failures = { status: 0, count: 0, msisdn: undefined };

  const fail = (res, code, message) =>
    sendJson(res, 200, { status: "FAILED", status_code: code, error_message: message, smsinfo: [] });

  const server = await listen(
    async (req, res, url) => {
      if (url.pathname === "/__sim/messages") return answerInbox(req, res, url, inbox, "msisdn");
      if (url.pathname === "/__sim/fail" && req.method === "POST") {
        const body = JSON.parse((await readBody(req)) || "{}");
        failures = { status: Number(body.status ?? 500), count: Number(body.count ?? 1), msisdn: body.msisdn };
        return sendJson(res, 200, failures);
      }
      if (url.pathname !== "/api/v3/send-sms" || req.method !== "POST") {
        return sendJson(res, 404, { status: "FAILED", status_code: 4004, error_message: "Not found" });
      }
      let body;
      try {
        body = JSON.parse(await readBody(req));
      } catch {
        return sendJson(res, 400, { status: "FAILED", status_code: 4000, error_message: "Invalid JSON" });
      }
      if (failures.count > 0 && (failures.msisdn === undefined || failures.msisdn === body?.msisdn)) {
        failures.count -= 1;
        return sendJson(res, failures.status, {
          status: "FAILED",
          status_code: 5000,
          error_message: "Injected failure",
        });
      }
      if (body.api_token !== apiToken) return fail(res, 4001, "Invalid api_token");
      if (body.sid !== sid) return fail(res, 4003, "Invalid SID");
      if (typeof body.msisdn !== "string" || !/^8801[3-9]\d{8}$/.test(body.msisdn)) {
        return fail(res, 4022, "Invalid MSISDN");
      }
      if (typeof body.sms !== "string" || body.sms.length === 0 || body.sms.length > 1000) {
        return fail(res, 4023, "Invalid SMS body");
      }
      if (typeof body.csms_id !== "string" || body.csms_id.length === 0 || body.csms_id.length > 20) {
        return fail(res, 4024, "Invalid csms_id");
      }
      if (seen.has(body.csms_id)) return fail(res, 4025, "Duplicate csms_id");
      seen.add(body.csms_id);
      const unicode = /[^\p{ASCII}]/u.test(body.sms);
      const message = {
        msisdn: body.msisdn,
        sms: body.sms,
        csms_id: body.csms_id,
        sms_type: unicode ? "UNICODE" : "EN",
        reference_id: `sim${Date.now()}${inbox.length}`,
        received_at: new Date().toISOString(),
      };
      inbox.push(message);
      return sendJson(res, 200, {
        status: "SUCCESS",
        status_code: 1000,
        error_message: "",
        smsinfo: [{ sms_status: "SUCCESS", status_message: "Success", sms_body: body.sms, ...message }],
      });
    },
    { port },
  );
  return { ...server, inbox };
}
