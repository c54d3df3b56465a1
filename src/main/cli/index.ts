import { Command, CommanderError } from 'commander';
import { ERROR_CODES, toAppError } from '../../shared/errors';
import { createContext } from './context';
import { registerData } from './commands/data';
import { registerModels } from './commands/models';
import { registerEvaluate } from './commands/evaluate';
import { registerScore } from './commands/score';
import { registerBackfill } from './commands/backfill';
import { registerServe } from './commands/serve';
import { registerScanCommands } from './commands/scan';

/**
 * The headless host: parses arguments, calls the engine through the contract, prints results
 * (or `--json`), and maps error codes to exit codes (see ERROR_CODES).
 */
export function buildProgram(opts: { json?: boolean } = {}): {
  program: Command;
  close: () => Promise<void>;
} {
  const program = new Command('edutech')
    .description('Edutech Analyst: score students with ONNX models, backfill trajectories, '
      + 'scan notebook folders')
    .option('--db <path>', 'SQLite store (default: $EDUTECH_DB or the user data folder)')
    .option('--models <dir>', 'models folder (default: $EDUTECH_MODELS or the shipped models/)')
    .option('--pg <url>', 'Postgres connection string (default: $EDUTECH_PG_URL or PG* variables)')
    .option('--json', 'print results as JSON')
    .showHelpAfterError()
    // A usage error reads like every other failure (`error BAD_INPUT: …`, then the usage);
    // under --json the one JSON object on stdout says it all, and stderr stays quiet.
    .configureOutput({
      writeErr: (text) => {
        if (!opts.json) process.stderr.write(text);
      },
      outputError: (text, write) => write(text.replace(/^error: /, 'error BAD_INPUT: ')),
    })
    .exitOverride();
  const ctx = createContext(program);
  registerData(program, ctx);
  registerScore(program, ctx);
  registerModels(program, ctx);
  registerEvaluate(program, ctx);
  registerBackfill(program, ctx);
  registerServe(program, ctx);
  registerScanCommands(program, ctx);
  return { program, close: ctx.close };
}

export async function main(argv: string[]): Promise<number> {
  exitQuietlyOnClosedPipe();
  // --json is read before parsing: a usage error is reported while parsing.
  const json = argv.includes('--json');
  const { program, close } = buildProgram({ json });
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; usage errors were already printed by commander, or under
      // --json come out as the one JSON error object scripts parse.
      if (error.exitCode === 0) return 0;
      // A command group run without its command (`edutech`, `edutech features`) gets its
      // help, and commander's message is a placeholder: say what is missing instead.
      const missingCommand = error.code === 'commander.help';
      const message = missingCommand ? 'a command is required (--help lists them)'
        : error.message.replace(/^error: /, '');
      if (json) {
        const wire = { code: 'BAD_INPUT', message, details: { commander: error.code } };
        process.stdout.write(`${JSON.stringify({ error: wire }, null, 2)}\n`);
      } else if (missingCommand) {
        process.stderr.write(`error BAD_INPUT: ${message}\n`);
      }
      return ERROR_CODES.BAD_INPUT.exit;
    }
    const appError = toAppError(error);
    if (program.opts<{ json?: boolean }>().json) {
      process.stdout.write(`${JSON.stringify({ error: appError.toWire() }, null, 2)}\n`);
    } else {
      process.stderr.write(`error ${appError.code}: ${appError.message}\n`);
    }
    return ERROR_CODES[appError.code].exit;
  } finally {
    await close();
  }
}

/**
 * `edutech … | head` closes the pipe early: that is the reader's choice, not a failure. Any
 * other output failure (a full disk) is one short line, not a stack trace.
 */
function exitQuietlyOnClosedPipe(): void {
  if (process.stdout.listenerCount('error') > 0) return;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    process.stderr.write(`error: cannot write the output: ${error.code ?? error.message}\n`);
    process.exit(1);
  });
}

if (require.main === module) {
  main(process.argv).then((code) => {
    process.exitCode = code;
  });
}
