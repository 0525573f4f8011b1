package dev.ftscheduler.claim;

import dev.ftscheduler.Services;
import dev.ftscheduler.config.QueueConfig;
import dev.ftscheduler.config.SchedulerConfig;
import dev.ftscheduler.job.Job;
import dev.ftscheduler.job.JobStore;
import dev.ftscheduler.metrics.SchedulerMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Claims the due jobs of one queue and hands each to an idle worker of that queue. Workers pull: an
 * idle worker sends its address to {@link #idleAddress}; a claim asks for at most as many jobs as
 * workers are waiting (and at most {@code JOB_QUEUE_SIZE}), so no job is leased that cannot start
 * at once.
 *
 * <p>Claims run on a re-armed timer every {@code POLL_INTERVAL_MS}; at once again when a batch came
 * back full; and at once when a job is submitted in this process ({@link #WAKE_UP_ADDRESS}). Each
 * timer poll first makes jobs with expired leases claimable again.
 */
public final class ClaimVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(ClaimVerticle.class);

  /** Published (locally) with the queue's name after a job is inserted, so an idle process starts it within milliseconds. */
  public static final String WAKE_UP_ADDRESS = "ftscheduler.claim.wake-up";

  private final JobStore store;
  private final SchedulerConfig config;
  private final SchedulerMetrics metrics;
  private final QueueConfig queue;
  private final Deque<String> idleWorkers = new ArrayDeque<>();
  private boolean claiming;
  /** The claim in progress, with its hand-offs: stop() waits for it, so no leased job is left behind. */
  private Future<Void> inFlight = Future.succeededFuture();
  /** A wake-up or a full batch: more jobs are probably due, so claim as soon as a worker is free. */
  private boolean moreDue = true;
  private boolean stopped;
  private long timerId = -1;

  public ClaimVerticle(Services services, QueueConfig queue) {
    this.store = services.store();
    this.config = services.config();
    this.metrics = services.metrics();
    this.queue = queue;
  }

  /** Where the workers of {@code queue} send their own event-bus address when they are free. */
  public static String idleAddress(String queue) {
    return "ftscheduler.claim.idle." + queue;
  }

  @Override
  public Future<?> start() {
    var idle = vertx.eventBus().<String>localConsumer(idleAddress(queue.name()), this::onWorkerIdle);
    var wakeUp = vertx.eventBus().<String>localConsumer(WAKE_UP_ADDRESS, message -> {
      if (queue.name().equals(message.body())) {
        moreDue = true;
        claimSoon();
      }
    });
    return Future.all(idle.completion(), wakeUp.completion())
        .onSuccess(v -> poll(true));
  }

  /** Claims no more; jobs of a claim still in flight are released if no worker takes them. */
  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(timerId);
    return inFlight.recover(e -> Future.succeededFuture()).onComplete(v -> log.info("Stopped claiming jobs"));
  }

  private void onWorkerIdle(Message<String> message) {
    idleWorkers.add(message.body());
    claimSoon();
  }

  private void claimSoon() {
    if (moreDue && !idleWorkers.isEmpty()) {
      poll(false);
    }
  }

  private void poll(boolean reap) {
    if (stopped || claiming) {
      return; // a running claim looks at moreDue when it ends
    }
    claiming = true;
    vertx.cancelTimer(timerId);
    Future<Integer> reaped = reap ? store.reapExpiredLeases() : Future.succeededFuture(0);
    inFlight = reaped
        .onSuccess(count -> {
          if (count > 0) {
            log.warn("{} job(s) whose worker stopped renewing its lease are claimable again", count);
          }
        })
        .compose(count -> claim())
        .andThen(result -> {
          claiming = false;
          if (result.failed()) {
            moreDue = false;
            log.warn("Claim failed, retrying in {} ms: {}", config.pollIntervalMs(), result.cause().toString());
          }
          if (moreDue && !idleWorkers.isEmpty()) {
            poll(false);
          } else if (!stopped) {
            timerId = vertx.setTimer(config.pollIntervalMs(), id -> poll(true));
          }
        });
  }

  private Future<Void> claim() {
    int limit = Math.min(idleWorkers.size(), config.jobQueueSize());
    // the reaper runs in every claimer; the claim takes this claimer's queue only
    if (limit == 0) {
      return Future.succeededFuture();
    }
    moreDue = false; // a wake-up while this claim runs sets it again: that job may have missed this claim
    return store.claim(queue.name(), config.workerId(), limit, config.leaseSeconds()).compose(jobs -> {
      moreDue |= jobs.size() == limit;
      if (!jobs.isEmpty()) {
        metrics.claimed(jobs.size());
      }
      return Future.join(jobs.stream().map(this::dispatch).toList()).mapEmpty();
    });
  }

  /** Hands a job to an idle worker; releases it (uncounted) when no worker takes it, e.g. while stopping. */
  private Future<Void> dispatch(Job job) {
    String worker = idleWorkers.poll();
    Future<Object> taken = stopped
        ? Future.failedFuture("stopping")
        : vertx.eventBus().request(worker, job).mapEmpty();
    return taken.<Void>mapEmpty().recover(error -> {
      log.info("Job {} was not taken by a worker ({}); releasing it", job.id(), error.getMessage());
      return store.release(job)
          .onFailure(e -> log.warn("Could not release job {}; it is claimable again when its lease expires: {}",
              job.id(), e.toString()))
          .<Void>mapEmpty()
          .recover(e -> Future.succeededFuture());
    });
  }
}
