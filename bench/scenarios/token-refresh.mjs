// Scenario: refresh-token rotation under load; every connection follows its own rotating token chain.
import { login, ratioCheck } from "../lib/auth.mjs";

export default {
  name: "token-refresh",
  description: "POST /auth/token/refresh: row-locked rotation in Postgres + a new EdDSA access token",
  connections: 16,
  duration_s: 10,
  target: "p95 <= 6x baseline, no errors (one Postgres transaction over a fresh connection per request)",
  async setup({ base, connections }) {
    const chains = [];
    for (let i = 0; i < (connections ?? 16); i++) chains.push((await login(base)).refresh_token);
    let next = 0;
    return {
      requests: [
        {
          method: "POST",
          path: "/auth/token/refresh",
          setupRequest(req, context) {
            context.refresh ??= chains[next++ % chains.length];
            return { ...req, headers: { ...req.headers, authorization: `Bearer ${context.refresh}` } };
          },
          onResponse(status, body, context) {
            if (status === 200) context.refresh = JSON.parse(body).refresh_token;
          },
        },
      ],
      check: ratioCheck("p95", 6),
    };
  },
};
