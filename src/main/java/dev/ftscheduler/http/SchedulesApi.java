package dev.ftscheduler.http;

import dev.ftscheduler.config.QueueConfig;
import dev.ftscheduler.handler.JobHandler;
import dev.ftscheduler.handler.JobHandlers;
import dev.ftscheduler.job.JobStore;
import dev.ftscheduler.schedule.CronExpression;
import dev.ftscheduler.schedule.Schedule;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.time.Instant;
import java.util.Set;
import java.util.regex.Pattern;

/** {@code /schedules}: cron schedules, created, read, replaced and deleted by name. */
final class SchedulesApi {

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,99}");
  private static final Set<String> FIELDS = Set.of("name", "cron", "timezone", "type", "queue", "payload", "enabled");

  private final JobStore store;
  private final JobHandlers handlers;

  SchedulesApi(JobStore store, JobHandlers handlers) {
    this.store = store;
    this.handlers = handlers;
  }

  void mount(Router router, BodyHandler body) {
    router.post("/schedules").handler(body).handler(this::create);
    router.get("/schedules").handler(this::list);
    router.get("/schedules/:name").handler(this::get);
    router.put("/schedules/:name").handler(body).handler(this::replace);
    router.delete("/schedules/:name").handler(this::delete);
  }

  private void create(RoutingContext ctx) {
    JsonObject json = SubmitRequest.object(ctx.body().buffer());
    parse(json, null).compose(schedule -> store.createSchedule(schedule).compose(created -> {
      if (!created) {
        throw new ApiError(409, "conflict", "a schedule named '" + schedule.name() + "' exists; PUT /schedules/"
            + schedule.name() + " replaces it");
      }
      return store.findSchedule(schedule.name());
    })).onComplete(result -> answer(ctx, result, 201));
  }

  private void replace(RoutingContext ctx) {
    String name = name(ctx);
    parse(SubmitRequest.object(ctx.body().buffer()), name).compose(schedule -> store.replaceSchedule(schedule)
        .compose(replaced -> {
          if (!replaced) {
            throw new ApiError(404, "not_found", "no schedule named '" + name + "'");
          }
          return store.findSchedule(name);
        })).onComplete(result -> answer(ctx, result, 200));
  }

  private void get(RoutingContext ctx) {
    String name = name(ctx);
    store.findSchedule(name).map(schedule -> {
      if (schedule == null) {
        throw new ApiError(404, "not_found", "no schedule named '" + name + "'");
      }
      return schedule;
    }).onComplete(result -> answer(ctx, result, 200));
  }

  private void list(RoutingContext ctx) {
    store.listSchedules().onComplete(result -> {
      if (result.failed()) {
        HttpVerticle.unavailable(ctx, result.cause());
        return;
      }
      JsonArray schedules = new JsonArray();
      result.result().forEach(schedule -> schedules.add(schedule.toJson()));
      HttpVerticle.respond(ctx, 200, new JsonObject().put("schedules", schedules));
    });
  }

  private void delete(RoutingContext ctx) {
    String name = name(ctx);
    store.deleteSchedule(name).onComplete(result -> {
      if (result.failed()) {
        HttpVerticle.unavailable(ctx, result.cause());
      } else if (!result.result()) {
        HttpVerticle.error(ctx, new ApiError(404, "not_found", "no schedule named '" + name + "'"));
      } else {
        ctx.response().setStatusCode(204).end();
      }
    });
  }

  private static void answer(RoutingContext ctx, AsyncResult<Schedule> result, int status) {
    if (result.succeeded()) {
      HttpVerticle.respond(ctx, status, result.result().toJson());
    } else if (result.cause() instanceof ApiError apiError) {
      HttpVerticle.error(ctx, apiError);
    } else {
      HttpVerticle.unavailable(ctx, result.cause());
    }
  }

  private static String name(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    if (!NAME.matcher(name).matches()) {
      throw ApiError.badRequest("invalid_name", "a schedule name is 1 to 100 of a-z 0-9 _ . -");
    }
    return name;
  }

  /** The schedule a body describes, with its next tick from the database's clock; {@code name} from the path for PUT. */
  private Future<Schedule> parse(JsonObject json, String pathName) {
    for (String field : json.fieldNames()) {
      if (!FIELDS.contains(field)) {
        throw ApiError.badRequest("unknown_field", "unknown field '" + field + "'; accepted: "
            + String.join(", ", FIELDS.stream().sorted().toList()));
      }
    }
    String name = pathName != null ? pathName : string(json, "name", null);
    if (name == null || !NAME.matcher(name).matches()) {
      throw ApiError.badRequest("invalid_name", "name is required: 1 to 100 of a-z 0-9 _ . -");
    }
    String cron = string(json, "cron", null);
    String timezone = string(json, "timezone", "UTC");
    if (cron == null) {
      throw ApiError.badRequest("invalid_cron", "cron is required, e.g. \"0 9 * * 1-5\" or \"@hourly\"");
    }
    CronExpression expression;
    try {
      expression = CronExpression.parse(cron, timezone);
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest(e.getMessage().startsWith("timezone") ? "invalid_timezone" : "invalid_cron", e.getMessage());
    }
    String type = string(json, "type", null);
    JobHandler handler = handlers.forType(type == null ? "" : type).orElseThrow(() -> ApiError.badRequest("unknown_type",
        "type must be a registered job type: " + String.join(", ", handlers.types())));
    Object payloadValue = json.getValue("payload", new JsonObject());
    if (!(payloadValue instanceof JsonObject payload)) {
      throw ApiError.badRequest("invalid_payload", "payload must be a JSON object");
    }
    try {
      handler.validate(payload);
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest("invalid_payload", e.getMessage());
    }
    String queue = string(json, "queue", QueueConfig.DEFAULT_QUEUE);
    if (!QueueConfig.NAME.matcher(queue).matches()) {
      throw ApiError.badRequest("invalid_queue", "queue must be 1 to 64 of a-z 0-9 _ . -");
    }
    Object enabled = json.getValue("enabled", true);
    if (!(enabled instanceof Boolean on)) {
      throw ApiError.badRequest("invalid_enabled", "enabled must be true or false");
    }
    return store.now().map(now -> {
      Instant next = on ? expression.nextAfter(now).orElse(null) : null;
      return new Schedule(name, cron, timezone, type, queue, payload, on, next, null, null);
    });
  }

  private static String string(JsonObject json, String field, String fallback) {
    Object value = json.getValue(field);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof String text) || text.isBlank()) {
      throw ApiError.badRequest("invalid_" + field, field + " must be a non-empty string");
    }
    return text;
  }
}
