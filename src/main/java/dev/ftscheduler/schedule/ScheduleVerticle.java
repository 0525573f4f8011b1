package dev.ftscheduler.schedule;

import dev.ftscheduler.PeriodicVerticle;
import dev.ftscheduler.claim.ClaimVerticle;
import dev.ftscheduler.config.SchedulerConfig;
import dev.ftscheduler.job.JobStore;
import io.vertx.core.Future;

import java.time.Instant;

/**
 * Fires due cron schedules every second. Any number of processes may run it: a schedule being
 * fired is locked (the others skip it), and a tick's job has a unique idempotency key, so each tick
 * makes exactly one job. Missed ticks (everything was down) are not replayed one by one: the
 * schedule fires once for the tick it was waiting for, then moves to its next tick after now.
 */
public final class ScheduleVerticle extends PeriodicVerticle {

  private static final long TICK_MS = 1000;
  private static final int BATCH = 100;

  private final JobStore store;
  private final SchedulerConfig config;

  public ScheduleVerticle(JobStore store, SchedulerConfig config) {
    super(TICK_MS);
    this.store = store;
    this.config = config;
  }

  @Override
  protected Future<?> runOnce() {
    return store.fireDueSchedules(BATCH, config.defaultMaxAttempts(), ScheduleVerticle::nextRun)
        .onSuccess(queues -> queues.stream().distinct()
            .forEach(queue -> vertx.eventBus().publish(ClaimVerticle.WAKE_UP_ADDRESS, queue)));
  }

  /** The schedule's next tick after {@code now}; null when it never fires again. */
  static Instant nextRun(Schedule schedule, Instant now) {
    return CronExpression.parse(schedule.cron(), schedule.timezone()).nextAfter(now).orElse(null);
  }
}
