/** The package version: part of every cache key and report, since renders are bit-identical only within a version. */
import { createRequire } from 'node:module';

export const VERSION: string = (createRequire(import.meta.url)('../../../package.json') as { version: string }).version;
