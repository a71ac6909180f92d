// A transaction that spans one unit of work, such as an HTTP request, without the code inside it knowing: every
// query that code makes through the shared Kysely instance runs on the transaction's connection, and the
// stores' own `db.transaction()` calls become savepoints inside it. The HTTP layer uses it so that a write and
// the Idempotency-Key row recording its response commit together (http/idempotency.ts; Stripe's idempotency
// keys, where the key and the response are written in the same atomic phase as the change they guard).
//
// How: openDatabase wraps the dialect's driver in RequestScopedDriver. While code runs inside
// `RequestTransaction.run()` (tracked with AsyncLocalStorage), the driver hands that code the transaction's
// connection instead of one of its own. The transaction begins at the first query (so work before it — parsing,
// a DNS look-up — holds no lock) and ends with `commit()` or `rollback()`; after that the same code gets ordinary
// connections again.
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  CompiledQuery, type DatabaseConnection, type Dialect, type Driver, type Kysely, type QueryCompiler, type QueryResult,
  type TransactionSettings,
} from 'kysely';

const current = new AsyncLocalStorage<RequestTransaction>();
const driverOf = new WeakMap<Kysely<any>, RequestScopedDriver>();

type State = 'pending' | 'open' | 'committed' | 'rolled back';

/** The transaction's connection as handed to one query or nested transaction of the scope. */
class ScopedConnection implements DatabaseConnection {
  savepoint: string | null = null;
  unlock: (() => void) | null = null;
  constructor(readonly scope: RequestTransaction, readonly inner: DatabaseConnection) {}
  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return this.inner.executeQuery<R>(query);
  }
  streamQuery<R>(query: CompiledQuery, chunkSize: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}

/**
 * One request's transaction over one database. Create it with `RequestTransaction.for(db)`, run the work with
 * `run(fn)`, then call exactly one of `commit()` or `rollback()`.
 */
export class RequestTransaction {
  private state: State = 'pending';
  private connection: DatabaseConnection | undefined;
  private opening: Promise<DatabaseConnection> | undefined;
  private savepoints = 0;
  private nestedTail: Promise<void> = Promise.resolve();
  private readonly committed: { resolve: () => void; reject: (error: Error) => void }[] = [];

  private constructor(readonly driver: RequestScopedDriver, private readonly beginSql: readonly string[]) {}

  /**
   * A scope over `db` (a Kysely made by openDatabase). `beginSql`: statements run right after BEGIN, such as
   * PostgreSQL's `set local …` settings for this transaction only.
   */
  static for(db: Kysely<any>, beginSql: readonly string[] = []): RequestTransaction {
    const driver = driverOf.get(db);
    if (!driver) throw new Error('RequestTransaction: this Kysely instance was not made by openDatabase');
    return new RequestTransaction(driver, beginSql);
  }

  /** Runs `fn` with its queries (and everything they await) inside this transaction. */
  run<T>(fn: () => T): T {
    return current.run(this, fn);
  }

  /** Whether queries still go to this transaction (it has not been committed or rolled back). */
  get routing(): boolean {
    return this.state === 'pending' || this.state === 'open';
  }

  /** The open transaction's connection, beginning the transaction on first use. */
  async connectionForQuery(): Promise<DatabaseConnection> {
    if (this.state === 'open') return this.connection!;
    this.opening ??= (async () => {
      const connection = await this.driver.acquireOwnConnection();
      try {
        await this.driver.inner.beginTransaction(connection, {});
        for (const statement of this.beginSql) await connection.executeQuery(CompiledQuery.raw(statement));
      } catch (error) {
        await this.driver.inner.rollbackTransaction(connection).catch(() => undefined);
        await this.driver.releaseOwnConnection(connection);
        this.state = 'rolled back';
        throw error;
      }
      this.connection = connection;
      this.state = 'open';
      return connection;
    })();
    return this.opening;
  }

  /** A store's own transaction inside this one: a savepoint; nested transactions of the scope take turns. */
  async beginNested(connection: ScopedConnection): Promise<void> {
    let unlock!: () => void;
    const previous = this.nestedTail;
    this.nestedTail = new Promise((resolve) => { unlock = resolve; });
    await previous;
    connection.unlock = unlock;
    connection.savepoint = `request_sp_${++this.savepoints}`;
    await connection.inner.executeQuery(CompiledQuery.raw(`savepoint ${connection.savepoint}`));
  }

  async endNested(connection: ScopedConnection, outcome: 'commit' | 'rollback'): Promise<void> {
    const name = connection.savepoint!;
    try {
      if (outcome === 'rollback') await connection.inner.executeQuery(CompiledQuery.raw(`rollback to savepoint ${name}`));
      await connection.inner.executeQuery(CompiledQuery.raw(`release savepoint ${name}`));
    } finally {
      connection.savepoint = null;
      connection.unlock?.();
    }
  }

  /** Commits what the scope wrote (nothing to do when it made no query), then runs the after-commit work. */
  async commit(): Promise<void> {
    if (this.state === 'pending') {
      this.state = 'committed';
    } else if (this.state === 'open') {
      const connection = this.connection!;
      try {
        await this.driver.inner.commitTransaction(connection);
        this.state = 'committed';
      } catch (error) {
        await this.driver.inner.rollbackTransaction(connection).catch(() => undefined);
        this.state = 'rolled back';
        this.settle(error as Error);
        throw error;
      } finally {
        await this.driver.releaseOwnConnection(connection);
      }
    } else {
      throw new Error(`RequestTransaction: commit after ${this.state}`);
    }
    this.settle(null);
  }

  /** Undoes everything the scope wrote; after-commit work is dropped. Safe to call more than once. */
  async rollback(): Promise<void> {
    if (this.state === 'pending') this.state = 'rolled back';
    if (this.state !== 'open') {
      this.settle(new Error('the request transaction was rolled back'));
      return;
    }
    const connection = this.connection!;
    this.state = 'rolled back';
    try {
      await this.driver.inner.rollbackTransaction(connection);
    } finally {
      await this.driver.releaseOwnConnection(connection);
      this.settle(new Error('the request transaction was rolled back'));
    }
  }

  /** Resolves once this scope commits; rejects if it is rolled back. */
  whenCommitted(): Promise<void> {
    if (this.state === 'committed') return Promise.resolve();
    if (this.state === 'rolled back') return Promise.reject(new Error('the request transaction was rolled back'));
    return new Promise((resolve, reject) => this.committed.push({ resolve, reject }));
  }

  private settle(error: Error | null): void {
    for (const waiter of this.committed.splice(0)) {
      if (error) waiter.reject(error);
      else waiter.resolve();
    }
  }
}

/**
 * Resolves when what the caller just wrote is committed: at once outside a request transaction, else when the
 * request's transaction commits (rejected if it rolls back). Code that starts work another connection or
 * process will look for (a background sync run, a delivery) waits for this first, or that work may not find
 * the rows yet, or act on rows that are then rolled back.
 */
export function whenCommitted(): Promise<void> {
  const scope = current.getStore();
  return scope && scope.routing ? scope.whenCommitted() : Promise.resolve();
}

/**
 * Runs `fn` outside any request transaction, on ordinary connections (background work started from a request).
 * Never await it from inside the request on SQLite: the request's transaction holds the one connection.
 */
export function outsideRequestTransaction<T>(fn: () => T): T {
  return current.exit(fn);
}

/** First come, first served: one holder at a time. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();
  async lock(): Promise<() => void> {
    let unlock!: () => void;
    const previous = this.tail;
    this.tail = new Promise((resolve) => { unlock = resolve; });
    await previous;
    return unlock;
  }
}

/**
 * A driver that gives code inside a RequestTransaction the transaction's connection (see above). For a
 * single-connection dialect (SQLite) it also takes over Kysely's connection mutex: an open request transaction
 * holds the one connection until it ends, while its own queries pass (Kysely's mutex would make them wait for
 * it, and let other requests' queries run inside it between two of its statements).
 */
export class RequestScopedDriver implements Driver {
  private readonly mutex: Mutex | null;
  private readonly unlocks = new Map<DatabaseConnection, (() => void)[]>();

  constructor(readonly inner: Driver, singleConnection: boolean) {
    this.mutex = singleConnection ? new Mutex() : null;
  }

  /** An ordinary connection: on SQLite, the one connection once nobody else holds it. */
  async acquireOwnConnection(): Promise<DatabaseConnection> {
    const unlock = this.mutex ? await this.mutex.lock() : null;
    try {
      const connection = await this.inner.acquireConnection();
      if (unlock) this.unlocks.set(connection, [...(this.unlocks.get(connection) ?? []), unlock]);
      return connection;
    } catch (error) {
      unlock?.();
      throw error;
    }
  }

  async releaseOwnConnection(connection: DatabaseConnection): Promise<void> {
    try {
      await this.inner.releaseConnection(connection);
    } finally {
      const waiting = this.unlocks.get(connection);
      const unlock = waiting?.shift();
      if (waiting && waiting.length === 0) this.unlocks.delete(connection);
      unlock?.();
    }
  }

  private scope(): RequestTransaction | undefined {
    const scope = current.getStore();
    return scope && scope.driver === this && scope.routing ? scope : undefined;
  }

  init(): Promise<void> {
    return this.inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const scope = this.scope();
    if (scope) return new ScopedConnection(scope, await scope.connectionForQuery());
    return this.acquireOwnConnection();
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    if (connection instanceof ScopedConnection) return connection.scope.beginNested(connection);
    return this.inner.beginTransaction(connection, settings);
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    if (connection instanceof ScopedConnection) return connection.scope.endNested(connection, 'commit');
    return this.inner.commitTransaction(connection);
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    if (connection instanceof ScopedConnection) return connection.scope.endNested(connection, 'rollback');
    return this.inner.rollbackTransaction(connection);
  }

  savepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    return this.inner.savepoint!(unwrap(connection), name, compile);
  }

  rollbackToSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    return this.inner.rollbackToSavepoint!(unwrap(connection), name, compile);
  }

  releaseSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    return this.inner.releaseSavepoint!(unwrap(connection), name, compile);
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    if (connection instanceof ScopedConnection) return; // the scope releases its connection when it ends
    return this.releaseOwnConnection(connection);
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}

const unwrap = (connection: DatabaseConnection) => (connection instanceof ScopedConnection ? connection.inner : connection);

/** `dialect` with its driver wrapped; call `registerScopedDatabase` with the Kysely made from it. */
export function requestScopedDialect(dialect: Dialect): { dialect: Dialect; driver: () => RequestScopedDriver } {
  let driver: RequestScopedDriver | undefined;
  const singleConnection = dialect.createAdapter().supportsMultipleConnections === false;
  return {
    dialect: {
      createDriver: () => (driver = new RequestScopedDriver(dialect.createDriver(), singleConnection)),
      createQueryCompiler: () => dialect.createQueryCompiler(),
      // The driver serialises the one connection itself (above), so Kysely must not add its own mutex.
      createAdapter: () => new Proxy(dialect.createAdapter(), {
        get: (target, property, receiver) => (property === 'supportsMultipleConnections' ? true : Reflect.get(target, property, receiver)),
      }),
      createIntrospector: (db) => dialect.createIntrospector(db),
    },
    driver: () => {
      if (!driver) throw new Error('requestScopedDialect: the Kysely instance has not created its driver');
      return driver;
    },
  };
}

/** Links a Kysely instance to its wrapped driver, so `RequestTransaction.for(db)` can find it. */
export function registerScopedDatabase(db: Kysely<any>, driver: RequestScopedDriver): void {
  driverOf.set(db, driver);
}
