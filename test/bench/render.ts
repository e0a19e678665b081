/**
 * `npm run bench` (second part): speed and memory of the renderer on a 5-minute 44.1 kHz stereo
 * track (tiled corpus mixes): the full chain with every stage active (4x oversampled saturation and
 * limiter, linear-phase matching EQ, multiband), each stage alone, and the tweak loop (a limiter
 * change re-rendered from the session's cache). Medians; compare ratios, not seconds.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RenderSession } from '../../src/chain/render.js';
import type { StereoAudio } from '../../src/io/types.js';
import { writeWavFile } from '../../src/io/wav-encode.js';
import { fullChain } from './full-chain.js';
import { buildTrack, timeMedian } from './util.js';

const here = dirname(fileURLToPath(import.meta.url));
const TRACK_S = 300;
const RATE = 44100;
const RUNS = 3;

const x = (ms: number) => `${(TRACK_S / (ms / 1000)).toFixed(0)}x realtime`;

async function main(): Promise<void> {
  const [left, right] = await buildTrack(TRACK_S, RATE);
  const audio: StereoAudio = {
    sampleRate: RATE, left, right,
    source: { path: 'bench', container: 'wav', codec: 'pcm_f32le', bitDepth: 32, sampleRate: RATE, channels: 2, lossy: false, bitrateKbps: null },
  };
  const chain = fullChain();
  const fullMs = await timeMedian(RUNS, async () => { await new RenderSession(audio).render(chain); });

  const session = new RenderSession(audio);
  await session.render(chain);
  let ceiling = -1;
  const tweakMs = await timeMedian(RUNS, async () => {
    ceiling -= 0.1; // a new limiter setting each time, so the limiter cache misses and the pre-limiter cache hits
    const r = await session.render({ ...chain, stages: { ...chain.stages, limiter: { ...chain.stages.limiter, ceilingDbtp: ceiling } } });
    if (r.cache.preLimiter !== 'memory' || r.cache.limiter !== 'miss') throw new Error('tweak loop did not use the cache');
  });
  const fixedGain = { ...chain.stages.limiter, targetLufs: null, gainDb: 6 };
  const tweakFixedMs = await timeMedian(RUNS, async () => {
    ceiling -= 0.1;
    await session.render({ ...chain, stages: { ...chain.stages, limiter: { ...fixedGain, ceilingDbtp: ceiling } } });
  });

  console.log(`\nrefmaster render bench: ${TRACK_S / 60}-minute stereo ${RATE / 1000} kHz track (tiled corpus mixes), median of ${RUNS} runs\n`);
  console.log('| measurement | median | speed |');
  console.log('|---|---|---|');
  console.log(`| full chain, every stage on, limiter to −11 LUFS, 24-bit TPDF output | ${fullMs.toFixed(0)} ms | ${x(fullMs)} |`);
  console.log(`| tweak: new limiter ceiling, same target (pre-limiter cached) | ${tweakMs.toFixed(0)} ms | ${(tweakMs / fullMs).toFixed(2)} of the full render |`);
  console.log(`| tweak: new limiter ceiling, fixed gain (pre-limiter cached) | ${tweakFixedMs.toFixed(0)} ms | ${(tweakFixedMs / fullMs).toFixed(2)} of the full render |`);

  const dir = mkdtempSync(join(tmpdir(), 'refmaster-render-bench-'));
  try {
    const wav = join(dir, 'track.wav');
    await writeWavFile(wav, [left, right], RATE, { kind: 'pcm', bits: 24 });
    const mem = JSON.parse(execFileSync(process.execPath, [join(here, 'render-memory-child.js'), wav], { encoding: 'utf8' }));
    console.log(`\npeak memory, decode + full-chain render of the 5-minute track: ${mem.maxRssMb.toFixed(0)} MB RSS = ${(mem.maxRssMb / mem.decodedMb).toFixed(2)}x its decoded float32 samples (${mem.decodedMb.toFixed(0)} MB)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
