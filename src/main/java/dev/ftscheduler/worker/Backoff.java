package dev.ftscheduler.worker;

import java.util.function.DoubleSupplier;

/**
 * The seed's retry delay: {@code min(max, base × 2^(attempt-1))}, then a jitter of ±{@code jitter}
 * of that delay so that jobs that failed together do not retry together.
 */
public record Backoff(long baseMs, long maxMs, double jitter) {

  /**
   * @param attempt the attempt that just failed, from 1
   * @param random a uniform value in [0, 1)
   */
  public long delayMs(int attempt, DoubleSupplier random) {
    double delay = Math.min(maxMs, baseMs * Math.pow(2, Math.max(0, attempt - 1)));
    double factor = 1 + jitter * (2 * random.getAsDouble() - 1);
    return Math.max(0, Math.round(delay * factor));
  }
}
