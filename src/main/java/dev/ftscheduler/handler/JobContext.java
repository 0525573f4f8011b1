package dev.ftscheduler.handler;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/** What a handler knows about the attempt it runs. */
public interface JobContext {

  String jobId();

  String type();

  JsonObject payload();

  /** 1 for the first attempt, 2 for the first retry, and so on. */
  int attempt();

  int maxAttempts();

  Vertx vertx();
}
