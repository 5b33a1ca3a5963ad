-- KYC documents sealed at submit: the gateway copies each upload server-side to a key no upload URL was issued
-- for and records it here ({nid_front: {key, etag, size, content_type}, ...}); admins' links point only at these.
-- NULL for submissions made before sealing existed: the review page refuses those (ask the provider to resubmit).
ALTER TABLE kyc_submissions ADD COLUMN sealed jsonb;
