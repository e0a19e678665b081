/** Small helpers shared by the benchmarks. */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeFile } from '../../src/io/decode.js';
import { writeWavFile } from '../../src/io/wav-encode.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const corpus = join(repo, '../shared/corpus');

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export async function timeMedian(runs: number, fn: () => Promise<void> | void): Promise<number> {
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

/** A track of `seconds` at 44.1 kHz made by tiling the corpus mixes (real music), or the demo mix without the corpus. */
export async function buildTrack(seconds: number, rate: number): Promise<[Float32Array, Float32Array]> {
  const sources = existsSync(corpus)
    ? readdirSync(corpus).filter((f) => f.startsWith('mix') && f.endsWith('.flac')).sort().map((f) => join(corpus, f))
    : [join(repo, 'test/fixtures/demo/demo-mix.flac')];
  const n = seconds * rate;
  const left = new Float32Array(n), right = new Float32Array(n);
  let pos = 0;
  while (pos < n) {
    for (const file of sources) {
      const audio = await decodeFile(file);
      const take = Math.min(audio.left.length, n - pos);
      left.set(audio.left.subarray(0, take), pos);
      right.set(audio.right.subarray(0, take), pos);
      pos += take;
      if (pos >= n) break;
    }
  }
  return [left, right];
}

/** `file` tiled (or cut) to `seconds`, written as 24-bit WAV. */
export async function tiledWav(file: string, seconds: number, out: string): Promise<void> {
  const a = await decodeFile(file);
  const n = Math.round(seconds * a.sampleRate);
  const left = new Float32Array(n), right = new Float32Array(n);
  for (let pos = 0; pos < n; pos += a.left.length) {
    const take = Math.min(a.left.length, n - pos);
    left.set(a.left.subarray(0, take), pos);
    right.set(a.right.subarray(0, take), pos);
  }
  await writeWavFile(out, [left, right], a.sampleRate, { kind: 'pcm', bits: 24 });
}
