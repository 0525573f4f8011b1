package dev.ftscheduler.handler;

/** A failure that no retry can mend (a 404, a rejected request): the job goes to DEAD at once. */
public final class PermanentFailure extends RuntimeException {

  public PermanentFailure(String message) {
    super(message, null, false, false);
  }
}
