/**
 * `npm run bench`: speed and memory of decoding and analysis, against libebur128 and ffmpeg.
 *
 * - A 5-minute 44.1 kHz stereo track is built by tiling the shared corpus mixes (real music; the
 *   bundled demo mix if the corpus is absent) and written as 24-bit WAV.
 * - Each figure is the median of several runs; the machine is shared, so compare ratios, not seconds.
 * - libebur128 (Debian `libebur128-dev`) is timed by a small C program built here with gcc on the
 *   same samples; ffmpeg's `ebur128=peak=true` is timed as a whole command (decode included).
 * - Peak memory is measured in a child process on a 10-minute 96 kHz stereo file.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeAudio, type AnalysisStage } from '../../src/analysis/analyze.js';
import { decodeFile } from '../../src/io/decode.js';
import { writeWavFile } from '../../src/io/index.js';
import { seededNoise } from '../helpers/signals.js';
import { buildTrack, median, timeMedian } from './util.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '../../..');
const RUNS = 5;
const TRACK_S = 300;
const RATE = 44100;

function has(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function libebur128Ms(rawPath: string): { medianMs: number; integratedLufs: number } | null {
  const header = '/usr/include/ebur128.h';
  if (!has('gcc') || !existsSync(header)) return null;
  const exe = join(dirname(rawPath), 'libebur128-bench');
  execFileSync('gcc', ['-O2', '-o', exe, join(repo, 'test/bench/libebur128-bench.c'), '-lebur128', '-lm']);
  return JSON.parse(execFileSync(exe, [rawPath, String(RATE), String(RUNS)], { encoding: 'utf8' }));
}

function memoryChild(path: string): { maxRssMb: number; decodedMb: number } {
  const out = execFileSync(process.execPath, [join(here, 'memory-child.js'), path], { encoding: 'utf8' });
  return JSON.parse(out);
}

const x = (seconds: number, ms: number) => `${(seconds / (ms / 1000)).toFixed(0)}x realtime`;
const f0 = (v: number) => v.toFixed(0);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'refmaster-bench-'));
  try {
    const [left, right] = await buildTrack(TRACK_S, RATE);
    const wav = join(dir, 'track.wav');
    await writeWavFile(wav, [left, right], RATE, { kind: 'pcm', bits: 24 });
    const audio = await decodeFile(wav);

    const decodeMs = await timeMedian(RUNS, async () => { await decodeFile(wav); });
    const stageTimes = new Map<AnalysisStage, number[]>();
    const totalMs = await timeMedian(RUNS, () => {
      const perRun = new Map<AnalysisStage, number>();
      analyzeAudio(audio, { onStageTime: (s, ms) => perRun.set(s, (perRun.get(s) ?? 0) + ms) });
      for (const [s, ms] of perRun) stageTimes.set(s, [...(stageTimes.get(s) ?? []), ms]);
    });
    const stage = (s: AnalysisStage) => median(stageTimes.get(s) ?? [0]);
    const loudnessTpMs = median((stageTimes.get('loudness') ?? []).map((ms, i) => ms + (stageTimes.get('truePeak') ?? [])[i]));

    console.log(`refmaster bench: ${TRACK_S / 60}-minute stereo ${RATE / 1000} kHz track (tiled corpus mixes), median of ${RUNS} runs, node ${process.version}\n`);
    console.log('| measurement | median | speed |');
    console.log('|---|---|---|');
    console.log(`| decode 24-bit WAV | ${f0(decodeMs)} ms | ${x(TRACK_S, decodeMs)} |`);
    console.log(`| full analysis (decode excluded) | ${f0(totalMs)} ms | ${x(TRACK_S, totalMs)} |`);
    for (const s of ['loudness', 'truePeak', 'samples', 'stereo', 'spectrum'] as AnalysisStage[]) {
      console.log(`| … ${s} | ${f0(stage(s))} ms | ${x(TRACK_S, stage(s))} |`);
    }
    console.log(`| loudness + true peak | ${f0(loudnessTpMs)} ms | ${x(TRACK_S, loudnessTpMs)} |`);

    const raw = join(dir, 'track.f32');
    const interleaved = new Float32Array(left.length * 2);
    for (let i = 0; i < left.length; i++) { interleaved[2 * i] = left[i]; interleaved[2 * i + 1] = right[i]; }
    writeFileSync(raw, interleaved);
    const ebu = libebur128Ms(raw);
    if (ebu) {
      console.log(`| libebur128 (I, LRA, M/S max, true peak; reading excluded) | ${f0(ebu.medianMs)} ms | ${x(TRACK_S, ebu.medianMs)} |`);
      console.log(`\nrefmaster loudness + true peak / libebur128 time: ${(loudnessTpMs / ebu.medianMs).toFixed(2)} (goal ≤ 1.5); integrated: refmaster ${analyzeAudio(audio).loudness.integratedLufs?.toFixed(2)} LUFS, libebur128 ${ebu.integratedLufs.toFixed(2)} LUFS`);
    } else {
      console.log('\nlibebur128 comparison skipped: install gcc and libebur128-dev (apt-get install libebur128-dev)');
    }
    if (has('ffmpeg')) {
      const ffMs = await timeMedian(3, () => {
        execFileSync('ffmpeg', ['-hide_banner', '-nostats', '-i', wav, '-af', 'ebur128=peak=true', '-f', 'null', '-'], { stdio: 'ignore' });
      });
      const oursMs = decodeMs + totalMs;
      console.log(`ffmpeg ebur128=peak=true (whole command, decode included): ${f0(ffMs)} ms; refmaster decode + full analysis: ${f0(oursMs)} ms (ratio ${(oursMs / ffMs).toFixed(2)})`);
    }

    // Memory: a 10-minute 96 kHz stereo file, decoded and analysed in a fresh process.
    const memRate = 96000, memN = 600 * memRate;
    const ml = seededNoise(memN, 1, 0.25), mr = seededNoise(memN, 2, 0.25);
    const memWav = join(dir, 'long96k.wav');
    await writeWavFile(memWav, [ml, mr], memRate, { kind: 'pcm', bits: 24 });
    const mem = memoryChild(memWav);
    console.log(`\npeak memory, 10-minute 96 kHz stereo 24-bit WAV (decode + analysis): ${f0(mem.maxRssMb)} MB RSS = ${(mem.maxRssMb / mem.decodedMb).toFixed(2)}x its decoded float32 samples (${f0(mem.decodedMb)} MB; goal < 3x)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
