package dev.ftscheduler.job;

/** The outcome of a submission: the job, and whether this request created it or replayed an earlier one. */
public record Submitted(Job job, boolean created) {
}
