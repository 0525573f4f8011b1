package dev.ftscheduler.job;

import dev.ftscheduler.config.Dsn;
import dev.ftscheduler.db.Database;
import dev.ftscheduler.db.Migrations;
import dev.ftscheduler.testing.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static dev.ftscheduler.testing.TestApp.await;
import static org.assertj.core.api.Assertions.assertThat;

/** The claim and the fence, directly against the database. */
class JobStoreTest {

  private static final Duration T = Duration.ofSeconds(10);
  private static Vertx vertx;
  private static Dsn dsn;
  private static Pool pool;
  private static JobStore store;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    dsn = TestDatabase.freshDatabase();
    Migrations.apply(dsn);
    pool = Database.pool(vertx, dsn, 4);
    store = new JobStore(pool);
  }

  @AfterAll
  static void stop() {
    await(pool.close(), T);
    await(vertx.close(), T);
    TestDatabase.drop(dsn);
  }

  @BeforeEach
  void empty() {
    TestDatabase.execute(dsn, "DELETE FROM jobs");
  }

  private static Job submit() {
    return await(store.submit(new NewJob("noop", new JsonObject(), 3, null, null)), T).job();
  }

  @Test
  void aClaimLeasesDueJobsOnceAndCountsTheAttempt() {
    Job submitted = submit();
    List<Job> claimed = await(store.claim("w1", 10, 30), T);
    assertThat(claimed).hasSize(1);
    Job leased = claimed.get(0);
    assertThat(leased.id()).isEqualTo(submitted.id());
    assertThat(leased.status()).isEqualTo(JobStatus.RUNNING);
    assertThat(leased.attempts()).isEqualTo(1);
    assertThat(leased.leaseToken()).isEqualTo(submitted.leaseToken() + 1);
    assertThat(await(store.claim("w2", 10, 30), T)).isEmpty();
    Job stored = await(store.find(submitted.id()), T);
    assertThat(stored.lockedBy()).isEqualTo("w1");
    assertThat(stored.lockedUntil()).isAfter(stored.updatedAt());
  }

  @Test
  void aClaimTakesNoMoreThanItsLimit() {
    for (int i = 0; i < 5; i++) {
      submit();
    }
    assertThat(await(store.claim("w", 3, 30), T)).hasSize(3);
    assertThat(await(store.claim("w", 3, 30), T)).hasSize(2);
  }

  @Test
  void concurrentClaimsNeverShareAJob() {
    for (int i = 0; i < 40; i++) {
      submit();
    }
    List<Future<List<Job>>> claims = List.of(store.claim("a", 15, 30), store.claim("b", 15, 30), store.claim("c", 15, 30));
    List<String> ids = claims.stream().flatMap(claim -> await(claim, T).stream()).map(Job::id).toList();
    assertThat(ids).hasSize(40).doesNotHaveDuplicates();
  }

  @Test
  void writesWithAStaleLeaseTokenMatchNothing() {
    submit();
    Job first = await(store.claim("w1", 1, 30), T).get(0);
    TestDatabase.execute(dsn, "UPDATE jobs SET locked_until = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND");
    assertThat(await(store.reapExpiredLeases(), T)).isEqualTo(1);
    Job second = await(store.claim("w2", 1, 30), T).get(0);
    assertThat(second.leaseToken()).isGreaterThan(first.leaseToken());

    assertThat(await(store.renew(first, 30), T)).isFalse();
    assertThat(await(store.complete(first), T)).isFalse();
    assertThat(await(store.retry(first, 0, "zombie"), T)).isFalse();
    assertThat(await(store.bury(first, "zombie"), T)).isFalse();
    Job stored = await(store.find(first.id()), T);
    assertThat(stored.status()).isEqualTo(JobStatus.RUNNING);
    assertThat(stored.lockedBy()).isEqualTo("w2");

    assertThat(await(store.complete(second), T)).isTrue();
    assertThat(await(store.find(first.id()), T).status()).isEqualTo(JobStatus.SUCCESS);
    assertThat(await(store.complete(second), T)).as("a finished job accepts no more writes").isFalse();
  }

  @Test
  void aReleasedJobIsClaimableAgainWithoutCountingTheAttempt() {
    submit();
    Job leased = await(store.claim("w", 1, 30), T).get(0);
    assertThat(await(store.release(leased), T)).isTrue();
    Job again = await(store.claim("w", 1, 30), T).get(0);
    assertThat(again.attempts()).isEqualTo(1);
    assertThat(await(store.complete(leased), T)).isFalse();
  }

  @Test
  void aRetryIsNotDueBeforeItsDelay() {
    submit();
    Job leased = await(store.claim("w", 1, 30), T).get(0);
    assertThat(await(store.retry(leased, 60_000, "boom"), T)).isTrue();
    assertThat(await(store.claim("w", 1, 30), T)).isEmpty();
    Job stored = await(store.find(leased.id()), T);
    assertThat(stored.status()).isEqualTo(JobStatus.PENDING);
    assertThat(stored.lastError()).isEqualTo("boom");
    assertThat(Duration.between(stored.updatedAt(), stored.runAt()).toMillis()).isBetween(59_000L, 61_000L);
  }

  @Test
  void payloadsRoundTripThroughTheJsonColumn() {
    JsonObject payload = new JsonObject().put("s", "é✓").put("n", 3).put("nested", new JsonObject().put("a", List.of(1, 2)));
    Job job = await(store.submit(new NewJob("noop", payload, 1, null, null)), T).job();
    assertThat(await(store.find(job.id()), T).payload()).isEqualTo(payload);
  }
}
