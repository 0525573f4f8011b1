package dev.ftscheduler.worker;

import dev.ftscheduler.Services;
import dev.ftscheduler.config.QueueConfig;
import dev.ftscheduler.job.Job;
import dev.ftscheduler.job.JobStore;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Deploys the workers of one queue (its concurrency; WORKER_POOL_SIZE by default) and records their
 * successful jobs in groups: one
 * transaction, one commit, for every success that arrived while the previous group was being
 * written (each job still fenced by its own lease token). At low load a group is one job and is
 * written at once; under load groups grow by themselves. The workers are this verticle's
 * children, so on shutdown they drain first and the last group is written after.
 */
public final class WorkerPoolVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(WorkerPoolVerticle.class);

  private static final int MAX_GROUP = 256;
  private static final long WRITE_TIMEOUT_MS = 20_000;

  private final Services services;
  private final JobStore store;
  private final QueueConfig queue;
  private final List<Message<Job>> waiting = new ArrayList<>();
  private boolean writing;

  public WorkerPoolVerticle(Services services, QueueConfig queue) {
    this.services = services;
    this.store = services.store();
    this.queue = queue;
  }

  @Override
  public Future<?> start() {
    return vertx.eventBus().<Job>localConsumer(successAddress(queue.name()), success -> {
          waiting.add(success);
          writeGroup();
        }).completion()
        .compose(v -> vertx.deployVerticle(() -> new WorkerVerticle(services, queue.name()),
            new DeploymentOptions().setInstances(queue.concurrency())));
  }

  /** Workers of {@code queue} send a finished job here and wait: true = recorded, false = the lease was lost. */
  static String successAddress(String queue) {
    return "ftscheduler.worker.success." + queue;
  }

  private void writeGroup() {
    if (writing || waiting.isEmpty()) {
      return;
    }
    writing = true;
    List<Message<Job>> group = new ArrayList<>(waiting.subList(0, Math.min(MAX_GROUP, waiting.size())));
    waiting.subList(0, group.size()).clear();
    store.completeAll(group.stream().map(Message::body).toList())
        // never wait for ever on the database: the workers try again, and fencing sorts out a late commit
        .timeout(WRITE_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .onComplete(written -> {
          writing = false;
          if (written.succeeded()) {
            for (int i = 0; i < group.size(); i++) {
              group.get(i).reply(written.result().get(i));
            }
          } else {
            log.debug("Could not record {} successful job(s): {}", group.size(), written.cause().toString());
            group.forEach(success -> success.fail(500, written.cause().toString()));
          }
          writeGroup();
        });
  }
}
