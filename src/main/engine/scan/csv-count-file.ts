import fs from 'node:fs';
import { AppError } from '../../../shared/errors';
import { CsvRecordCounter, type CsvCount, type CsvCountOptions } from './csv-count';
import { openRegularFile } from './file-problem';

/** Bytes per read of a file: small enough to still be in the CPU's L2 cache when counted. */
const READ_BYTES = 256 << 10;

/** The event loop gets a turn (timers, I/O, an abort) after this many bytes of one file, or
 * this much time across files, whichever comes first. */
const YIELD_BYTES = 4 << 20;
const YIELD_MS = 10;
let lastYield = performance.now();

async function yieldToEventLoop(): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  lastYield = performance.now();
}

/**
 * Counts a CSV file, reading it in READ_BYTES pieces into one reused buffer (the kernel's
 * input area when the kernel counts), so memory stays flat whatever the file size. Reads are
 * synchronous, so that a piece is counted while it is still in the CPU cache and no read can
 * land in the shared kernel area while another file's piece is in it; the event loop gets a
 * turn every YIELD_BYTES or YIELD_MS. The signal is checked before every read: a scan is
 * cancellable within one file.
 */
export async function countCsvFile(
  file: string,
  options: CsvCountOptions & { signal?: AbortSignal; sizeHint?: number } = {},
): Promise<CsvCount> {
  const counter = new CsvRecordCounter(options);
  // Small files (most of a team's folders) get a buffer their size, not one per read size.
  const hint = Math.max(options.sizeHint ?? READ_BYTES, 0) + 1;
  const area = counter.inputArea();
  const buf = area ? area.subarray(0, READ_BYTES) : Buffer.allocUnsafe(Math.min(READ_BYTES, hint));
  const fd = openRegularFile(file);
  try {
    let sinceYield = 0;
    for (;;) {
      if (options.signal?.aborted) throw new AppError('CANCELLED', 'scan cancelled', { file });
      const bytesRead = fs.readSync(fd, buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      counter.push(buf.subarray(0, bytesRead));
      sinceYield += bytesRead;
      if (sinceYield >= YIELD_BYTES || performance.now() - lastYield >= YIELD_MS) {
        await yieldToEventLoop();
        sinceYield = 0;
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  return counter.finish();
}
