-- Listing pages through jobs by (created_at, id), also while new ones arrive.
CREATE INDEX ix_jobs_created ON jobs (created_at, id);
