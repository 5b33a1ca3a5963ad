-- Where a wallet's return sends the customer's browser: the app's return_url, checked against RETURN_URL_ALLOWLIST
-- (lib/return-url.ts) before it is stored. The booking keeps the one given at creation; each payment attempt keeps
-- the one it started with (a confirm may name its own), and the callback redirects there. Not part of the view:
-- the provider has no business with the customer's app links, and the customer already knows them.
ALTER TABLE bookings ADD COLUMN return_url text CHECK (length(return_url) <= 2048);
ALTER TABLE payments ADD COLUMN return_url text CHECK (length(return_url) <= 2048);
