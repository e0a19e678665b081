import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/cli.js';

/** Runs the CLI with a reader that closes its end after the first chunk, like `| head -1`. */
function runIntoClosedPipe(...args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(REPO, 'dist/src/cli/main.js'), ...args]);
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.once('data', () => child.stdout.destroy());
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('output into a pipe that closes early', () => {
  it('ends quietly with status 0, no stack trace', async () => {
    for (const args of [['chain', '--schema'], ['chain', '--params'], ['--help']]) {
      const r = await runIntoClosedPipe(...args);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
  });
});
