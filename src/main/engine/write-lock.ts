/**
 * Runs jobs one after another. better-sqlite3 is synchronous: if two jobs in one process both
 * wrote to the SQLite file, the second would wait for the lock inside a blocking call, freezing
 * the event loop that the first needs to finish. So jobs that write to the local store queue
 * here instead, and reads (which WAL never blocks) go on meanwhile.
 */
export class WriteLock {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(job: () => Promise<T>): Promise<T> {
    const result = this.tail.then(job);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
