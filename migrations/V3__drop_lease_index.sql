-- The lease reaper reads RUNNING jobs through ix_jobs_due's status prefix: they are few (at most
-- the workers of all processes), so a second index that every claim and completion must update
-- costs more than it saves.
DROP INDEX ix_jobs_lease ON jobs;
