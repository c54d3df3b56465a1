import { z } from 'zod';

/**
 * A file or folder path a call reads or writes. Absolute only: a relative path would mean a
 * different place to each host (the CLI's working directory, the server's, the window's), so
 * hosts resolve it before calling. A NUL byte can name no file on any system.
 */
export const absolutePath = z.string().min(1)
  .refine((p) => !p.includes('\0'), { message: 'must not contain a NUL byte' })
  .refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\'),
    { message: 'must be an absolute path' });
