package dev.ftscheduler;

import dev.ftscheduler.config.SchedulerConfig;
import dev.ftscheduler.handler.JobHandlers;
import dev.ftscheduler.job.JobStore;
import dev.ftscheduler.metrics.SchedulerMetrics;
import dev.ftscheduler.tracing.Tracing;

/** What the verticles of one process share: built once by {@link MainVerticle}, handed to each. */
public record Services(JobStore store, JobHandlers handlers, SchedulerConfig config, SchedulerMetrics metrics,
    Tracing tracing) {
}
