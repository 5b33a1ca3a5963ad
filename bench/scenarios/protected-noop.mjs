// Scenario: a route behind requireAuth that does nothing else, to price edge JWT verification against /health.
import { login, ratioCheck } from "../lib/auth.mjs";

export default {
  name: "protected-noop",
  description: "GET /auth/whoami: EdDSA access-token verification at the edge, no database, no Redis",
  connections: 32,
  duration_s: 10,
  target: "p50 <= 1.15x baseline, no errors",
  async setup({ base }) {
    const session = await login(base);
    return {
      method: "GET",
      path: "/auth/whoami",
      headers: { authorization: `Bearer ${session.access_token}` },
      check: ratioCheck("p50", 1.15),
    };
  },
};
