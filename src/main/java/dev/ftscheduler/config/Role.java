package dev.ftscheduler.config;

import java.util.Locale;

/** Which parts of the scheduler a process runs. */
public enum Role {
  /** HTTP API, claimer and workers in one process. */
  ALL,
  /** HTTP API only. */
  API,
  /** Claimer and workers only. */
  WORKER;

  public boolean runsApi() {
    return this != WORKER;
  }

  public boolean runsWorkers() {
    return this != API;
  }

  static Role parse(String value) {
    try {
      return valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("ROLE must be one of all, api, worker; got '" + value + "'");
    }
  }
}
