package dev.ftscheduler.schedule;

import dev.ftscheduler.claim.ClaimVerticle;
import dev.ftscheduler.config.SchedulerConfig;
import dev.ftscheduler.job.JobStore;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;

/**
 * Fires due cron schedules every second. Any number of processes may run it: a schedule being
 * fired is locked (the others skip it), and a tick's job has a unique idempotency key, so each tick
 * makes exactly one job. Missed ticks (everything was down) are not replayed one by one: the
 * schedule fires once for the tick it was waiting for, then moves to its next tick after now.
 */
public final class ScheduleVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(ScheduleVerticle.class);
  private static final long TICK_MS = 1000;
  private static final int BATCH = 100;

  private final JobStore store;
  private final SchedulerConfig config;
  private long timerId = -1;
  private boolean stopped;

  public ScheduleVerticle(JobStore store, SchedulerConfig config) {
    this.store = store;
    this.config = config;
  }

  @Override
  public Future<?> start() {
    schedule();
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(timerId);
    return Future.succeededFuture();
  }

  private void schedule() {
    if (!stopped) {
      timerId = vertx.setTimer(TICK_MS, id -> fire());
    }
  }

  private void fire() {
    store.fireDueSchedules(BATCH, config.defaultMaxAttempts(), ScheduleVerticle::nextRun).onComplete(fired -> {
      if (fired.failed()) {
        log.warn("Firing cron schedules failed; trying again in {} ms: {}", TICK_MS, fired.cause().toString());
      } else {
        fired.result().stream().distinct().forEach(queue -> vertx.eventBus().publish(ClaimVerticle.WAKE_UP_ADDRESS, queue));
      }
      schedule();
    });
  }

  /** The schedule's next tick after {@code now}; null when it never fires again. */
  static Instant nextRun(Schedule schedule, Instant now) {
    return CronExpression.parse(schedule.cron(), schedule.timezone()).nextAfter(now).orElse(null);
  }
}
