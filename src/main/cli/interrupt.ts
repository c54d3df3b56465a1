/**
 * Runs a call with a signal that Ctrl+C aborts, for the long CLI jobs (import, scan): the job
 * ends as CANCELLED through its own clean-up (a rolled-back transaction, a scan that reuses what
 * it counted) instead of the process dying mid-write. The handler is removed when the call ends,
 * so a later Ctrl+C is the default one again.
 */
export async function abortOnCtrlC<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    return await run(controller.signal);
  } finally {
    process.off('SIGINT', onSigint);
  }
}
