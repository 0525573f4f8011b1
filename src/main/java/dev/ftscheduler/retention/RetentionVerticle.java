package dev.ftscheduler.retention;

import dev.ftscheduler.PeriodicVerticle;
import dev.ftscheduler.config.SchedulerConfig;
import dev.ftscheduler.job.JobStatus;
import dev.ftscheduler.job.JobStore;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;

/**
 * Deletes finished jobs past their retention — SUCCESS and CANCELLED after RETENTION_SUCCESS, DEAD
 * after RETENTION_DEAD — in batches, every RETENTION_INTERVAL_MS, in one process at a time: the one
 * holding the database lease "retention".
 */
public final class RetentionVerticle extends PeriodicVerticle {

  private static final Logger log = LoggerFactory.getLogger(RetentionVerticle.class);
  private static final String LEASE = "retention";
  private static final int BATCH = 500;

  private final JobStore store;
  private final SchedulerConfig config;

  public RetentionVerticle(JobStore store, SchedulerConfig config) {
    super(config.retentionIntervalMs());
    this.store = store;
    this.config = config;
  }

  /** One pass: take the lease (twice the interval, so a dead holder's runs out), then delete batch by batch. */
  @Override
  protected Future<?> runOnce() {
    Duration lease = Duration.ofMillis(config.retentionIntervalMs() * 2);
    return store.holdLease(LEASE, config.workerId(), lease)
        .compose(held -> !held ? Future.succeededFuture(0)
            : purge(List.of(JobStatus.SUCCESS, JobStatus.CANCELLED), config.retentionSuccess(), 0)
                .compose(done -> purge(List.of(JobStatus.DEAD), config.retentionDead(), done)))
        .onSuccess(deleted -> {
          if (deleted > 0) {
            log.info("Retention: deleted {} finished job(s)", deleted);
          }
        });
  }

  private Future<Integer> purge(List<JobStatus> statuses, Duration age, int deleted) {
    if (age.isZero() || stopped()) {
      return Future.succeededFuture(deleted);
    }
    return store.deleteFinishedBefore(statuses, age, BATCH).compose(count -> count < BATCH
        ? Future.succeededFuture(deleted + count)
        : purge(statuses, age, deleted + count));
  }
}
