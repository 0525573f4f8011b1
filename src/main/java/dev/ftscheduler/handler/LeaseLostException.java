package dev.ftscheduler.handler;

/** This attempt no longer holds the job's lease: another worker may own the job now. Nothing more may be written for it. */
public final class LeaseLostException extends RuntimeException {

  public LeaseLostException(String jobId) {
    super("lease of job " + jobId + " lost: another worker may own it now", null, false, false);
  }
}
