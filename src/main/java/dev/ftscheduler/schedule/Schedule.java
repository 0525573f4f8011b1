package dev.ftscheduler.schedule;

import io.vertx.core.json.JsonObject;

import java.time.Instant;

/** A cron schedule: a job of {@code type} with {@code payload} on {@code queue} at each tick. */
public record Schedule(String name, String cron, String timezone, String type, String queue, JsonObject payload,
    boolean enabled, Instant nextRunAt, Instant createdAt, Instant updatedAt) {

  public JsonObject toJson() {
    return new JsonObject()
        .put("name", name)
        .put("cron", cron)
        .put("timezone", timezone)
        .put("type", type)
        .put("queue", queue)
        .put("payload", payload)
        .put("enabled", enabled)
        .put("next_run_at", nextRunAt == null ? null : nextRunAt.toString())
        .put("created_at", createdAt == null ? null : createdAt.toString())
        .put("updated_at", updatedAt == null ? null : updatedAt.toString());
  }
}
