/**
 * `npm run bench` (third part): the assistant on a 5-minute 44.1 kHz stereo track (tiled corpus
 * mixes): decode + analysis + model inference, in process (by phase) and as the whole
 * `refmaster suggest` command in fresh processes (node start-up included). Goal: under 2 s.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { excerptFeatures } from '../../src/assistant/excerpts.js';
import { loadAssistantModel, suggest } from '../../src/assistant/suggest.js';
import { loadStyleProfile, profileAsReference } from '../../src/assistant/target-profile.js';
import { decodeFile } from '../../src/io/decode.js';
import { writeWavFile } from '../../src/io/wav-encode.js';
import { buildTrack, median } from './util.js';

const here = dirname(fileURLToPath(import.meta.url));
const CLI = join(here, '../../src/cli/main.js');
const TRACK_S = 300, RATE = 44100, RUNS = 3;

const dir = mkdtempSync(join(tmpdir(), 'refmaster-bench-suggest-'));
const wav = join(dir, 'mix.wav');
await writeWavFile(wav, await buildTrack(TRACK_S, RATE), RATE, { kind: 'pcm', bits: 24 });

const phases: Record<string, number[]> = { decode: [], analysis: [], 'model load': [], inference: [] };
for (let r = 0; r < RUNS; r++) {
  let t = performance.now();
  const lap = (name: string) => { const now = performance.now(); phases[name].push(now - t); t = now; };
  const audio = await decodeFile(wav); lap('decode');
  const rows = excerptFeatures(audio); lap('analysis');
  const model = await loadAssistantModel(); lap('model load');
  await suggest(model, rows, profileAsReference(loadStyleProfile(), -14, -1)); lap('inference');
}
const whole: number[] = [];
for (let r = 0; r < RUNS; r++) {
  const t0 = performance.now();
  const p = spawnSync(process.execPath, [CLI, 'suggest', wav, '--json'], { encoding: 'utf8' });
  if (p.status !== 0) throw new Error(`suggest failed: ${p.stderr}`);
  whole.push(performance.now() - t0);
}
rmSync(dir, { recursive: true, force: true });

process.stdout.write(`\nrefmaster suggest bench: 5-minute stereo 44.1 kHz 24-bit WAV (tiled corpus mixes), median of ${RUNS}\n\n| phase | median |\n|---|---|\n`);
for (const [name, ms] of Object.entries(phases)) process.stdout.write(`| ${name} | ${median(ms).toFixed(0)} ms |\n`);
process.stdout.write(`| \`refmaster suggest --json\`, whole command in a fresh process | ${median(whole).toFixed(0)} ms (goal < 2000 ms) |\n`);
