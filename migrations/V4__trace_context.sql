-- The W3C traceparent of the request that submitted the job (NULL when tracing is off): each
-- attempt's span links to it.
ALTER TABLE jobs ADD COLUMN trace_context VARCHAR(128) CHARACTER SET ascii NULL;
