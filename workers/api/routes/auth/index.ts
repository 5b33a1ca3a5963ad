// The /auth service: phone OTP login, token rotation, sessions, JWKS.
import { createApp } from "../../openapi";
import { registerHealth } from "../system/health";
import { registerJwks } from "./jwks";
import { registerLogout } from "./logout";
import { registerLogoutAll } from "./logout-all";
import { registerMe } from "./me";
import { registerOtpRequest } from "./otp-request";
import { registerOtpVerify } from "./otp-verify";
import { registerSessionRevoke } from "./session-revoke";
import { registerSessionsList } from "./sessions-list";
import { registerTokenRefresh } from "./token-refresh";
import { registerWhoAmI } from "./whoami";

export const auth = createApp();
registerHealth(auth, "auth");
registerJwks(auth);
registerOtpRequest(auth);
registerOtpVerify(auth);
registerTokenRefresh(auth);
registerMe(auth);
registerWhoAmI(auth);
registerSessionsList(auth);
registerLogout(auth);
registerLogoutAll(auth);
registerSessionRevoke(auth);
