package dev.ftscheduler;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link #runOnce()} every {@code intervalMs} on a re-armed timer: the next run is armed when
 * the last one has finished, so runs never overlap; a failed run is logged and tried again next time.
 */
public abstract class PeriodicVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(PeriodicVerticle.class);

  private final long intervalMs;
  private long timerId = -1;
  private boolean stopped;

  protected PeriodicVerticle(long intervalMs) {
    this.intervalMs = intervalMs;
  }

  /** One run; its future completes when the run is over. */
  protected abstract Future<?> runOnce();

  protected boolean stopped() {
    return stopped;
  }

  @Override
  public Future<?> start() {
    arm();
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(timerId);
    return Future.succeededFuture();
  }

  private void arm() {
    if (!stopped) {
      timerId = vertx.setTimer(intervalMs, id -> runOnce().onComplete(done -> {
        if (done.failed()) {
          log.warn("{} failed; trying again in {} ms: {}", getClass().getSimpleName(), intervalMs, done.cause().toString());
        }
        arm();
      }));
    }
  }
}
