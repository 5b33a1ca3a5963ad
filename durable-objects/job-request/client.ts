// The only way the rest of the code reaches a job request's object: one per request, named after it.
import type { JobRequest } from "./job-request";

export type { CancelInput, KickInput, OfferAnswerInput } from "./types";
export { type Answer, JobRequestView, OfferView } from "./views";

export function jobRequest(env: Env, requestId: number): DurableObjectStub<JobRequest> {
  const ns = env.JOB_REQUESTS;
  return ns.get(ns.idFromName(`request:${requestId}`));
}
