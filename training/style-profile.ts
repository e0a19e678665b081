/**
 * `node dist/training/style-profile.js [--manifest FILE]`: the released-music style profile the
 * assistant moves towards when there is no reference: the median of the analyzer's features over
 * every mastered (released) track of the training and validation songs (never the test songs),
 * written to references/style-profile.json.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { excerptFeatures } from '../src/assistant/excerpts.js';
import { FEATURE_VERSION, FEATURES } from '../src/analysis/features.js';
import { STYLE_PROFILE_PATH, type StyleProfile } from '../src/assistant/target-profile.js';
import { decodeFile } from '../src/io/decode.js';
import { loadSources, MANIFEST } from './sources.js';

function median(values: number[]): number {
  const s = values.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export async function buildStyleProfile(manifest = MANIFEST): Promise<StyleProfile> {
  const songs = loadSources(manifest).filter((s) => s.kind === 'mastered' && s.split !== 'test');
  if (songs.length === 0) throw new Error(`${manifest}: no released (mastered) tracks outside the test split`);
  const rows: number[][] = [];
  // the excerpts the model sees (excerpts.ts), so the profile speaks the model's language
  for (const s of songs) rows.push(...excerptFeatures(await decodeFile(s.path)));
  return {
    name: 'released',
    description: `median features of ${rows.length} 10 s excerpts of ${songs.length} released game and album tracks (training sources, see training/DATA.md)`,
    featureVersion: FEATURE_VERSION,
    tracks: songs.length,
    names: FEATURES.map((f) => f.name),
    values: FEATURES.map((_, j) => Math.round(median(rows.map((r) => r[j])) * 1000) / 1000),
  };
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const i = process.argv.indexOf('--manifest');
  const profile = await buildStyleProfile(i >= 0 ? process.argv[i + 1] : MANIFEST);
  mkdirSync(dirname(STYLE_PROFILE_PATH), { recursive: true });
  writeFileSync(`${STYLE_PROFILE_PATH}.tmp`, `${JSON.stringify(profile, null, 1)}\n`);
  renameSync(`${STYLE_PROFILE_PATH}.tmp`, STYLE_PROFILE_PATH);
  process.stderr.write(`style profile of ${profile.tracks} tracks → ${STYLE_PROFILE_PATH}\n`);
}
