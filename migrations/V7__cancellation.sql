-- Cancelling a RUNNING job asks its worker to stop: the worker sees the request when it renews the
-- lease (or at once, in the process that took the request), and ends the job CANCELLED.
ALTER TABLE jobs ADD COLUMN cancel_requested BOOLEAN NOT NULL DEFAULT FALSE;
