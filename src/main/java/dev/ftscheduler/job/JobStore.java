package dev.ftscheduler.job;

import dev.ftscheduler.handler.LeaseLostException;
import dev.ftscheduler.schedule.Schedule;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.DatabaseException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * All SQL of the scheduler. Times come from the database clock. Every write a worker makes for a
 * job is fenced by the job's lease token: it matches one row, or none when the lease was lost,
 * and then the caller gets {@code false} (or a {@link LeaseLostException}) and must write nothing
 * more for that job.
 */
public final class JobStore {

  /** MySQL and MariaDB error for a duplicate key. */
  private static final int ER_DUP_ENTRY = 1062;
  /** Expired leases handed back per reaper pass: a bounded transaction even after a long outage. */
  private static final int REAP_BATCH = 500;
  /** The guard row that says a job finished; step keys of handlers cannot start with '$'. */
  public static final String JOB_FINISHED_STEP = "$job";

  private static final String COLUMNS = "id, type, queue, priority, status, payload, attempts, max_attempts, timeout_ms, idempotency_key,"
      + " run_at, locked_by, locked_until, lease_token, last_error, created_at, updated_at, trace_context";
  private static final String SELECT_BY_ID = "SELECT " + COLUMNS + " FROM jobs WHERE id = ?";
  private static final String SELECT_BY_KEY = "SELECT " + COLUMNS + " FROM jobs WHERE idempotency_key = ?";
  private static final String INSERT_INTO = "INSERT INTO jobs (id, type, status, payload, attempts, max_attempts,"
      + " timeout_ms, idempotency_key, trace_context, priority, queue, run_at, lease_token, created_at, updated_at) VALUES ";
  // run_at: the one asked for, else now plus the delay (0 by default)
  private static final String NEW_ROW = "(?, ?, 'PENDING', ?, 0, ?, ?, ?, ?, ?, ?,"
      + " COALESCE(?, UTC_TIMESTAMP(6) + INTERVAL ? MICROSECOND), 0, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))";
  private static final String INSERT = INSERT_INTO + NEW_ROW;
  /** Rows per multi-row insert: a batch is written in chunks of these sizes, so few statements get prepared. */
  private static final int MAX_INSERT_ROWS = 512;
  // FORCE INDEX: a small table tempts the optimizer into a scan and sort, which locks every row it reads
  // and leaves nothing for concurrent claimers to take.
  // Only a job that ran before can have finished before: the guard lookup is skipped for first attempts.
  private static final String SELECT_DUE = "SELECT " + COLUMNS + ", attempts > 0 AND EXISTS (SELECT 1 FROM job_executions e"
      + " WHERE e.job_id = jobs.id AND e.step_key = '" + JOB_FINISHED_STEP + "') AS finished_before"
      + " FROM jobs FORCE INDEX (ix_jobs_queue_claim)"
      + " WHERE status = 'PENDING' AND queue = ? AND run_at <= UTC_TIMESTAMP(6)"
      + " ORDER BY priority, run_at, id LIMIT ? FOR UPDATE SKIP LOCKED";
  private static final String LEASE = "UPDATE jobs SET status = 'RUNNING', locked_by = ?,"
      + " locked_until = UTC_TIMESTAMP(6) + INTERVAL ? SECOND, lease_token = lease_token + 1,"
      + " attempts = attempts + 1, updated_at = UTC_TIMESTAMP(6) WHERE id IN ";
  private static final String FENCE = " WHERE id = ? AND lease_token = ? AND status = 'RUNNING'";
  // a job whose cancellation was requested is not renewed: the worker then asks why (see renew)
  private static final String RENEW = "UPDATE jobs SET locked_until = UTC_TIMESTAMP(6) + INTERVAL ? SECOND" + FENCE
      + " AND NOT cancel_requested";
  private static final String CANCELLED = "UPDATE jobs SET status = 'CANCELLED', locked_until = NULL,"
      + " updated_at = UTC_TIMESTAMP(6)" + FENCE;
  private static final String RETRY = "UPDATE jobs SET status = 'PENDING', locked_until = NULL, last_error = ?,"
      + " run_at = UTC_TIMESTAMP(6) + INTERVAL ? MICROSECOND, updated_at = UTC_TIMESTAMP(6)" + FENCE;
  private static final String BURY = "UPDATE jobs SET status = 'DEAD', locked_until = NULL, last_error = ?,"
      + " updated_at = UTC_TIMESTAMP(6)" + FENCE;
  private static final String RELEASE = "UPDATE jobs SET status = 'PENDING', locked_until = NULL,"
      + " attempts = attempts - 1, lease_token = lease_token + 1, updated_at = UTC_TIMESTAMP(6)" + FENCE;
  // An attempt's row is written when it ends: it started when the claim set updated_at, which
  // nothing else changes while the job is RUNNING. The fence in the WHERE makes it the ownership check too.
  private static final String END_ATTEMPT = "INSERT INTO job_attempts (job_id, attempt, worker_id, started_at,"
      + " finished_at, outcome, error) SELECT id, attempts, COALESCE(locked_by, '?'), updated_at, UTC_TIMESTAMP(6), ?, ?"
      + " FROM jobs" + FENCE;
  private static final String LOCK_RUNNING = "SELECT id, lease_token FROM jobs WHERE status = 'RUNNING' AND id IN %s"
      + " FOR UPDATE";
  private static final String END_SUCCESSFUL_ATTEMPTS = "INSERT INTO job_attempts (job_id, attempt, worker_id,"
      + " started_at, finished_at, outcome) SELECT id, attempts, COALESCE(locked_by, '?'), updated_at,"
      + " UTC_TIMESTAMP(6), 'SUCCESS' FROM jobs WHERE id IN %s";
  /** The jobs of a group whose (id, lease_token) still match: "id IN (…) AND (id, lease_token) IN ((?, ?), …)". */
  private static final String OWNED = "%s AND status = 'RUNNING' AND (id, lease_token) IN %s";
  private static final String COMPLETE = "UPDATE jobs SET status = 'SUCCESS', locked_until = NULL,"
      + " updated_at = UTC_TIMESTAMP(6) WHERE id IN %s";
  private static final String MARK_FINISHED = "INSERT INTO job_executions (job_id, step_key, created_at)"
      + " SELECT id, '" + JOB_FINISHED_STEP + "', UTC_TIMESTAMP(6) FROM jobs WHERE id IN %s ON DUPLICATE KEY UPDATE job_id = job_id";
  private static final String LOCK_JOB = "SELECT lease_token, status FROM jobs WHERE id = ? FOR UPDATE";
  private static final String INSERT_GUARD = "INSERT INTO job_executions (job_id, step_key, created_at)"
      + " VALUES (?, ?, UTC_TIMESTAMP(6))";
  private static final String SELECT_GUARD = "SELECT 1 FROM job_executions WHERE job_id = ? AND step_key = ?";
  private static final String SELECT_EXPIRED = "SELECT id, lease_token, locked_by FROM jobs FORCE INDEX (ix_jobs_queue_claim)"
      + " WHERE status = 'RUNNING' AND locked_until < UTC_TIMESTAMP(6) LIMIT " + REAP_BATCH + " FOR UPDATE SKIP LOCKED";
  // The attempt that lost its lease counts: a job that kills its worker every time ends DEAD.
  private static final String REAP = "UPDATE jobs SET status = IF(attempts >= max_attempts, 'DEAD', 'PENDING'),"
      + " last_error = ?, locked_until = NULL, lease_token = lease_token + 1, run_at = UTC_TIMESTAMP(6),"
      + " updated_at = UTC_TIMESTAMP(6) WHERE id = ?";

  private final Pool pool;
  /** "(?, ?, …)" lists by size: claims pad their id list to a power of two, so few statements get prepared. */
  private final ConcurrentHashMap<Integer, String> inLists = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Integer, String> inserts = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Integer, String> tokenPairs = new ConcurrentHashMap<>();

  public JobStore(Pool pool) {
    this.pool = pool;
  }

  /**
   * Inserts a job. With an idempotency key already taken, returns the job that holds it: the
   * unique index decides, so concurrent submissions with one key write one row.
   */
  public Future<Submitted> submit(NewJob job) {
    String id = newId();
    Tuple params = Tuple.tuple();
    addRow(params, id, job);
    return pool.preparedQuery(INSERT).execute(params)
        .compose(inserted -> find(id))
        .map(created -> new Submitted(created, true))
        .recover(error -> {
          if (job.idempotencyKey() != null && isDuplicateKey(error)) {
            return pool.preparedQuery(SELECT_BY_KEY).execute(Tuple.of(job.idempotencyKey()))
                .map(rows -> new Submitted(single(rows), false));
          }
          return Future.failedFuture(error);
        });
  }

  /**
   * Inserts many jobs in one transaction with multi-row inserts. A job whose idempotency key is
   * taken (by an earlier job, or earlier in this batch) is not inserted; its entry names the job
   * that holds the key. Per job, in order: its id, and whether this call created it.
   */
  public Future<List<BatchEntry>> submitAll(List<NewJob> jobs) {
    List<String> ids = jobs.stream().map(job -> newId()).toList();
    return pool.withTransaction(conn -> {
      Future<Void> inserted = Future.succeededFuture();
      int from = 0;
      while (from < jobs.size()) {
        int rows = Math.min(MAX_INSERT_ROWS, Integer.highestOneBit(jobs.size() - from));
        Tuple params = Tuple.tuple();
        for (int i = from; i < from + rows; i++) {
          addRow(params, ids.get(i), jobs.get(i));
        }
        String sql = inserts.computeIfAbsent(rows, n -> INSERT_INTO + (NEW_ROW + ", ").repeat(n - 1) + NEW_ROW
            + " ON DUPLICATE KEY UPDATE id = id");
        inserted = inserted.compose(v -> conn.preparedQuery(sql).execute(params).mapEmpty());
        from += rows;
      }
      List<String> keys = jobs.stream().map(NewJob::idempotencyKey).filter(Objects::nonNull).distinct().toList();
      if (keys.isEmpty()) {
        return inserted.map(v -> ids.stream().map(id -> new BatchEntry(id, true)).toList());
      }
      Tuple keyParams = Tuple.tuple();
      String inList = paddedIds(keys, keyParams);
      return inserted
          .compose(v -> conn.preparedQuery("SELECT id, idempotency_key FROM jobs WHERE idempotency_key IN " + inList)
              .execute(keyParams))
          .map(rows -> {
            Map<String, String> holders = new HashMap<>();
            rows.forEach(row -> holders.put(row.getString("idempotency_key"), row.getString("id")));
            List<BatchEntry> entries = new ArrayList<>(jobs.size());
            for (int i = 0; i < jobs.size(); i++) {
              String key = jobs.get(i).idempotencyKey();
              String id = key == null ? ids.get(i) : holders.get(key);
              entries.add(new BatchEntry(id, id.equals(ids.get(i))));
            }
            return entries;
          });
    });
  }

  private static String newId() {
    return UUID.randomUUID().toString().replace("-", "");
  }

  private static void addRow(Tuple params, String id, NewJob job) {
    params.addString(id).addString(job.type()).addString(job.payload().encode()).addInteger(job.maxAttempts())
        .addValue(job.timeoutMs()).addValue(job.idempotencyKey()).addValue(job.traceContext())
        .addInteger(job.priority())
        .addString(job.queue())
        .addValue(job.runAt() == null ? null : LocalDateTime.ofInstant(job.runAt(), ZoneOffset.UTC))
        .addLong(job.delayMs() * 1000);
  }

  /** The job, or null when there is none with this id. */
  public Future<Job> find(String id) {
    return pool.preparedQuery(SELECT_BY_ID).execute(Tuple.of(id)).map(JobStore::single);
  }

  /**
   * Leases up to {@code limit} due jobs to {@code workerId} in one short transaction — rows locked
   * by another claimer are skipped, not waited for — and starts an attempt row for each.
   */
  public Future<List<Job>> claim(String queue, String workerId, int limit, int leaseSeconds) {
    return pool.withTransaction(conn -> conn.preparedQuery(SELECT_DUE).execute(Tuple.of(queue, limit))
        .compose(rows -> rows.size() == 0 ? Future.succeededFuture(List.of()) : lease(conn, rows, workerId, leaseSeconds)));
  }

  private Future<List<Job>> lease(SqlConnection conn, RowSet<Row> rows, String workerId, int leaseSeconds) {
    List<Job> leased = new ArrayList<>(rows.size());
    rows.forEach(row -> leased.add(toJob(row).leasedTo(workerId, row.getLong("finished_before") == 1)));
    Tuple params = Tuple.of(workerId, leaseSeconds);
    String inList = paddedIds(leased.stream().map(Job::id).toList(), params);
    return conn.preparedQuery(LEASE + inList).execute(params).map(updated -> leased);
  }

  /**
   * Adds the ids to {@code params}, padded to a power of two by repeating the last one, and returns
   * the matching "(?, ?, …)": statements with IN lists come in few sizes, so few get prepared.
   */
  private String paddedIds(List<String> ids, Tuple params) {
    int size = nextPowerOfTwo(ids.size());
    for (int i = 0; i < size; i++) {
      params.addString(ids.get(Math.min(i, ids.size() - 1)));
    }
    return inLists.computeIfAbsent(size, n -> "(" + "?, ".repeat(n - 1) + "?)");
  }

  private static int nextPowerOfTwo(int n) {
    return n <= 1 ? 1 : Integer.highestOneBit(n - 1) << 1;
  }

  /** What a lease renewal found. */
  public enum Renewal { RENEWED, LOST, CANCEL_REQUESTED }

  /** Extends the lease, unless it was lost or the job's cancellation was requested. */
  public Future<Renewal> renew(Job job, int leaseSeconds) {
    Tuple params = Tuple.of(leaseSeconds, job.id(), job.leaseToken());
    return pool.preparedQuery(RENEW).execute(params).compose(rows -> rows.rowCount() == 1
        ? Future.succeededFuture(Renewal.RENEWED)
        : pool.preparedQuery("SELECT 1 FROM jobs WHERE id = ? AND lease_token = ? AND status = 'RUNNING'"
            + " AND cancel_requested").execute(Tuple.of(job.id(), job.leaseToken()))
            .map(cancel -> cancel.size() == 1 ? Renewal.CANCEL_REQUESTED : Renewal.LOST));
  }

  /**
   * Cancels a job: a PENDING one at once (→ CANCELLED), a RUNNING one by asking its worker to stop.
   * Returns the job's status before, or null when there is no such job.
   */
  public Future<JobStatus> cancel(String id) {
    return pool.withTransaction(conn -> conn.preparedQuery("SELECT status FROM jobs WHERE id = ? FOR UPDATE")
        .execute(Tuple.of(id)).compose(rows -> {
          if (rows.size() == 0) {
            return Future.succeededFuture(null);
          }
          JobStatus status = JobStatus.valueOf(rows.iterator().next().getString("status"));
          String change = switch (status) {
            case PENDING -> "UPDATE jobs SET status = 'CANCELLED', updated_at = UTC_TIMESTAMP(6) WHERE id = ?";
            case RUNNING -> "UPDATE jobs SET cancel_requested = TRUE WHERE id = ?";
            default -> null;
          };
          return change == null ? Future.succeededFuture(status)
              : conn.preparedQuery(change).execute(Tuple.of(id)).map(status);
        }));
  }

  /** The attempt ended by a cancellation: CANCELLED, fenced. False when the lease was lost. */
  public Future<Boolean> cancelled(Job job) {
    return pool.withTransaction(conn -> fenced(conn, END_ATTEMPT, Tuple.of("CANCELLED", "cancelled through the API"), job)
        .compose(owned -> owned ? fenced(conn, CANCELLED, Tuple.tuple(), job) : Future.succeededFuture(false)));
  }

  /** SUCCESS, with the guard row that says so. False when the lease was lost. */
  public Future<Boolean> complete(Job job) {
    return completeAll(List.of(job)).map(owned -> owned.get(0));
  }

  /**
   * SUCCESS for a group of jobs in one transaction — one commit for all — each fenced by its own
   * lease token. Per job, in order: whether it was still owned, and so recorded.
   */
  public Future<List<Boolean>> completeAll(List<Job> jobs) {
    return pool.withTransaction(conn -> completeIfAllOwned(conn, jobs))
        .map(true)
        // rolled back: some job's lease was lost
        .recover(error -> error instanceof LeaseLostException ? Future.succeededFuture(false) : Future.failedFuture(error))
        .compose(all -> all ? Future.succeededFuture(jobs.stream().map(job -> true).toList())
            : pool.withTransaction(conn -> completeOwned(conn, jobs)));
  }

  /**
   * The usual case in three statements: every job still holds its lease. The attempt rows are
   * inserted only for rows whose token matches, which also locks them; if any job's lease was lost
   * it fails with {@link LeaseLostException}, the transaction is rolled back, and
   * {@link #completeOwned} sorts the group out.
   */
  private Future<Void> completeIfAllOwned(SqlConnection conn, List<Job> jobs) {
    Tuple params = Tuple.tuple();
    String ids = paddedIds(jobs.stream().map(Job::id).toList(), params);
    int pairs = nextPowerOfTwo(jobs.size());
    for (int i = 0; i < pairs; i++) {
      Job job = jobs.get(Math.min(i, jobs.size() - 1));
      params.addString(job.id()).addLong(job.leaseToken());
    }
    String owned = String.format(OWNED, ids, tokenPairs.computeIfAbsent(pairs, n -> "(" + "(?, ?), ".repeat(n - 1) + "(?, ?))"));
    return conn.preparedQuery(String.format(END_SUCCESSFUL_ATTEMPTS, owned)).execute(params).compose(inserted -> {
      if (inserted.rowCount() != jobs.size()) {
        return Future.failedFuture(new LeaseLostException(jobs.size() - inserted.rowCount() + " of the group's jobs"));
      }
      Tuple idParams = Tuple.tuple();
      String mine = paddedIds(jobs.stream().map(Job::id).toList(), idParams);
      return conn.preparedQuery(String.format(COMPLETE, mine)).execute(idParams)
          .compose(v -> conn.preparedQuery(String.format(MARK_FINISHED, mine)).execute(idParams))
          .mapEmpty();
    });
  }

  /** A group where some job lost its lease: lock the rows, then complete the ones still owned. */
  private Future<List<Boolean>> completeOwned(SqlConnection conn, List<Job> jobs) {
    Tuple lockParams = Tuple.tuple();
    String all = paddedIds(jobs.stream().map(Job::id).toList(), lockParams);
    return conn.preparedQuery(String.format(LOCK_RUNNING, all)).execute(lockParams).compose(rows -> {
      Map<String, Long> tokens = new HashMap<>();
      rows.forEach(row -> tokens.put(row.getString("id"), row.getLong("lease_token")));
      List<Boolean> owned = jobs.stream().map(job -> Long.valueOf(job.leaseToken()).equals(tokens.get(job.id()))).toList();
      List<String> ownedIds = new ArrayList<>();
      for (int i = 0; i < jobs.size(); i++) {
        if (owned.get(i)) {
          ownedIds.add(jobs.get(i).id());
        }
      }
      if (ownedIds.isEmpty()) {
        return Future.succeededFuture(owned);
      }
      Tuple params = Tuple.tuple();
      String mine = paddedIds(ownedIds, params);
      return conn.preparedQuery(String.format(END_SUCCESSFUL_ATTEMPTS, mine)).execute(params)
          .compose(v -> conn.preparedQuery(String.format(COMPLETE, mine)).execute(params))
          .compose(v -> conn.preparedQuery(String.format(MARK_FINISHED, mine)).execute(params))
          .map(owned);
    });
  }

  /** Back to PENDING, due again after {@code delayMs}. False when the lease was lost. */
  public Future<Boolean> retry(Job job, long delayMs, String error) {
    return fail(job, RETRY, Tuple.of(error, delayMs * 1000), error);
  }

  /** To the dead-letter queue. False when the lease was lost. */
  public Future<Boolean> bury(Job job, String error) {
    return fail(job, BURY, Tuple.of(error), error);
  }

  /** Gives back a job that was leased but never started; the attempt is not counted. */
  public Future<Boolean> release(Job job) {
    return pool.withTransaction(conn -> fenced(conn, RELEASE, Tuple.tuple(), job));
  }

  /** The failed attempt's row and the job's fenced state change, in one transaction. */
  private Future<Boolean> fail(Job job, String sql, Tuple params, String error) {
    return pool.withTransaction(conn -> fenced(conn, END_ATTEMPT, Tuple.of("FAILURE", error), job)
        .compose(owned -> owned ? fenced(conn, sql, params, job) : Future.succeededFuture(false)));
  }

  private static Future<Boolean> fenced(SqlConnection conn, String sql, Tuple params, Job job) {
    params.addString(job.id()).addLong(job.leaseToken());
    return conn.preparedQuery(sql).execute(params).map(rows -> rows.rowCount() == 1);
  }

  /**
   * Runs {@code effect} exactly once for this job and step: in one transaction that locks the job
   * row, checks the lease token, and inserts the step's guard row. Completes with null, without
   * running the effect, when the guard row was there already.
   */
  public <T> Future<T> databaseStep(Job job, String stepKey, Function<SqlConnection, Future<T>> effect) {
    return pool.withTransaction(conn -> holdLease(conn, job)
        .compose(held -> insertGuard(conn, job.id(), stepKey))
        .compose(fresh -> fresh ? effect.apply(conn) : Future.succeededFuture()));
  }

  /** Whether a step's guard row exists. */
  public Future<Boolean> stepDone(Job job, String stepKey) {
    return pool.preparedQuery(SELECT_GUARD).execute(Tuple.of(job.id(), stepKey)).map(rows -> rows.size() > 0);
  }

  /** Records a step done outside the database, if this attempt still holds the lease. */
  public Future<Void> recordStep(Job job, String stepKey) {
    return pool.withTransaction(conn -> holdLease(conn, job).compose(held -> insertGuard(conn, job.id(), stepKey)))
        .mapEmpty();
  }

  /** Locks the job row until commit, so no claim or reaper can take the job in between; fails if the lease is gone. */
  private static Future<Void> holdLease(SqlConnection conn, Job job) {
    return conn.preparedQuery(LOCK_JOB).execute(Tuple.of(job.id())).compose(rows -> {
      Row row = rows.size() == 0 ? null : rows.iterator().next();
      boolean held = row != null && row.getLong("lease_token") == job.leaseToken() && "RUNNING".equals(row.getString("status"));
      return held ? Future.succeededFuture() : Future.failedFuture(new LeaseLostException(job.id()));
    });
  }

  /** True when the guard row is new, false when it was there already. */
  private static Future<Boolean> insertGuard(SqlConnection conn, String jobId, String stepKey) {
    return conn.preparedQuery(INSERT_GUARD).execute(Tuple.of(jobId, stepKey))
        .map(true)
        .recover(error -> isDuplicateKey(error) ? Future.succeededFuture(false) : Future.failedFuture(error));
  }

  /**
   * Makes jobs whose lease expired (their worker died or stalled) claimable again, or DEAD when
   * that was their last attempt, and ends those attempts as LEASE_EXPIRED; returns how many.
   */
  public Future<Integer> reapExpiredLeases() {
    return pool.withTransaction(conn -> conn.query(SELECT_EXPIRED).execute().compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture(0);
      }
      List<Tuple> attempts = new ArrayList<>();
      List<Tuple> jobs = new ArrayList<>();
      for (Row row : rows) {
        String error = "lease expired: worker " + row.getString("locked_by") + " stopped renewing it";
        attempts.add(Tuple.of("LEASE_EXPIRED", error, row.getString("id"), row.getLong("lease_token")));
        jobs.add(Tuple.of(error, row.getString("id")));
      }
      return conn.preparedQuery(END_ATTEMPT).executeBatch(attempts)
          .compose(ended -> conn.preparedQuery(REAP).executeBatch(jobs))
          .map(rows.size());
    }));
  }

  /**
   * A page of jobs in (created_at, id) order, oldest first: a page starts after the cursor, so
   * paging misses none and repeats none while new jobs arrive (they come at the end).
   */
  public Future<List<Job>> list(JobFilter filter) {
    StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM jobs WHERE 1 = 1");
    Tuple params = Tuple.tuple();
    if (filter.status() != null) {
      sql.append(" AND status = ?");
      params.addString(filter.status().name());
    }
    if (filter.type() != null) {
      sql.append(" AND type = ?");
      params.addString(filter.type());
    }
    if (filter.queue() != null) {
      sql.append(" AND queue = ?");
      params.addString(filter.queue());
    }
    if (filter.createdFrom() != null) {
      sql.append(" AND created_at >= ?");
      params.addValue(utc(filter.createdFrom()));
    }
    if (filter.createdBefore() != null) {
      sql.append(" AND created_at < ?");
      params.addValue(utc(filter.createdBefore()));
    }
    if (filter.after() != null) {
      sql.append(" AND (created_at > ? OR (created_at = ? AND id > ?))");
      params.addValue(utc(filter.after().createdAt())).addValue(utc(filter.after().createdAt()))
          .addString(filter.after().id());
    }
    sql.append(" ORDER BY created_at, id LIMIT ?");
    params.addInteger(filter.limit());
    return pool.preparedQuery(sql.toString()).execute(params).map(rows -> {
      List<Job> jobs = new ArrayList<>(rows.size());
      rows.forEach(row -> jobs.add(toJob(row)));
      return jobs;
    });
  }

  /** The attempts of a job, oldest first; empty when there is no such job or it has not run. */
  public Future<List<JsonObject>> attempts(String jobId) {
    return pool.preparedQuery("SELECT attempt, worker_id, started_at, finished_at, outcome, error FROM job_attempts"
        + " WHERE job_id = ? ORDER BY attempt").execute(Tuple.of(jobId)).map(rows -> {
          List<JsonObject> attempts = new ArrayList<>(rows.size());
          for (Row row : rows) {
            attempts.add(new JsonObject()
                .put("attempt", row.getInteger("attempt"))
                .put("worker_id", row.getString("worker_id"))
                .put("started_at", instant(row.getLocalDateTime("started_at")).toString())
                .put("finished_at", instant(row.getLocalDateTime("finished_at")).toString())
                .put("outcome", row.getString("outcome"))
                .put("error", row.getString("error")));
          }
          return attempts;
        });
  }

  /**
   * A DEAD or CANCELLED job runnable again, now, with {@code extraAttempts} more attempts (its
   * attempts keep counting). False when the job is neither.
   */
  public Future<Boolean> retryDead(String id, int extraAttempts) {
    return pool.preparedQuery("UPDATE jobs SET status = 'PENDING', max_attempts = attempts + ?, cancel_requested = FALSE,"
        + " run_at = UTC_TIMESTAMP(6), locked_until = NULL, updated_at = UTC_TIMESTAMP(6)"
        + " WHERE id = ? AND status IN ('DEAD', 'CANCELLED')").execute(Tuple.of(extraAttempts, id))
        .map(rows -> rows.rowCount() == 1);
  }

  /** Deletes a finished (SUCCESS, DEAD or CANCELLED) job with its attempts and guard rows. False when it is not finished. */
  public Future<Boolean> deleteFinished(String id) {
    return pool.withTransaction(conn -> conn.preparedQuery("DELETE FROM jobs WHERE id = ? AND status IN ('SUCCESS', 'DEAD', 'CANCELLED')")
        .execute(Tuple.of(id)).compose(deleted -> deleted.rowCount() == 0 ? Future.succeededFuture(false)
            : conn.preparedQuery("DELETE FROM job_attempts WHERE job_id = ?").execute(Tuple.of(id))
                .compose(v -> conn.preparedQuery("DELETE FROM job_executions WHERE job_id = ?").execute(Tuple.of(id)))
                .map(true)));
  }

  private static LocalDateTime utc(Instant instant) {
    return LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
  }

  /**
   * Takes or extends the named lease for {@code holder}: true while this holder has it. One holder
   * at a time across every process; a holder that dies loses it when it runs out.
   */
  public Future<Boolean> holdLease(String name, String holder, Duration length) {
    return pool.preparedQuery("UPDATE leases SET holder = ?, until = UTC_TIMESTAMP(6) + INTERVAL ? MICROSECOND"
        + " WHERE name = ? AND (until IS NULL OR until < UTC_TIMESTAMP(6) OR holder = ?)")
        .execute(Tuple.of(holder, length.toNanos() / 1000, name, holder)).map(rows -> rows.rowCount() == 1);
  }

  /**
   * Deletes up to {@code limit} jobs of these statuses that finished more than {@code age} ago, with
   * their attempts and guard rows; returns how many. (created_at ≤ updated_at: the created_at index
   * narrows the scan, updated_at decides.)
   */
  public Future<Integer> deleteFinishedBefore(List<JobStatus> statuses, Duration age, int limit) {
    String in = "(" + "?, ".repeat(statuses.size() - 1) + "?)";
    long micros = age.toNanos() / 1000;
    Tuple params = Tuple.of(micros, micros);
    statuses.forEach(status -> params.addString(status.name()));
    params.addInteger(limit);
    return pool.withTransaction(conn -> conn.preparedQuery("SELECT id FROM jobs"
        + " WHERE created_at < UTC_TIMESTAMP(6) - INTERVAL ? MICROSECOND"
        + " AND updated_at < UTC_TIMESTAMP(6) - INTERVAL ? MICROSECOND AND status IN " + in
        + " ORDER BY created_at LIMIT ? FOR UPDATE SKIP LOCKED").execute(params).compose(rows -> {
          if (rows.size() == 0) {
            return Future.succeededFuture(0);
          }
          List<String> ids = new ArrayList<>();
          rows.forEach(row -> ids.add(row.getString("id")));
          Tuple idParams = Tuple.tuple();
          String idList = paddedIds(ids, idParams);
          return conn.preparedQuery("DELETE FROM job_attempts WHERE job_id IN " + idList).execute(idParams)
              .compose(v -> conn.preparedQuery("DELETE FROM job_executions WHERE job_id IN " + idList).execute(idParams))
              .compose(v -> conn.preparedQuery("DELETE FROM jobs WHERE id IN " + idList).execute(idParams))
              .map(ids.size());
        }));
  }

  // --- cron schedules -------------------------------------------------------------------

  private static final String SCHEDULE_COLUMNS = "name, cron, timezone, type, queue, payload, enabled, next_run_at,"
      + " created_at, updated_at";

  /** The database's clock, for computing a schedule's next tick. */
  public Future<Instant> now() {
    return pool.query("SELECT UTC_TIMESTAMP(6) AS now").execute()
        .map(rows -> instant(rows.iterator().next().getLocalDateTime("now")));
  }

  /** False when a schedule of that name exists. */
  public Future<Boolean> createSchedule(Schedule s) {
    return pool.preparedQuery("INSERT INTO schedules (" + SCHEDULE_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?,"
        + " UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))").execute(scheduleParams(s))
        .map(true)
        .recover(error -> isDuplicateKey(error) ? Future.succeededFuture(false) : Future.failedFuture(error));
  }

  /** False when there is no schedule of that name. */
  public Future<Boolean> replaceSchedule(Schedule s) {
    Tuple params = Tuple.of(s.cron(), s.timezone(), s.type(), s.queue(), s.payload().encode(), s.enabled(),
        s.nextRunAt() == null ? null : utc(s.nextRunAt()), s.name());
    return pool.preparedQuery("UPDATE schedules SET cron = ?, timezone = ?, type = ?, queue = ?, payload = ?, enabled = ?,"
        + " next_run_at = ?, updated_at = UTC_TIMESTAMP(6) WHERE name = ?").execute(params)
        .map(rows -> rows.rowCount() == 1);
  }

  public Future<Schedule> findSchedule(String name) {
    return pool.preparedQuery("SELECT " + SCHEDULE_COLUMNS + " FROM schedules WHERE name = ?").execute(Tuple.of(name))
        .map(rows -> rows.size() == 0 ? null : toSchedule(rows.iterator().next()));
  }

  public Future<List<Schedule>> listSchedules() {
    return pool.query("SELECT " + SCHEDULE_COLUMNS + " FROM schedules ORDER BY name").execute().map(rows -> {
      List<Schedule> schedules = new ArrayList<>();
      rows.forEach(row -> schedules.add(toSchedule(row)));
      return schedules;
    });
  }

  public Future<Boolean> deleteSchedule(String name) {
    return pool.preparedQuery("DELETE FROM schedules WHERE name = ?").execute(Tuple.of(name))
        .map(rows -> rows.rowCount() == 1);
  }

  /**
   * Fires the schedules that are due, one transaction: each due tick becomes a job whose
   * idempotency key is {@code schedule:<name>:<tick epoch ms>} (so a tick never makes two jobs, even
   * if two processes fire it), and the schedule moves to {@code next(schedule, now)}. Rows locked by
   * another process are skipped. Returns the queues that got a new job.
   */
  public Future<List<String>> fireDueSchedules(int limit, int maxAttempts, BiFunction<Schedule, Instant, Instant> next) {
    return pool.withTransaction(conn -> conn.preparedQuery("SELECT " + SCHEDULE_COLUMNS + ", UTC_TIMESTAMP(6) AS now"
        + " FROM schedules WHERE enabled AND next_run_at <= UTC_TIMESTAMP(6) ORDER BY next_run_at LIMIT ?"
        + " FOR UPDATE SKIP LOCKED").execute(Tuple.of(limit)).compose(rows -> {
          Future<List<String>> fired = Future.succeededFuture(new ArrayList<>());
          for (Row row : rows) {
            Schedule schedule = toSchedule(row);
            Instant now = instant(row.getLocalDateTime("now"));
            Instant following = next.apply(schedule, now);
            NewJob job = new NewJob(schedule.type(), schedule.queue(), schedule.payload(), maxAttempts, null,
                "schedule:" + schedule.name() + ":" + schedule.nextRunAt().toEpochMilli(), null, NewJob.DEFAULT_PRIORITY,
                null, 0);
            Tuple params = Tuple.tuple();
            addRow(params, newId(), job);
            fired = fired.compose(queues -> conn.preparedQuery(INSERT + " ON DUPLICATE KEY UPDATE id = id").execute(params)
                .compose(inserted -> conn.preparedQuery("UPDATE schedules SET next_run_at = ? WHERE name = ?")
                    .execute(Tuple.of(following == null ? null : utc(following), schedule.name())))
                .map(updated -> {
                  queues.add(schedule.queue());
                  return queues;
                }));
          }
          return fired;
        }));
  }

  private static Tuple scheduleParams(Schedule s) {
    return Tuple.of(s.name(), s.cron(), s.timezone(), s.type(), s.queue(), s.payload().encode(), s.enabled(),
        s.nextRunAt() == null ? null : utc(s.nextRunAt()));
  }

  private static Schedule toSchedule(Row row) {
    return new Schedule(row.getString("name"), row.getString("cron"), row.getString("timezone"), row.getString("type"),
        row.getString("queue"), json(row.getValue("payload")), ((Number) row.getValue("enabled")).intValue() != 0,
        instant(row.getLocalDateTime("next_run_at")), instant(row.getLocalDateTime("created_at")),
        instant(row.getLocalDateTime("updated_at")));
  }

  /** How many jobs each queue has in each status: queue → status → count. */
  public Future<Map<String, Map<String, Long>>> countByQueueAndStatus() {
    return pool.query("SELECT queue, status, COUNT(*) AS jobs FROM jobs GROUP BY queue, status").execute().map(rows -> {
      Map<String, Map<String, Long>> counts = new HashMap<>();
      rows.forEach(row -> counts.computeIfAbsent(row.getString("queue"), q -> new HashMap<>())
          .put(row.getString("status"), row.getLong("jobs")));
      return counts;
    });
  }

  /** A round trip to the database, for health checks. */
  public Future<Void> ping() {
    return pool.query("SELECT 1").execute().mapEmpty();
  }

  private static boolean isDuplicateKey(Throwable error) {
    return error instanceof DatabaseException db && db.getErrorCode() == ER_DUP_ENTRY;
  }

  private static Job single(RowSet<Row> rows) {
    return rows.size() == 0 ? null : toJob(rows.iterator().next());
  }

  private static Job toJob(Row row) {
    return new Job(
        row.getString("id"),
        row.getString("type"),
        row.getString("queue"),
        row.getInteger("priority"),
        JobStatus.valueOf(row.getString("status")),
        json(row.getValue("payload")),
        row.getInteger("attempts"),
        row.getInteger("max_attempts"),
        row.getInteger("timeout_ms"),
        row.getString("idempotency_key"),
        instant(row.getLocalDateTime("run_at")),
        row.getString("locked_by"),
        instant(row.getLocalDateTime("locked_until")),
        row.getLong("lease_token"),
        row.getString("last_error"),
        instant(row.getLocalDateTime("created_at")),
        instant(row.getLocalDateTime("updated_at")),
        row.getString("trace_context"),
        false);
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
