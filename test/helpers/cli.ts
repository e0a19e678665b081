/** Running the compiled `refmaster` CLI (built by `npm test` / `npm ci`) in a child process, as a user would. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'vitest';

export const REPO = join(import.meta.dirname, '../..');
export const DEMO_MIX = join(REPO, 'test/fixtures/demo/demo-mix.flac');
const CLI = join(REPO, 'dist/src/cli/main.js');

export interface CliResult { code: number | null; stdout: string; stderr: string }

export function runCli(...args: string[]): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A failed command: non-zero exit, exactly one line on stderr matching `pattern`, no stack trace. */
export function expectOneLineError(r: CliResult, pattern: RegExp | string): void {
  expect(r.code).not.toBe(0);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}
