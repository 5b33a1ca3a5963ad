// Names for the shapes callers handle most, taken from the generated `paths` by path and method, which stay stable.
import type { paths } from "./schema";

type Json<T> = T extends { content: { "application/json": infer B } } ? B : never;

export type Lang = "bn" | "en";
export type LoginBody = Json<paths["/auth/otp/verify"]["post"]["requestBody"]>;
export type Session = Json<paths["/auth/otp/verify"]["post"]["responses"][200]>;
export type TokenPair = Json<paths["/auth/token/refresh"]["post"]["responses"][200]>;
export type User = Session["user"];
export type DevicePlatform = LoginBody["platform"];
/** The public half of a device key, as /auth/otp/verify takes it (`device_key`). */
export type DevicePublicJwk = NonNullable<LoginBody["device_key"]>;
export type Booking = Json<paths["/booking/bookings/{id}"]["get"]["responses"][200]>;
export type BookingStatus = Booking["status"];
export type SearchResult = Json<paths["/search/providers"]["get"]["responses"][200]>;
