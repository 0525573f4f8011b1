package dev.ftscheduler;

import io.vertx.core.Deployable;
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

  private static final Logger log = LoggerFactory.getLogger(Main.class);
  private final AtomicBoolean stopping = new AtomicBoolean();

  public static void main(String[] args) {
    new VertxApplication(args, new Main()).launch();
  }

  @Override
  public Supplier<? extends Deployable> verticleSupplier() {
    return MainVerticle::new;
  }

  @Override
  public void afterVertxStarted(HookContext context) {
    for (String name : new String[] {"TERM", "INT"}) {
      Signal.handle(new Signal(name), signal -> {
        if (!stopping.compareAndSet(false, true)) {
          log.warn("SIG{} again while stopping: exiting now; running jobs are re-claimed after their lease expires", name);
          Runtime.getRuntime().halt(1);
        }
        log.info("SIG{} received: stopping", name);
        context.vertx().close().onComplete(closed -> {
          if (closed.failed()) {
            log.error("Stopping failed", closed.cause());
          } else {
            log.info("Stopped");
          }
          int status = closed.succeeded() ? 0 : 1;
          new Thread(() -> System.exit(status), "exit").start();
        });
      });
    }
  }
}
