package dev.ftscheduler;

import dev.ftscheduler.testing.TestApp;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Finished jobs are deleted after their retention; DEAD ones keep theirs. */
class RetentionTest {

  @Test
  void successfulJobsGoAfterRetentionSuccessAndDeadOnesStay() {
    try (TestApp app = TestApp.start(new JsonObject().put("RETENTION_SUCCESS", "1s").put("RETENTION_DEAD", "1h")
        .put("RETENTION_INTERVAL_MS", 200))) {
      String done = app.submit("{\"type\":\"noop\"}");
      String dead = app.submit("{\"type\":\"fail\",\"payload\":{\"times\":9},\"max_attempts\":1}");
      app.awaitStatus(done, "SUCCESS");
      app.awaitStatus(dead, "DEAD");
      TestApp.awaitCondition("the successful job to be deleted", () -> app.get("/jobs/" + done).statusCode() == 404);
      assertThat(app.queryLong("SELECT COUNT(*) FROM job_attempts WHERE job_id = ?", done)).isZero();
      assertThat(app.queryLong("SELECT COUNT(*) FROM job_executions WHERE job_id = ?", done)).isZero();
      assertThat(app.job(dead).getString("status")).isEqualTo("DEAD");
    }
  }
}
