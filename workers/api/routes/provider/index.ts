// The /provider service: catalog, profiles, availability, KYC, reviews and reputation, and the seed's device path
// (an alias of POST /notifications/devices).

import { createApp } from "../../openapi";
import { registerDeviceRegisterAlias } from "../notifications/devices-register";
import { registerHealth } from "../system/health";
import { registerAvailabilityGet } from "./availability-get";
import { registerAvailabilityUpdate } from "./availability-update";
import { registerKycApprove } from "./kyc-approve";
import { registerKycReject } from "./kyc-reject";
import { registerKycReviewGet } from "./kyc-review-get";
import { registerKycReviewsList } from "./kyc-reviews-list";
import { registerKycSubmit } from "./kyc-submit";
import { registerKycUploads } from "./kyc-uploads";
import { registerProfileCreate } from "./profile-create";
import { registerProfileGet } from "./profile-get";
import { registerProfileMeGet } from "./profile-me-get";
import { registerProfileMeUpdate } from "./profile-me-update";
import { registerReputationMe } from "./reputation-me";
import { registerReviewModerate } from "./review-moderate";
import { registerReviewModeration } from "./review-moderation";
import { registerReviewReply } from "./review-reply";
import { registerReviewReport } from "./review-report";
import { registerProviderReviews } from "./reviews-list";
import { registerServices } from "./services";

export const provider = createApp();
registerHealth(provider, "provider");
registerServices(provider);
registerProfileCreate(provider);
// /providers/me before /providers/{id}: "me" is not an id.
registerProfileMeGet(provider);
registerProfileMeUpdate(provider);
registerReputationMe(provider);
registerProfileGet(provider);
registerProviderReviews(provider);
registerAvailabilityUpdate(provider);
registerAvailabilityGet(provider);
registerDeviceRegisterAlias(provider);
registerKycUploads(provider);
registerKycSubmit(provider);
registerKycReviewsList(provider);
registerKycReviewGet(provider);
registerKycApprove(provider);
registerKycReject(provider);
registerReviewModeration(provider);
registerReviewReply(provider);
registerReviewReport(provider);
registerReviewModerate(provider);
