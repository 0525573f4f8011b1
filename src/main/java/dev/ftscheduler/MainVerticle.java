package dev.ftscheduler;

import dev.ftscheduler.claim.ClaimVerticle;
import dev.ftscheduler.claim.LocalCodec;
import dev.ftscheduler.config.Dsn;
import dev.ftscheduler.config.QueueConfig;
import dev.ftscheduler.config.SchedulerConfig;
import dev.ftscheduler.db.Database;
import dev.ftscheduler.db.EmbeddedDatabase;
import dev.ftscheduler.db.Migrations;
import dev.ftscheduler.handler.JobHandlers;
import dev.ftscheduler.http.HttpVerticle;
import dev.ftscheduler.job.Job;
import dev.ftscheduler.job.JobStore;
import dev.ftscheduler.metrics.SchedulerMetrics;
import dev.ftscheduler.retention.RetentionVerticle;
import dev.ftscheduler.schedule.ScheduleVerticle;
import dev.ftscheduler.tracing.Tracing;
import dev.ftscheduler.worker.WorkerPoolVerticle;
import io.vertx.core.Future;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * Loads the configuration, starts the embedded database when no DB_DSN is given, applies the
 * migrations, builds the one pool, and deploys the verticles of this process's ROLE. Vert.x stops
 * children before their parent, so the pool and the embedded database outlive the workers'
 * final writes.
 */
public final class MainVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(MainVerticle.class);

  private final Map<String, String> env;
  private final SchedulerMetrics metrics;
  private final Tracing tracing;
  private SchedulerConfig config;
  private EmbeddedDatabase embedded;
  private Pool pool;

  /** With the process's environment, metrics of its own (Vert.x's are not in them), and no tracing. */
  public MainVerticle() {
    this(System.getenv(), SchedulerMetrics.newRegistry(), Tracing.OFF);
  }

  /**
   * @param env the environment: explicit, so tests do not depend on the machine's
   * @param registry where the metrics go: the one Vert.x was built with (see {@link SchedulerMetrics#vertxBuilder})
   * @param tracing the OpenTelemetry Vert.x was built with (see {@link Tracing#configure}), or {@link Tracing#OFF}
   */
  public MainVerticle(Map<String, String> env, PrometheusMeterRegistry registry, Tracing tracing) {
    this.env = env;
    this.metrics = new SchedulerMetrics(registry);
    this.tracing = tracing;
  }

  @Override
  public Future<?> start() {
    return SchedulerConfig.load(vertx, config(), env)
        .compose(loaded -> {
          config = loaded;
          return vertx.executeBlocking(this::prepareDatabase);
        })
        .compose(dsn -> {
          pool = Database.pool(vertx, dsn, config.dbPoolSize());
          return deployRole(new Services(new JobStore(pool), JobHandlers.load(), config, metrics, tracing));
        })
        .onSuccess(v -> log.info("ft-scheduler started: role {}, worker id {}", config.role().name().toLowerCase(),
            config.workerId()));
  }

  /** Blocking: start the embedded server if needed, then migrate before anything is deployed. */
  private Dsn prepareDatabase() throws Exception {
    Dsn dsn;
    if (config.dsn().isPresent()) {
      dsn = config.dsn().get();
    } else {
      log.info("No DB_DSN set: using an embedded MariaDB with its data in {}."
          + " Set DB_DSN=mysql://user:pass@host:3306/scheduler to use a real MySQL.", config.dataDir().toAbsolutePath().normalize());
      embedded = EmbeddedDatabase.start(config.dataDir(), config.embeddedDbPort());
      dsn = embedded.dsn();
    }
    Migrations.apply(dsn);
    return dsn;
  }

  private Future<?> deployRole(Services services) {
    try {
      vertx.eventBus().registerDefaultCodec(Job.class, new LocalCodec<>(Job.class));
    } catch (IllegalStateException alreadyRegistered) {
      // another scheduler in this Vert.x instance (tests) registered it first
    }
    Future<?> workers = Future.succeededFuture();
    if (config.role().runsWorkers()) {
      for (QueueConfig queue : config.queues()) {
        // per queue, the claimer first: idle workers report to it as soon as they start
        workers = workers.compose(v -> vertx.deployVerticle(new ClaimVerticle(services, queue)))
            .compose(id -> vertx.deployVerticle(new WorkerPoolVerticle(services, queue)));
      }
      workers = workers.compose(id -> vertx.deployVerticle(new RetentionVerticle(services.store(), config)))
          .compose(id -> vertx.deployVerticle(new ScheduleVerticle(services.store(), config)));
    }
    // every role serves its health checks on PORT; only api and all serve the REST API there
    return workers.compose(v -> vertx.deployVerticle(new HttpVerticle(services)));
  }

  @Override
  public Future<?> stop() {
    Future<Void> closed = pool == null ? Future.succeededFuture() : pool.close();
    return closed.eventually(() -> embedded == null ? Future.succeededFuture() : vertx.executeBlocking(() -> {
      embedded.stop();
      return null;
    }));
  }
}
