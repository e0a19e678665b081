/**
 * The source songs for training: training/cache/sources/manifest.json, written by
 * training/sources/prepare.sh (`npm run prepare:data`; see training/DATA.md). Every song has a
 * split (train / val / test) fixed by song, so no excerpt of a held-out song is ever trained on.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';

export type Split = 'train' | 'val' | 'test';

export interface SourceSong {
  id: string;
  /** Absolute path of the audio file. */
  path: string;
  kind: 'mix' | 'mastered';
  split: Split;
  durationS: number;
  package?: string;
  license?: string;
}

export const REPO = resolve(import.meta.dirname, '..', import.meta.dirname.includes('/dist/') ? '..' : '');
export const CACHE = join(REPO, 'training/cache');
export const MANIFEST = join(CACHE, 'sources/manifest.json');
export const DATASET = join(CACHE, 'dataset.jsonl');

export function loadSources(manifest = MANIFEST): SourceSong[] {
  if (!existsSync(manifest)) throw new Error(`${manifest}: no source manifest; run \`npm run prepare:data\` first`);
  const entries = JSON.parse(readFileSync(manifest, 'utf8')) as Array<Record<string, unknown>>;
  return entries.map((e) => {
    const file = String(e.file);
    const path = isAbsolute(file) ? file : join(REPO, file);
    return {
      id: String(e.id),
      path: existsSync(path) ? path : join(CACHE, 'sources', file),
      kind: e.kind === 'mastered' ? 'mastered' : 'mix',
      split: e.split as Split,
      durationS: Number(e.durationS),
      package: e.package as string | undefined,
      license: e.license as string | undefined,
    };
  });
}
