// Examples of the main responses, shown on /docs and by generators' sample code. `redocly lint` (in `npm run lint`)
// checks each against its schema, so an example that drifts from the schema fails CI.
export const BOOKING_EXAMPLE = {
  id: 1042,
  status: "PENDING",
  customer_id: 7,
  provider_id: 42,
  service_type: "cook",
  start_date: "2027-01-10T04:00:00.000Z",
  end_date: "2027-01-10T06:00:00.000Z",
  price_poisha: 80_000,
  unit_price_poisha: 40_000,
  unit: "hour",
  payment_method: "cash",
  address: "House 12, Road 5, Gulshan 1, Dhaka 1212",
  location: { lat: 23.7925, lng: 90.4152 },
  notes: "Gate code 4411. Please bring an apron.",
  accept_deadline: "2027-01-08T10:10:00.000Z",
  confirm_deadline: null,
  canceled_by: null,
  cancel_reason: null,
  fee_poisha: 0,
  created_at: "2027-01-08T10:00:00.000Z",
  updated_at: "2027-01-08T10:00:00.000Z",
  payment: null,
} as const;

export const CONFIRMED_CARD_BOOKING_EXAMPLE = {
  ...BOOKING_EXAMPLE,
  status: "CONFIRMED",
  payment_method: "card",
  accept_deadline: null,
  confirm_deadline: "2027-01-09T10:05:00.000Z",
  updated_at: "2027-01-08T10:20:00.000Z",
  payment: { status: "authorized", gateway: "stripe", amount_poisha: 80_000, captured_poisha: 0, refunded_poisha: 0 },
} as const;

export const SEARCH_EXAMPLE = {
  items: [
    {
      provider_id: 42,
      name: "Rahima Akter",
      service_type: "cook",
      price_poisha: 40_000,
      unit: "hour",
      rating: 4.8,
      rating_count: 37,
      trust_score: 91.42,
      distance_m: 1210,
      verified: true,
    },
  ],
  next_cursor: "eyJ2IjoxLCJhIjpbMTIxMCwwLDQyXX0.x9c1s2GQ4u8Zr0b6bq1n1w",
} as const;

export const SESSION_EXAMPLE = {
  access_token: "eyJhbGciOiJFZERTQSIsImtpZCI6ImsxIn0.eyJzdWIiOiI3In0.c2lnbmF0dXJl",
  refresh_token: "kmr_4Kq9Xw2b7Tn1Lr8Zp3Vd6Ys0Hm5Jc",
  token_type: "Bearer",
  expires_in: 900,
  user: { id: 7, phone: "+8801712345678", role: "customer", name: null, lang: "bn" },
  session_id: "0b7c4f8e-2d1a-4e6b-9c3f-5a8d7e6f1b2c",
} as const;
