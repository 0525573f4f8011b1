package dev.ftscheduler.worker;

import dev.ftscheduler.Services;
import dev.ftscheduler.claim.ClaimVerticle;
import dev.ftscheduler.config.SchedulerConfig;
import dev.ftscheduler.handler.JobHandler;
import dev.ftscheduler.handler.JobHandlers;
import dev.ftscheduler.handler.LeaseLostException;
import dev.ftscheduler.handler.PermanentFailure;
import dev.ftscheduler.handler.RetryLater;
import dev.ftscheduler.job.Job;
import dev.ftscheduler.job.JobStore;
import dev.ftscheduler.metrics.SchedulerMetrics;
import dev.ftscheduler.tracing.Tracing;
import dev.ftscheduler.tracing.Tracing.AttemptSpan;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Runs one job at a time; the number of deployed instances is the concurrency. When free, it tells
 * the claimer so. It runs the job's handler while renewing the lease every {@code LEASE_SECONDS/3},
 * stops it at its timeout, and records the outcome with a write fenced by the lease token —
 * successes in groups through {@link WorkerPoolVerticle}, failures directly — retried while the
 * database is unreachable. An attempt whose lease was lost writes nothing.
 */
public final class WorkerVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(WorkerVerticle.class);
  private static final String LEASE_LOST = "lease lost";
  private static final String CANCELLED = "cancelled through the API";
  /** Published (locally) with a job id when its cancellation is requested: the worker running it stops it at once. */
  public static final String CANCEL_ADDRESS = "ftscheduler.worker.cancel";
  private static final long MAX_WRITE_RETRY_DELAY_MS = 5000;
  /** How often a busy worker checks its job's timeout and lease. */
  private static final long TICK_MS = 100;

  private final JobStore store;
  private final JobHandlers handlers;
  private final SchedulerConfig config;
  private final SchedulerMetrics metrics;
  private final Tracing tracing;
  private final String queue;
  private final Backoff backoff;
  private String address;
  private Attempt current;
  private boolean stopping;
  private final long renewEveryNanos;
  private final long tickMs;
  private boolean ticking;
  private boolean renewing;
  /** Of the job in hand: when it times out, and when its lease is next renewed (System.nanoTime). */
  private long deadline;
  private long nextRenewal;
  private long timeoutMs;
  /** Completed when the job in hand has been recorded; stop() waits on it. */
  private Promise<Void> idle = Promise.promise();

  public WorkerVerticle(Services services, String queue) {
    this.queue = queue;
    this.store = services.store();
    this.handlers = services.handlers();
    this.config = services.config();
    this.metrics = services.metrics();
    this.tracing = services.tracing();
    this.backoff = new Backoff(config.backoffBaseMs(), config.backoffMaxMs(), config.backoffJitter());
    long renewEveryMs = Math.max(1, config.leaseSeconds() * 1000L / 3);
    this.renewEveryNanos = TimeUnit.MILLISECONDS.toNanos(renewEveryMs);
    this.tickMs = Math.min(TICK_MS, renewEveryMs);
    idle.complete();
  }

  @Override
  public Future<?> start() {
    address = "ftscheduler.worker." + UUID.randomUUID();
    var cancels = vertx.eventBus().<String>localConsumer(CANCEL_ADDRESS, message -> {
      if (current != null && current.jobId().equals(message.body())) {
        current.cancel(CANCELLED);
      }
    });
    return Future.all(vertx.eventBus().<Job>localConsumer(address, this::onJob).completion(), cancels.completion())
        .onSuccess(v -> askForWork());
  }

  /** Lets the job in hand finish within SHUTDOWN_TIMEOUT_MS; after that it keeps its lease and is re-claimed when it expires. */
  @Override
  public Future<?> stop() {
    stopping = true;
    if (current == null) {
      return Future.succeededFuture();
    }
    Job job = current.job();
    log.info("Stopping: waiting up to {} ms for job {} to finish", config.shutdownTimeoutMs(), job.id());
    return idle.future()
        .timeout(config.shutdownTimeoutMs(), TimeUnit.MILLISECONDS)
        .onSuccess(v -> log.info("Job {} finished before shutdown", job.id()))
        .recover(timedOut -> {
          log.warn("Job {} still running at shutdown; it keeps its lease and runs again after the lease expires", job.id());
          return Future.succeededFuture();
        });
  }

  private void askForWork() {
    if (!stopping) {
      vertx.eventBus().send(ClaimVerticle.idleAddress(queue), address);
    }
  }

  private void onJob(Message<Job> message) {
    if (current != null || stopping) {
      message.fail(503, current != null ? "busy" : "stopping");
      return;
    }
    message.reply(null);
    run(message.body());
  }

  private void run(Job job) {
    Attempt attempt = new Attempt(job, vertx, store);
    current = attempt;
    idle = Promise.promise();
    metrics.queued(job.type(), Duration.between(job.runAt(), Instant.now()));
    AttemptSpan span = tracing.startAttempt((ContextInternal) context, job.id(), job.type(), job.attempts(),
        job.traceContext());
    long started = System.nanoTime();
    Future<Void> outcome;
    if (job.finishedBefore()) {
      log.info("Job {}: its guard rows show an earlier attempt finished it; marking it SUCCESS without running it", job.id());
      outcome = Future.succeededFuture();
    } else {
      outcome = execute(attempt);
    }
    outcome.onComplete(result -> {
      long tookMs = (System.nanoTime() - started) / 1_000_000;
      record(attempt, result.succeeded() ? null : result.cause(), tookMs).onComplete(recorded -> {
        span.end(result.succeeded() ? "success" : "failure", result.cause());
        current = null;
        idle.complete();
        askForWork();
      });
    });
  }

  /** The handler's result, or a failure when the attempt is cancelled first (timeout, lost lease). */
  private Future<Void> execute(Attempt attempt) {
    Job job = attempt.job();
    JobHandler handler = handlers.forType(job.type()).orElse(null);
    if (handler == null) {
      return Future.failedFuture("no handler registered for job type '" + job.type() + "' in worker " + config.workerId());
    }
    if (config.failRate() > 0 && ThreadLocalRandom.current().nextDouble() < config.failRate()) {
      return Future.failedFuture("injected failure (FAIL_RATE=" + config.failRate() + ")");
    }
    timeoutMs = job.timeoutMs() != null
        ? job.timeoutMs()
        : handler.defaultTimeout().map(Duration::toMillis).orElse(config.jobTimeoutMs());
    long now = System.nanoTime();
    deadline = now + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    nextRenewal = now + renewEveryNanos;
    startTicking();
    Promise<Void> result = Promise.promise();
    attempt.cancelled().onComplete(c -> result.tryFail(attempt.cancelReason()));
    try {
      Future<Void> handled = handler.handle(attempt);
      if (handled == null) {
        result.tryFail("handler for '" + job.type() + "' returned no future");
      } else {
        handled.onComplete(result);
      }
    } catch (Throwable t) {
      result.tryFail(t);
    }
    return result.future();
  }

  /**
   * One re-armed timer per worker, not per job: while a job is in hand it checks, every
   * {@link #TICK_MS}, the attempt's timeout and whether its lease is due for renewal. It stops at the
   * first tick without a job, so an idle worker costs nothing, and a busy one never arms a timer per job.
   */
  private void startTicking() {
    if (!ticking) {
      ticking = true;
      vertx.setTimer(tickMs, this::tick);
    }
  }

  private void tick(long timerId) {
    Attempt attempt = current;
    if (attempt == null) {
      ticking = false;
      return;
    }
    long now = System.nanoTime();
    if (!attempt.isCancelled() && now - deadline >= 0) {
      attempt.cancel("timed out after " + timeoutMs + " ms");
    } else if (!attempt.isCancelled() && !renewing && now - nextRenewal >= 0) {
      renew(attempt);
    }
    vertx.setTimer(tickMs, this::tick);
  }

  /** Extends the lease; cancels the attempt when it was lost; tries again soon when the database did not answer. */
  private void renew(Attempt attempt) {
    renewing = true;
    store.renew(attempt.job(), config.leaseSeconds()).onComplete(renewed -> {
      renewing = false;
      if (current != attempt) {
        return;
      }
      if (renewed.failed()) {
        log.warn("Could not renew the lease of job {}: {}", attempt.jobId(), renewed.cause().toString());
        nextRenewal = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(tickMs * 10);
        return;
      }
      switch (renewed.result()) {
        case RENEWED -> nextRenewal = System.nanoTime() + renewEveryNanos;
        case CANCEL_REQUESTED -> attempt.cancel(CANCELLED);
        case LOST -> {
          log.warn("Job {} lost its lease (another worker re-claimed it); this attempt stops and writes nothing",
              attempt.jobId());
          attempt.cancel(LEASE_LOST);
        }
      }
    });
  }

  /** Success, a retry after backoff, or DEAD; nothing when the lease was lost. */
  private Future<Void> record(Attempt attempt, Throwable failure, long tookMs) {
    Job job = attempt.job();
    if (failure instanceof LeaseLostException || LEASE_LOST.equals(attempt.cancelReason())) {
      metrics.leaseLost(job.type());
      log.warn("Job {} attempt {} on {} ended after its lease was lost; nothing recorded", job.id(), job.attempts(),
          config.workerId());
      return Future.succeededFuture();
    }
    String error = failure == null ? null : describe(failure);
    Supplier<Future<Boolean>> write;
    String outcome;
    if (CANCELLED.equals(attempt.cancelReason())) {
      write = () -> store.cancelled(job);
      outcome = "CANCELLED";
    } else if (failure == null) {
      write = () -> vertx.eventBus().<Boolean>request(WorkerPoolVerticle.successAddress(queue), job).map(reply -> reply.body());
      outcome = "SUCCESS";
    } else if (failure instanceof PermanentFailure || job.attempts() >= job.maxAttempts()) {
      write = () -> store.bury(job, error);
      outcome = failure instanceof PermanentFailure ? "DEAD (permanent failure)" : "DEAD";
    } else {
      long delay = failure instanceof RetryLater later
          ? later.after().toMillis()
          : backoff.delayMs(job.attempts(), ThreadLocalRandom.current()::nextDouble);
      write = () -> store.retry(job, delay, error);
      outcome = "retry in " + delay + " ms";
    }
    boolean dead = failure instanceof PermanentFailure || job.attempts() >= job.maxAttempts();
    boolean cancelled = CANCELLED.equals(attempt.cancelReason());
    return persist(job, write, 0).map(owned -> {
      if (!owned) {
        metrics.leaseLost(job.type());
        log.warn("Job {} attempt {} on {}: lease lost before the outcome ({}) was recorded; nothing written",
            job.id(), job.attempts(), config.workerId(), outcome);
      } else if (cancelled) {
        log.info("Job {} ({}) attempt {}/{} on {}: CANCELLED after {} ms", job.id(), job.type(), job.attempts(),
            job.maxAttempts(), config.workerId(), tookMs);
      } else if (failure == null) {
        metrics.succeeded(job.type(), Duration.ofMillis(tookMs));
        log.info("Job {} ({}) attempt {}/{} on {}: SUCCESS in {} ms", job.id(), job.type(), job.attempts(),
            job.maxAttempts(), config.workerId(), tookMs);
      } else {
        metrics.failed(job.type(), Duration.ofMillis(tookMs), dead);
        log.warn("Job {} ({}) attempt {}/{} on {} failed in {} ms: {}; {}", job.id(), job.type(), job.attempts(),
            job.maxAttempts(), config.workerId(), tookMs, error, outcome);
      }
      return null;
    });
  }

  /**
   * Writes an outcome, trying again with backoff while the database is unreachable: the write is
   * fenced, so a late one is rejected if another worker took the job meanwhile.
   */
  private Future<Boolean> persist(Job job, Supplier<Future<Boolean>> write, int failures) {
    return write.get().recover(error -> {
      long delay = Math.min(MAX_WRITE_RETRY_DELAY_MS, 100L << Math.min(failures, 10));
      log.warn("Job {}: could not record the outcome of attempt {} ({}); trying again in {} ms", job.id(),
          job.attempts(), error.toString(), delay);
      return vertx.timer(delay).compose(v -> persist(job, write, failures + 1));
    });
  }

  private static String describe(Throwable error) {
    String message = error.getMessage();
    return message == null || message.isBlank() ? error.getClass().getName() : message;
  }
}
