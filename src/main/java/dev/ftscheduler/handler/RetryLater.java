package dev.ftscheduler.handler;

import java.time.Duration;

/** A failure whose next attempt must wait at least {@code after}, e.g. a receiver's Retry-After; instead of the backoff. */
public final class RetryLater extends RuntimeException {

  private final Duration after;

  public RetryLater(String message, Duration after) {
    super(message, null, false, false);
    this.after = after;
  }

  public Duration after() {
    return after;
  }
}
