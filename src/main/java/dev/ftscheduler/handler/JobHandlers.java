package dev.ftscheduler.handler;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;

/** The registered handlers by type, loaded once with {@link ServiceLoader}. */
public final class JobHandlers {

  private final Map<String, JobHandler> byType;

  private JobHandlers(Map<String, JobHandler> byType) {
    this.byType = Collections.unmodifiableMap(byType);
  }

  public static JobHandlers load() {
    Map<String, JobHandler> byType = new TreeMap<>();
    for (JobHandler handler : ServiceLoader.load(JobHandler.class)) {
      JobHandler previous = byType.putIfAbsent(handler.type(), handler);
      if (previous != null) {
        throw new IllegalStateException("Two handlers for job type '" + handler.type() + "': "
            + previous.getClass().getName() + " and " + handler.getClass().getName());
      }
    }
    return new JobHandlers(byType);
  }

  public Optional<JobHandler> forType(String type) {
    return Optional.ofNullable(byType.get(type));
  }

  public Set<String> types() {
    return byType.keySet();
  }
}
