// The /provider service: catalog, profiles, availability, devices and KYC.
import { createApp } from "../../openapi";
import { registerHealth } from "../system/health";
import { registerAvailability } from "./availability";
import { registerDevices } from "./devices";
import { registerKyc } from "./kyc";
import { registerProfile } from "./profile";
import { registerServices } from "./services";

export const provider = createApp();
registerHealth(provider, "provider");
registerServices(provider);
registerProfile(provider);
registerAvailability(provider);
registerDevices(provider);
registerKyc(provider);
