/** The package version: part of every cache key and report, since renders are bit-identical only within a version. */
import { readFileSync } from 'node:fs';

/** package.json sits two folders above src/util (sources, tests) or three above dist/src/util (build). */
function readVersion(): string {
  for (const rel of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'refmaster' && pkg.version) return pkg.version;
    } catch {
      // not at this level: try the next
    }
  }
  throw new Error('refmaster: package.json not found beside the program');
}

export const VERSION: string = readVersion();
