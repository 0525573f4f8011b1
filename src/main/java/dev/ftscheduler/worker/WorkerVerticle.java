package dev.ftscheduler.worker;

import dev.ftscheduler.claim.ClaimVerticle;
import dev.ftscheduler.config.SchedulerConfig;
import dev.ftscheduler.handler.JobContext;
import dev.ftscheduler.handler.JobHandler;
import dev.ftscheduler.handler.JobHandlers;
import dev.ftscheduler.job.Job;
import dev.ftscheduler.job.JobStore;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Runs one job at a time; the number of deployed instances is the concurrency. When free, it tells
 * the claimer so; it then runs the job's handler while renewing the lease every
 * {@code LEASE_SECONDS/3}, and records the outcome with a write fenced by the lease token.
 */
public final class WorkerVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(WorkerVerticle.class);

  private final JobStore store;
  private final JobHandlers handlers;
  private final SchedulerConfig config;
  private final Backoff backoff;
  private String address;
  private Job current;
  private boolean leaseLost;
  private long renewTimer = -1;
  private boolean stopping;
  /** Completed when the job in hand has been recorded; stop() waits on it. */
  private Promise<Void> idle = Promise.promise();

  public WorkerVerticle(JobStore store, JobHandlers handlers, SchedulerConfig config) {
    this.store = store;
    this.handlers = handlers;
    this.config = config;
    this.backoff = new Backoff(config.backoffBaseMs(), config.backoffMaxMs(), config.backoffJitter());
    idle.complete();
  }

  @Override
  public Future<?> start() {
    address = "ftscheduler.worker." + UUID.randomUUID();
    return vertx.eventBus().<Job>localConsumer(address, this::onJob).completion()
        .onSuccess(v -> askForWork());
  }

  /** Lets the job in hand finish within SHUTDOWN_TIMEOUT_MS; after that it keeps its lease and is re-claimed when it expires. */
  @Override
  public Future<?> stop() {
    stopping = true;
    if (current == null) {
      return Future.succeededFuture();
    }
    Job job = current;
    log.info("Waiting up to {} ms for job {} to finish", config.shutdownTimeoutMs(), job.id());
    return idle.future()
        .timeout(config.shutdownTimeoutMs(), TimeUnit.MILLISECONDS)
        .recover(timedOut -> {
          log.warn("Job {} still running at shutdown; it keeps its lease and runs again after the lease expires", job.id());
          return Future.succeededFuture();
        });
  }

  private void askForWork() {
    if (!stopping) {
      vertx.eventBus().send(ClaimVerticle.IDLE_ADDRESS, address);
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
    current = job;
    leaseLost = false;
    idle = Promise.promise();
    scheduleRenewal(job);
    long started = System.nanoTime();
    attempt(job).onComplete(outcome -> {
      vertx.cancelTimer(renewTimer);
      long tookMs = (System.nanoTime() - started) / 1_000_000;
      record(job, outcome.succeeded() ? null : describe(outcome.cause()), tookMs)
          .onComplete(recorded -> {
            current = null;
            idle.complete();
            askForWork();
          });
    });
  }

  private Future<Void> attempt(Job job) {
    JobHandler handler = handlers.forType(job.type()).orElse(null);
    if (handler == null) {
      return Future.failedFuture("no handler registered for job type '" + job.type() + "' in worker " + config.workerId());
    }
    if (config.failRate() > 0 && ThreadLocalRandom.current().nextDouble() < config.failRate()) {
      return Future.failedFuture("injected failure (FAIL_RATE=" + config.failRate() + ")");
    }
    try {
      Future<Void> result = handler.handle(new Attempt(job, vertx));
      return result == null ? Future.failedFuture("handler for '" + job.type() + "' returned no future") : result;
    } catch (Throwable t) {
      return Future.failedFuture(t);
    }
  }

  /** Success, a retry after backoff, or DEAD after the last attempt; nothing when the lease was lost. */
  private Future<Void> record(Job job, String error, long tookMs) {
    if (leaseLost) {
      log.warn("Job {} attempt {} ended after its lease was lost; another worker owns it, nothing recorded", job.id(), job.attempts());
      return Future.succeededFuture();
    }
    Future<Boolean> write;
    String outcome;
    if (error == null) {
      write = store.complete(job);
      outcome = "SUCCESS";
    } else if (job.attempts() >= job.maxAttempts()) {
      write = store.bury(job, error);
      outcome = "DEAD";
    } else {
      long delay = backoff.delayMs(job.attempts(), ThreadLocalRandom.current()::nextDouble);
      write = store.retry(job, delay, error);
      outcome = "retry in " + delay + " ms";
    }
    return write
        .onSuccess(owned -> {
          if (!owned) {
            log.warn("Job {} attempt {}: lease lost before the outcome was recorded; nothing written", job.id(), job.attempts());
          } else if (error == null) {
            log.info("Job {} ({}) attempt {}/{} on {}: {} in {} ms", job.id(), job.type(), job.attempts(),
                job.maxAttempts(), config.workerId(), outcome, tookMs);
          } else {
            log.warn("Job {} ({}) attempt {}/{} on {} failed in {} ms: {}; {}", job.id(), job.type(), job.attempts(),
                job.maxAttempts(), config.workerId(), tookMs, error, outcome);
          }
        })
        .onFailure(e -> log.error("Job {} attempt {}: could not record {} ({}); its lease expires and it runs again",
            job.id(), job.attempts(), outcome, e.toString()))
        .<Void>mapEmpty()
        .recover(e -> Future.succeededFuture());
  }

  private void scheduleRenewal(Job job) {
    long everyMs = Math.max(1, config.leaseSeconds() * 1000L / 3);
    renewTimer = vertx.setTimer(everyMs, id -> store.renew(job, config.leaseSeconds()).onComplete(renewed -> {
      if (current != job) {
        return;
      }
      if (renewed.succeeded() && !renewed.result()) {
        leaseLost = true;
        log.warn("Job {} lost its lease (another worker re-claimed it); this attempt will write nothing", job.id());
        return;
      }
      if (renewed.failed()) {
        log.warn("Could not renew the lease of job {}: {}", job.id(), renewed.cause().toString());
      }
      scheduleRenewal(job);
    }));
  }

  private static String describe(Throwable error) {
    String message = error.getMessage();
    return message == null || message.isBlank() ? error.getClass().getName() : message;
  }

  private record Attempt(Job job, Vertx vertx) implements JobContext {

    @Override
    public String jobId() {
      return job.id();
    }

    @Override
    public String type() {
      return job.type();
    }

    @Override
    public JsonObject payload() {
      return job.payload();
    }

    @Override
    public int attempt() {
      return job.attempts();
    }

    @Override
    public int maxAttempts() {
      return job.maxAttempts();
    }
  }
}
