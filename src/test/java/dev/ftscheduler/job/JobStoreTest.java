package dev.ftscheduler.job;

import dev.ftscheduler.config.Dsn;
import dev.ftscheduler.db.Database;
import dev.ftscheduler.db.Migrations;
import dev.ftscheduler.handler.LeaseLostException;
import dev.ftscheduler.testing.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static dev.ftscheduler.testing.TestApp.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
    TestDatabase.execute(dsn, "DELETE FROM job_attempts");
    TestDatabase.execute(dsn, "DELETE FROM job_executions");
    TestDatabase.execute(dsn, "CREATE TABLE IF NOT EXISTS effects (job_id CHAR(32) NOT NULL)");
    TestDatabase.execute(dsn, "DELETE FROM effects");
  }

  private static long count(String sql) {
    return TestDatabase.queryLong(dsn, sql);
  }

  private static Future<Integer> insertEffect(SqlConnection conn, Job job) {
    return conn.preparedQuery("INSERT INTO effects (job_id) VALUES (?)").execute(Tuple.of(job.id()))
        .map(rows -> rows.rowCount());
  }

  /** The step "pay": one row in effects. Null when it was done before. */
  private static Integer pay(Job job) {
    return await(store.databaseStep(job, "pay", conn -> insertEffect(conn, job)), T);
  }

  private static Job submit() {
    return await(store.submit(new NewJob("noop", new JsonObject(), 3, null, null)), T).job();
  }

  @Test
  void aClaimLeasesDueJobsOnceAndCountsTheAttempt() {
    Job submitted = submit();
    List<Job> claimed = await(store.claim("default", "w1", 10, 30), T);
    assertThat(claimed).hasSize(1);
    Job leased = claimed.get(0);
    assertThat(leased.id()).isEqualTo(submitted.id());
    assertThat(leased.status()).isEqualTo(JobStatus.RUNNING);
    assertThat(leased.attempts()).isEqualTo(1);
    assertThat(leased.leaseToken()).isEqualTo(submitted.leaseToken() + 1);
    assertThat(await(store.claim("default", "w2", 10, 30), T)).isEmpty();
    Job stored = await(store.find(submitted.id()), T);
    assertThat(stored.lockedBy()).isEqualTo("w1");
    assertThat(stored.lockedUntil()).isAfter(stored.updatedAt());
  }

  @Test
  void aClaimTakesNoMoreThanItsLimit() {
    for (int i = 0; i < 5; i++) {
      submit();
    }
    assertThat(await(store.claim("default", "w", 3, 30), T)).hasSize(3);
    assertThat(await(store.claim("default", "w", 3, 30), T)).hasSize(2);
  }

  @Test
  void concurrentClaimsNeverShareAJob() {
    for (int i = 0; i < 40; i++) {
      submit();
    }
    List<Future<List<Job>>> claims = List.of(store.claim("default", "a", 15, 30), store.claim("default", "b", 15, 30), store.claim("default", "c", 15, 30));
    List<String> ids = claims.stream().flatMap(claim -> await(claim, T).stream()).map(Job::id).toList();
    assertThat(ids).hasSize(40).doesNotHaveDuplicates();
  }

  @Test
  void writesWithAStaleLeaseTokenMatchNothing() {
    submit();
    Job first = await(store.claim("default", "w1", 1, 30), T).get(0);
    TestDatabase.execute(dsn, "UPDATE jobs SET locked_until = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND");
    assertThat(await(store.reapExpiredLeases(), T)).isEqualTo(1);
    Job second = await(store.claim("default", "w2", 1, 30), T).get(0);
    assertThat(second.leaseToken()).isGreaterThan(first.leaseToken());

    assertThat(await(store.renew(first, 30), T)).isEqualTo(JobStore.Renewal.LOST);
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
  void aGroupCompletionWritesOnlyTheJobsStillOwned() {
    for (int i = 0; i < 3; i++) {
      submit();
    }
    List<Job> leased = await(store.claim("default", "w1", 3, 30), T);
    Job lost = leased.get(1);
    TestDatabase.execute(dsn, "UPDATE jobs SET locked_until = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND WHERE id = '" + lost.id() + "'");
    await(store.reapExpiredLeases(), T);
    Job taken = await(store.claim("default", "w2", 1, 30), T).get(0);
    assertThat(taken.id()).isEqualTo(lost.id());

    assertThat(await(store.completeAll(leased), T)).containsExactly(true, false, true);
    assertThat(await(store.find(leased.get(0).id()), T).status()).isEqualTo(JobStatus.SUCCESS);
    assertThat(await(store.find(lost.id()), T).status()).isEqualTo(JobStatus.RUNNING);
    assertThat(await(store.find(leased.get(2).id()), T).status()).isEqualTo(JobStatus.SUCCESS);
    assertThat(count("SELECT COUNT(*) FROM job_attempts WHERE outcome = 'SUCCESS'")).isEqualTo(2);
    assertThat(await(store.completeAll(List.of(taken)), T)).containsExactly(true);
  }

  @Test
  void aReleasedJobIsClaimableAgainWithoutCountingTheAttempt() {
    submit();
    Job leased = await(store.claim("default", "w", 1, 30), T).get(0);
    assertThat(await(store.release(leased), T)).isTrue();
    Job again = await(store.claim("default", "w", 1, 30), T).get(0);
    assertThat(again.attempts()).isEqualTo(1);
    assertThat(await(store.complete(leased), T)).isFalse();
  }

  @Test
  void aRetryIsNotDueBeforeItsDelay() {
    submit();
    Job leased = await(store.claim("default", "w", 1, 30), T).get(0);
    assertThat(await(store.retry(leased, 60_000, "boom"), T)).isTrue();
    assertThat(await(store.claim("default", "w", 1, 30), T)).isEmpty();
    Job stored = await(store.find(leased.id()), T);
    assertThat(stored.status()).isEqualTo(JobStatus.PENDING);
    assertThat(stored.lastError()).isEqualTo("boom");
    assertThat(Duration.between(stored.updatedAt(), stored.runAt()).toMillis()).isBetween(59_000L, 61_000L);
  }

  @Test
  void everyAttemptIsRecordedWithItsOutcome() {
    submit();
    Job first = await(store.claim("default", "w1", 1, 30), T).get(0);
    assertThat(await(store.retry(first, 0, "boom"), T)).isTrue();
    Job second = await(store.claim("default", "w2", 1, 30), T).get(0);
    TestDatabase.execute(dsn, "UPDATE jobs SET locked_until = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND");
    await(store.reapExpiredLeases(), T);
    Job third = await(store.claim("default", "w3", 1, 30), T).get(0);
    assertThat(await(store.complete(third), T)).isTrue();
    assertThat(count("SELECT COUNT(*) FROM job_attempts WHERE job_id = '" + first.id() + "'")).isEqualTo(3);
    assertThat(count("SELECT COUNT(*) FROM job_attempts WHERE attempt = 1 AND worker_id = 'w1' AND outcome = 'FAILURE'"
        + " AND error = 'boom' AND finished_at >= started_at")).isEqualTo(1);
    assertThat(count("SELECT COUNT(*) FROM job_attempts WHERE attempt = 2 AND worker_id = 'w2' AND outcome = 'LEASE_EXPIRED'"
        + " AND error LIKE 'lease expired: worker w2%'")).isEqualTo(1);
    assertThat(count("SELECT COUNT(*) FROM job_attempts WHERE attempt = 3 AND worker_id = 'w3' AND outcome = 'SUCCESS'"))
        .isEqualTo(1);
    assertThat(second.attempts()).isEqualTo(2);
  }

  @Test
  void aDatabaseStepHappensOnceAcrossAttempts() {
    submit();
    Job first = await(store.claim("default", "w1", 1, 30), T).get(0);
    assertThat(pay(first)).isEqualTo(1);
    assertThat(await(store.retry(first, 0, "crashed after paying"), T)).isTrue();
    Job second = await(store.claim("default", "w2", 1, 30), T).get(0);
    assertThat(pay(second)).as("the step was done: the effect does not run").isNull();
    assertThat(count("SELECT COUNT(*) FROM effects")).isEqualTo(1);
  }

  @Test
  void aDatabaseStepOfAnAttemptThatLostItsLeaseChangesNothing() {
    submit();
    Job zombie = await(store.claim("default", "w1", 1, 30), T).get(0);
    TestDatabase.execute(dsn, "UPDATE jobs SET locked_until = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND");
    await(store.reapExpiredLeases(), T);
    await(store.claim("default", "w2", 1, 30), T);
    assertThatThrownBy(() -> pay(zombie))
        .hasCauseInstanceOf(LeaseLostException.class);
    assertThat(count("SELECT COUNT(*) FROM effects")).isZero();
    assertThat(count("SELECT COUNT(*) FROM job_executions")).isZero();
    assertThatThrownBy(() -> await(store.recordStep(zombie, "call"), T)).hasCauseInstanceOf(LeaseLostException.class);
  }

  @Test
  void aFailedEffectLeavesNoGuardRow() {
    submit();
    Job job = await(store.claim("default", "w1", 1, 30), T).get(0);
    assertThatThrownBy(() -> await(store.databaseStep(job, "pay", conn -> insertEffect(conn, job)
        .compose(inserted -> Future.failedFuture("card declined"))), T)).hasMessageContaining("card declined");
    assertThat(count("SELECT COUNT(*) FROM effects")).as("rolled back with the guard").isZero();
    assertThat(await(store.stepDone(job, "pay"), T)).isFalse();
    assertThat(pay(job)).isEqualTo(1);
  }

  @Test
  void aJobWhoseGuardShowsItFinishedIsClaimedAsFinished() {
    Job job = submit();
    assertThat(await(store.retry(await(store.claim("default", "w", 1, 30), T).get(0), 0, "first attempt"), T)).isTrue();
    TestDatabase.execute(dsn, "INSERT INTO job_executions (job_id, step_key, created_at) VALUES ('" + job.id() + "', '"
        + JobStore.JOB_FINISHED_STEP + "', UTC_TIMESTAMP(6))");
    assertThat(await(store.claim("default", "w", 1, 30), T).get(0).finishedBefore()).isTrue();
  }

  @Test
  void completingAJobRecordsThatItFinished() {
    submit();
    Job job = await(store.claim("default", "w", 1, 30), T).get(0);
    assertThat(job.finishedBefore()).isFalse();
    await(store.complete(job), T);
    assertThat(await(store.stepDone(job, JobStore.JOB_FINISHED_STEP), T)).isTrue();
  }

  @Test
  void aLeaseHasOneHolderUntilItRunsOut() {
    TestDatabase.execute(dsn, "UPDATE leases SET holder = NULL, until = NULL WHERE name = 'retention'");
    assertThat(await(store.holdLease("retention", "a", Duration.ofSeconds(30)), T)).isTrue();
    assertThat(await(store.holdLease("retention", "b", Duration.ofSeconds(30)), T)).as("a holds it").isFalse();
    assertThat(await(store.holdLease("retention", "a", Duration.ofSeconds(30)), T)).as("a extends it").isTrue();
    TestDatabase.execute(dsn, "UPDATE leases SET until = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND WHERE name = 'retention'");
    assertThat(await(store.holdLease("retention", "b", Duration.ofSeconds(30)), T)).as("a's ran out").isTrue();
  }

  @Test
  void payloadsRoundTripThroughTheJsonColumn() {
    JsonObject payload = new JsonObject().put("s", "é✓").put("n", 3).put("nested", new JsonObject().put("a", List.of(1, 2)));
    Job job = await(store.submit(new NewJob("noop", payload, 1, null, null)), T).job();
    assertThat(await(store.find(job.id()), T).payload()).isEqualTo(payload);
  }
}
