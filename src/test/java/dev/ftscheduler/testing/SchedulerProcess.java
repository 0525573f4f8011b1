package dev.ftscheduler.testing;

import dev.ftscheduler.config.SchedulerConfig;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The built jar run as a separate JVM, the way an operator runs it, with its output in
 * target/it-logs. The test classes are on its class path too, for test-only job types; logging is
 * the jar's own configuration.
 */
public final class SchedulerProcess implements AutoCloseable {

  private static final Path JAR = Path.of("target", "ft-scheduler.jar");
  private static final Path TEST_CLASSES = Path.of("target", "test-classes");
  private static final String STARTED = "ft-scheduler started";

  private final String name;
  private final Process process;
  private final Path log;
  private final int port;

  private SchedulerProcess(String name, Process process, Path log, int port) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.port = port;
  }

  /** {@code java -jar target/ft-scheduler.jar args...}, exactly as an operator runs it. */
  public static SchedulerProcess startJar(String name, Map<String, String> env, String... args) throws IOException {
    return start(name, env, List.of("-jar", JAR.toString()), args);
  }

  /** The jar with the test classes (test-only job types) on the class path. */
  public static SchedulerProcess start(String name, Map<String, String> env, String... args) throws IOException {
    return start(name, env, List.of("-Dlogback.configurationFile=logback.xml",
        "-cp", JAR + File.pathSeparator + TEST_CLASSES, "dev.ftscheduler.Main"), args);
  }

  /**
   * Starts the scheduler with {@code env} as its only scheduler settings (the test machine's own
   * are removed) and {@code args} for the launcher, and waits until it has started.
   */
  private static SchedulerProcess start(String name, Map<String, String> env, List<String> launch, String... args)
      throws IOException {
    List<String> command = new ArrayList<>(List.of(javaBinary(), "-Xmx256m"));
    command.addAll(launch);
    command.addAll(List.of(args));
    Path log = Files.createDirectories(Path.of("target", "it-logs")).resolve(name + ".log");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    SchedulerConfig.KEYS.forEach(builder.environment()::remove);
    builder.environment().putAll(env);
    SchedulerProcess started = new SchedulerProcess(name, builder.start(), log, Integer.parseInt(env.get("PORT")));
    started.awaitOutput(STARTED, Duration.ofMinutes(2));
    return started;
  }

  public String name() {
    return name;
  }

  /** The PORT it serves: the API, or a worker's health checks. */
  public int port() {
    return port;
  }

  public String output() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Waits until the process has logged {@code text}; fails early if it exits. */
  public void awaitOutput(String text, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!output().contains(text)) {
      if (!process.isAlive()) {
        throw new IllegalStateException(name + " exited with " + process.exitValue() + " before logging '" + text + "':\n"
            + output());
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(name + " did not log '" + text + "' within " + timeout + ":\n" + output());
      }
      sleep(50);
    }
  }

  /** kill -9: no shutdown hook, no drain, leases left behind. */
  public void kill() throws InterruptedException {
    process.destroyForcibly().waitFor();
  }

  /** SIGSTOP: the process freezes, its leases run out, but it is not dead. */
  public void pause() throws IOException, InterruptedException {
    signal("STOP");
  }

  /** SIGCONT after {@link #pause()}. */
  public void resume() throws IOException, InterruptedException {
    signal("CONT");
  }

  private void signal(String name) throws IOException, InterruptedException {
    int exit = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).inheritIO().start().waitFor();
    if (exit != 0) {
      throw new IOException("kill -" + name + " " + process.pid() + " exited with " + exit);
    }
  }

  /** SIGTERM, then the exit code; fails if the process takes longer than {@code timeout}. */
  public int terminate(Duration timeout) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly().waitFor();
      throw new AssertionError(name + " did not exit within " + timeout + " of SIGTERM:\n" + output());
    }
    return process.exitValue();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly().waitFor();
    }
  }

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
