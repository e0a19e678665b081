/**
 * How every command ends: user errors as one line on stderr and a non-zero exit, internal errors
 * likewise unless --debug asks for the stack.
 */
import { UserError } from '../util/errors.js';

export function reportError(err: unknown, debug: boolean): number {
  if (debug) {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  } else if (err instanceof UserError) {
    process.stderr.write(`refmaster: ${err.message}\n`);
  } else {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`refmaster: internal error: ${message.split('\n')[0]} (run with --debug for details)\n`);
  }
  return err instanceof UserError ? err.exitCode : 70;
}

/** Progress goes to stderr only when a person is watching it. */
export function progress(message: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${message}`);
}

export function clearProgress(): void {
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
}
