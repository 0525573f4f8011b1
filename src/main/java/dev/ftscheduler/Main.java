package dev.ftscheduler;

import dev.ftscheduler.metrics.SchedulerMetrics;
import dev.ftscheduler.tracing.Tracing;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Deployable;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.launcher.application.HookContext;
import io.vertx.launcher.application.VertxApplication;
import io.vertx.launcher.application.VertxApplicationHooks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The jar's entry point: Vert.x's application launcher (so {@code -conf} and the launcher's other
 * options work), plus a graceful stop on SIGTERM or SIGINT that exits 0. The JVM's default ends a
 * signalled process with 143 or 130 even after a clean drain; here the signal closes Vert.x —
 * undeploying the verticles, which drain — and the process then exits with 0 (1 if closing
 * failed). A second signal while draining stops at once.
 */
public final class Main implements VertxApplicationHooks {

  private static final String LOG_FORMAT = "LOG_FORMAT";
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final PrometheusMeterRegistry registry = SchedulerMetrics.newRegistry();
  private final Tracing tracing = Tracing.fromEnvironment(System.getenv());

  public static void main(String[] args) {
    // before the first logger: logback picks its appender from LOG_FORMAT, and an unknown one would
    // leave the process silent
    String format = System.getenv(LOG_FORMAT);
    boolean unknownFormat = format != null && !format.equals("text") && !format.equals("json");
    if (unknownFormat) {
      System.setProperty(LOG_FORMAT, "text");
      log().warn("LOG_FORMAT={} is neither text nor json; logging as text", format);
    }
    new VertxApplication(args, new Main()).launch();
  }

  private static Logger log() {
    return LoggerFactory.getLogger(Main.class);
  }

  /** Vert.x reports its HTTP server, pool and event bus metrics to the scheduler's registry, and traces when OTEL_* is set. */
  @Override
  public VertxBuilder createVertxBuilder(VertxOptions options) {
    return tracing.configure(SchedulerMetrics.vertxBuilder(options, registry), options);
  }

  @Override
  public Supplier<? extends Deployable> verticleSupplier() {
    return () -> new MainVerticle(System.getenv(), registry, tracing);
  }

  @Override
  public void afterVertxStarted(HookContext context) {
    for (String name : new String[] {"TERM", "INT"}) {
      Signal.handle(new Signal(name), signal -> {
        if (!stopping.compareAndSet(false, true)) {
          log().warn("SIG{} again while stopping: exiting now; running jobs are re-claimed after their lease expires", name);
          Runtime.getRuntime().halt(1);
        }
        log().info("SIG{} received: stopping", name);
        context.vertx().close().onComplete(closed -> {
          if (closed.failed()) {
            log().error("Stopping failed", closed.cause());
          } else {
            log().info("Stopped");
          }
          int status = closed.succeeded() ? 0 : 1;
          new Thread(() -> System.exit(status), "exit").start();
        });
      });
    }
  }
}
