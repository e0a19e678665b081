/**
 * `node dist/training/make-dataset.js [--workers N] [--per-song K] [--out FILE]`: renders the
 * training examples of every source song (generate.ts) into one JSON-lines file, sorted by song and
 * index so that the file is the same whatever the number of workers.
 */
import { fork } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeFile } from '../src/io/decode.js';
import { DEFAULT_GENERATE, songExamples, type Example } from './generate.js';
import { DATASET, loadSources, MANIFEST } from './sources.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

async function worker(k: number, n: number, perSong: number, part: string, manifest: string): Promise<void> {
  const songs = loadSources(manifest).filter((_, i) => i % n === k);
  const lines: string[] = [];
  for (const song of songs) {
    const t0 = performance.now();
    const audio = await decodeFile(song.path);
    const examples = await songExamples(song, audio, { ...DEFAULT_GENERATE, examplesPerSong: perSong });
    lines.push(...examples.map((e) => JSON.stringify(e)));
    process.stderr.write(`  [${k + 1}/${n}] ${song.id}: ${examples.length} examples in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  }
  writeFileSync(part, lines.join('\n') + (lines.length ? '\n' : ''));
}

async function main(): Promise<void> {
  const perSong = Number(arg('--per-song', String(DEFAULT_GENERATE.examplesPerSong)));
  const manifest = arg('--manifest', MANIFEST);
  const w = process.argv.indexOf('--worker');
  if (w >= 0) {
    const [k, n] = process.argv[w + 1].split('/').map(Number);
    await worker(k, n, perSong, process.argv[w + 2], manifest);
    return;
  }
  const workers = Number(arg('--workers', String(availableParallelism())));
  const out = arg('--out', DATASET);
  mkdirSync(dirname(out), { recursive: true });
  const t0 = performance.now();
  const self = fileURLToPath(import.meta.url);
  const parts = Array.from({ length: workers }, (_, k) => `${out}.part${k}`);
  await Promise.all(parts.map((part, k) => new Promise<void>((ok, fail) => {
    const child = fork(self, ['--worker', `${k}/${workers}`, part, '--per-song', String(perSong), '--manifest', manifest], { stdio: 'inherit' });
    child.on('exit', (code) => (code === 0 ? ok() : fail(new Error(`worker ${k} exited with ${code}`))));
  })));
  const examples: Example[] = parts.flatMap((p) => readFileSync(p, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Example));
  examples.sort((a, b) => (a.song < b.song ? -1 : a.song > b.song ? 1 : a.index - b.index));
  writeFileSync(`${out}.tmp`, examples.map((e) => JSON.stringify(e)).join('\n') + '\n');
  renameSync(`${out}.tmp`, out);
  for (const p of parts) rmSync(p);
  const count = (s: string) => examples.filter((e) => e.split === s).length;
  process.stderr.write(`${examples.length} examples (train ${count('train')}, val ${count('val')}, test ${count('test')}) in ${((performance.now() - t0) / 1000).toFixed(0)} s → ${out}\n`);
}

await main();
