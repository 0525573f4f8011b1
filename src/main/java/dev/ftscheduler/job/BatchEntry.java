package dev.ftscheduler.job;

/** One job of a batch submission: its id, and whether the batch created it (false: its idempotency key was taken). */
public record BatchEntry(String id, boolean created) {
}
