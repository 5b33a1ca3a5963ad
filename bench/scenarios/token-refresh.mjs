// Scenario: refresh-token rotation under load; every connection follows its own rotating token chain.
import { login, ratioCheck } from "../lib/auth.mjs";

export default {
  name: "token-refresh",
  description: "POST /auth/token/refresh: row-locked rotation in Postgres + a new EdDSA access token",
  connections: 16,
  duration_s: 10,
  target: "p95 <= 6x baseline, no errors (one Postgres transaction over a fresh connection per request)",
  async setup({ base, connections }) {
    // A pool of token chains: a request checks the newest token of one chain out, its answer checks the next one
    // back in, so no two requests ever present the same token. A request cut off at the end of a run loses its
    // chain; there are enough spares for the warm-up and the measured run.
    const pool = [];
    for (let i = 0; i < connections * 2 + 4; i++) pool.push((await login(base)).refresh_token);
    return {
      requests: [
        {
          method: "POST",
          path: "/auth/token/refresh",
          setupRequest(req, context) {
            context.refresh = pool.shift() ?? "kmr_pool-exhausted";
            return { ...req, headers: { ...req.headers, authorization: `Bearer ${context.refresh}` } };
          },
          onResponse(status, body) {
            if (status === 200) pool.push(JSON.parse(body).refresh_token);
          },
        },
      ],
      check: ratioCheck("p95", 6),
    };
  },
};
