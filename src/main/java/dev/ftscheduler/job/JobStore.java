package dev.ftscheduler.job;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.DatabaseException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * All SQL of the scheduler. Times come from the database clock. Every write a worker makes for a
 * job is fenced by the job's lease token: it matches one row, or none when the lease was lost,
 * and then the caller gets {@code false} and must write nothing more for that job.
 */
public final class JobStore {

  /** MySQL and MariaDB error for a duplicate key. */
  private static final int ER_DUP_ENTRY = 1062;
  /** Expired leases handed back per reaper pass: a bounded statement even after a long outage. */
  private static final int REAP_BATCH = 500;

  private static final String COLUMNS = "id, type, status, payload, attempts, max_attempts, idempotency_key, run_at,"
      + " locked_by, locked_until, lease_token, last_error, created_at, updated_at";
  private static final String SELECT_BY_ID = "SELECT " + COLUMNS + " FROM jobs WHERE id = ?";
  private static final String SELECT_BY_KEY = "SELECT " + COLUMNS + " FROM jobs WHERE idempotency_key = ?";
  private static final String INSERT = "INSERT INTO jobs (id, type, status, payload, attempts, max_attempts,"
      + " idempotency_key, run_at, lease_token, created_at, updated_at)"
      + " VALUES (?, ?, 'PENDING', ?, 0, ?, ?, UTC_TIMESTAMP(6), 0, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))";
  // FORCE INDEX: a small table tempts the optimizer into a scan and sort, which locks every row it reads
  // and leaves nothing for concurrent claimers to take.
  private static final String SELECT_DUE = "SELECT " + COLUMNS + " FROM jobs FORCE INDEX (ix_jobs_due)"
      + " WHERE status = 'PENDING' AND run_at <= UTC_TIMESTAMP(6)"
      + " ORDER BY run_at, id LIMIT ? FOR UPDATE SKIP LOCKED";
  private static final String LEASE = "UPDATE jobs SET status = 'RUNNING', locked_by = ?,"
      + " locked_until = UTC_TIMESTAMP(6) + INTERVAL ? SECOND, lease_token = lease_token + 1,"
      + " attempts = attempts + 1, updated_at = UTC_TIMESTAMP(6) WHERE id IN ";
  private static final String FENCE = " WHERE id = ? AND lease_token = ? AND status = 'RUNNING'";
  private static final String RENEW = "UPDATE jobs SET locked_until = UTC_TIMESTAMP(6) + INTERVAL ? SECOND" + FENCE;
  private static final String COMPLETE = "UPDATE jobs SET status = 'SUCCESS', locked_until = NULL,"
      + " updated_at = UTC_TIMESTAMP(6)" + FENCE;
  private static final String RETRY = "UPDATE jobs SET status = 'PENDING', locked_until = NULL, last_error = ?,"
      + " run_at = UTC_TIMESTAMP(6) + INTERVAL ? MICROSECOND, updated_at = UTC_TIMESTAMP(6)" + FENCE;
  private static final String BURY = "UPDATE jobs SET status = 'DEAD', locked_until = NULL, last_error = ?,"
      + " updated_at = UTC_TIMESTAMP(6)" + FENCE;
  private static final String RELEASE = "UPDATE jobs SET status = 'PENDING', locked_until = NULL,"
      + " attempts = attempts - 1, lease_token = lease_token + 1, updated_at = UTC_TIMESTAMP(6)" + FENCE;
  // The attempt that lost its lease counts: a job that kills its worker every time ends DEAD.
  private static final String REAP = "UPDATE jobs SET"
      + " status = IF(attempts >= max_attempts, 'DEAD', 'PENDING'),"
      + " last_error = CONCAT('lease expired: worker ', COALESCE(locked_by, '?'), ' stopped renewing it'),"
      + " locked_until = NULL, lease_token = lease_token + 1, run_at = UTC_TIMESTAMP(6), updated_at = UTC_TIMESTAMP(6)"
      + " WHERE status = 'RUNNING' AND locked_until < UTC_TIMESTAMP(6) LIMIT " + REAP_BATCH;

  private final Pool pool;
  /** "(?, ?, …)" lists by size: claims pad their id list to a power of two, so few statements get prepared. */
  private final ConcurrentHashMap<Integer, String> leaseStatements = new ConcurrentHashMap<>();

  public JobStore(Pool pool) {
    this.pool = pool;
  }

  /**
   * Inserts a job. With an idempotency key already taken, returns the job that holds it: the
   * unique index decides, so concurrent submissions with one key write one row.
   */
  public Future<Submitted> submit(NewJob job) {
    String id = UUID.randomUUID().toString().replace("-", "");
    Tuple params = Tuple.of(id, job.type(), job.payload().encode(), job.maxAttempts(), job.idempotencyKey());
    return pool.preparedQuery(INSERT).execute(params)
        .compose(inserted -> find(id))
        .map(created -> new Submitted(created, true))
        .recover(error -> {
          if (job.idempotencyKey() != null && error instanceof DatabaseException db && db.getErrorCode() == ER_DUP_ENTRY) {
            return pool.preparedQuery(SELECT_BY_KEY).execute(Tuple.of(job.idempotencyKey()))
                .map(rows -> new Submitted(single(rows), false));
          }
          return Future.failedFuture(error);
        });
  }

  /** The job, or null when there is none with this id. */
  public Future<Job> find(String id) {
    return pool.preparedQuery(SELECT_BY_ID).execute(Tuple.of(id)).map(JobStore::single);
  }

  /**
   * Leases up to {@code limit} due jobs to {@code workerId} in one short transaction: rows locked
   * by another claimer are skipped, not waited for.
   */
  public Future<List<Job>> claim(String workerId, int limit, int leaseSeconds) {
    return pool.withTransaction(conn -> conn.preparedQuery(SELECT_DUE).execute(Tuple.of(limit))
        .compose(rows -> rows.size() == 0 ? Future.succeededFuture(List.of()) : lease(conn, rows, workerId, leaseSeconds)));
  }

  private Future<List<Job>> lease(SqlConnection conn, RowSet<Row> rows, String workerId, int leaseSeconds) {
    List<Job> due = new ArrayList<>(rows.size());
    rows.forEach(row -> due.add(toJob(row)));
    int size = nextPowerOfTwo(due.size());
    Tuple params = Tuple.of(workerId, leaseSeconds);
    for (int i = 0; i < size; i++) {
      params.addString(due.get(Math.min(i, due.size() - 1)).id());
    }
    String sql = leaseStatements.computeIfAbsent(size, n -> LEASE + "(" + "?, ".repeat(n - 1) + "?)");
    return conn.preparedQuery(sql).execute(params).map(updated -> {
      List<Job> leased = new ArrayList<>(due.size());
      for (Job job : due) {
        leased.add(new Job(job.id(), job.type(), JobStatus.RUNNING, job.payload(), job.attempts() + 1, job.maxAttempts(),
            job.idempotencyKey(), job.runAt(), workerId, null, job.leaseToken() + 1, job.lastError(),
            job.createdAt(), job.updatedAt()));
      }
      return leased;
    });
  }

  private static int nextPowerOfTwo(int n) {
    return n <= 1 ? 1 : Integer.highestOneBit(n - 1) << 1;
  }

  /** Extends the lease; false when it was lost. */
  public Future<Boolean> renew(Job job, int leaseSeconds) {
    return fenced(RENEW, Tuple.of(leaseSeconds), job);
  }

  public Future<Boolean> complete(Job job) {
    return fenced(COMPLETE, Tuple.tuple(), job);
  }

  /** Back to PENDING, due again after {@code delayMs}. */
  public Future<Boolean> retry(Job job, long delayMs, String error) {
    return fenced(RETRY, Tuple.of(error, delayMs * 1000), job);
  }

  /** To the dead-letter queue. */
  public Future<Boolean> bury(Job job, String error) {
    return fenced(BURY, Tuple.of(error), job);
  }

  /** Gives back a job that was leased but never started; the attempt is not counted. */
  public Future<Boolean> release(Job job) {
    return fenced(RELEASE, Tuple.tuple(), job);
  }

  /** Makes jobs whose lease expired (their worker died or stalled) claimable again; returns how many. */
  public Future<Integer> reapExpiredLeases() {
    return pool.query(REAP).execute().map(RowSet::rowCount);
  }

  /** A round trip to the database, for health checks. */
  public Future<Void> ping() {
    return pool.query("SELECT 1").execute().mapEmpty();
  }

  private Future<Boolean> fenced(String sql, Tuple params, Job job) {
    params.addString(job.id()).addLong(job.leaseToken());
    return pool.preparedQuery(sql).execute(params).map(rows -> rows.rowCount() == 1);
  }

  private static Job single(RowSet<Row> rows) {
    return rows.size() == 0 ? null : toJob(rows.iterator().next());
  }

  private static Job toJob(Row row) {
    return new Job(
        row.getString("id"),
        row.getString("type"),
        JobStatus.valueOf(row.getString("status")),
        json(row.getValue("payload")),
        row.getInteger("attempts"),
        row.getInteger("max_attempts"),
        row.getString("idempotency_key"),
        instant(row.getLocalDateTime("run_at")),
        row.getString("locked_by"),
        instant(row.getLocalDateTime("locked_until")),
        row.getLong("lease_token"),
        row.getString("last_error"),
        instant(row.getLocalDateTime("created_at")),
        instant(row.getLocalDateTime("updated_at")));
  }

  /** JSON columns decode to JsonObject on MySQL but to text on MariaDB (JSON is LONGTEXT there). */
  private static JsonObject json(Object value) {
    if (value instanceof JsonObject object) {
      return object;
    }
    if (value instanceof Buffer buffer) {
      return new JsonObject(buffer);
    }
    return new JsonObject(String.valueOf(value));
  }

  private static Instant instant(LocalDateTime utc) {
    return utc == null ? null : utc.toInstant(ZoneOffset.UTC);
  }
}
