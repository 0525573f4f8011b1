package dev.ftscheduler.config;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** One queue a process serves, and how many of its jobs run at once there. */
public record QueueConfig(String name, int concurrency) {

  public static final String DEFAULT_QUEUE = "default";
  /** What a queue name may look like: it goes into metrics labels and URLs. */
  public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,63}");

  /** "emails:5,reports:2,default": a queue without a concurrency gets {@code defaultConcurrency}; blank = default only. */
  static List<QueueConfig> parse(String text, int defaultConcurrency) {
    List<QueueConfig> queues = new ArrayList<>();
    if (text.isBlank()) {
      queues.add(new QueueConfig(DEFAULT_QUEUE, defaultConcurrency));
      return queues;
    }
    for (String item : text.split(",")) {
      String[] parts = item.trim().split(":", 2);
      String name = parts[0].trim();
      if (!NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("QUEUES: queue name '" + name + "' must be lowercase letters, digits, _ . -"
            + " (up to 64)");
      }
      int concurrency = defaultConcurrency;
      if (parts.length == 2) {
        try {
          concurrency = Integer.parseInt(parts[1].trim());
        } catch (NumberFormatException e) {
          concurrency = 0;
        }
        if (concurrency < 1 || concurrency > 10_000) {
          throw new IllegalArgumentException("QUEUES: the concurrency of '" + name + "' must be 1 to 10000; got '"
              + parts[1].trim() + "'");
        }
      }
      if (queues.stream().anyMatch(q -> q.name().equals(name))) {
        throw new IllegalArgumentException("QUEUES: queue '" + name + "' is listed twice");
      }
      queues.add(new QueueConfig(name, concurrency));
    }
    return queues;
  }
}
