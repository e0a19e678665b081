/**
 * The true-peak limiter's guarantees, checked with the analyzer's own meter (measureTruePeak, the
 * truth for ceilings) on the whole rendered signal (latency removed the renderer's way): never
 * above the ceiling on torture signals and real music at 44.1/48/96 kHz; transparent (bit-exact)
 * below it; a smooth release; exact block-size independence; exact zeros and full recovery after
 * silence; and the exact-check stage alone keeping the ceiling when the gain computer is told to
 * aim too high.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { measureTruePeak } from '../../src/analysis/truepeak.js';
import { runProcessors } from '../../src/chain/run.js';
import { LimiterStage } from '../../src/chain/spec.js';
import { decodeFile } from '../../src/io/decode.js';
import { createLimiter, HOP, limitSignal, type LimiterOptions, MARGIN_A_DB, MARGIN_B, prepareLimiterInput } from '../../src/dsp/limiter.js';
import { ampToDb, dbToAmp } from '../../src/util/db.js';
import { CORPUS, HAS_CORPUS } from '../helpers/corpus.js';
import { concat, seededNoise, sine } from '../helpers/signals.js';

const CEILINGS = [-1, -0.3, -2];
const RATES = [44100, 48000, 96000];
/** Where the limiter puts peaks: stage A's target, MARGIN_B + MARGIN_A_DB under the ceiling. */
const DESIGN_MARGIN_DB = -ampToDb(1 - MARGIN_B) + MARGIN_A_DB;

function limit(l: Float32Array, r: Float32Array, fs: number, p: Record<string, number>, options?: LimiterOptions, block?: number) {
  const limiter = createLimiter(LimiterStage.parse(p), fs, options);
  const [ol, or] = runProcessors([limiter], l, r, block);
  return { left: ol, right: or, stats: limiter.stats(), latency: limiter.latency };
}

function truePeakDb(l: Float32Array, r: Float32Array, fs: number): number {
  return measureTruePeak([l, r], fs).truePeakDbtp;
}

/** Square wave ±amplitude, `f` Hz, naive (not band-limited: the worst case for inter-sample peaks). */
function square(fs: number, f: number, seconds: number, amplitude = 1): Float32Array {
  const n = Math.round(seconds * fs), x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = Math.floor((2 * f * i) / fs) % 2 ? -amplitude : amplitude;
  return x;
}

/** Exponential (log) sine sweep f1 → f2 over `seconds` (Farina), amplitude 1. */
function logSweep(fs: number, f1: number, f2: number, seconds: number): Float32Array {
  const n = Math.round(seconds * fs), x = new Float32Array(n), k = Math.log(f2 / f1);
  for (let i = 0; i < n; i++) x[i] = Math.sin(((2 * Math.PI * f1 * seconds) / k) * (Math.exp((i / fs / seconds) * k) - 1));
  return x;
}

function impulses(fs: number): Float32Array {
  const x = new Float32Array(Math.round(0.5 * fs));
  x[2000] = 1; // a lone full-scale impulse
  for (let k = 0; k < 6; k++) x[6000 + k] = 1; // several in a row
  for (let k = 0; k < 40; k++) x[10000 + k] = k % 2 ? -1 : 1; // alternating ±1 (Nyquist)
  x[15000] = -1;
  x[15003] = 1;
  return x;
}

describe('never above the ceiling: torture signals', () => {
  for (const fs of RATES) {
    const cases: [string, () => [Float32Array, Float32Array], number][] = [
      ['square 100 Hz ±1', () => [square(fs, 100, 1), square(fs, 100, 1)], 0],
      ['square 100 Hz ±1, +6 dB', () => [square(fs, 100, 1), square(fs, 100, 1)], 6],
      ['square 1 kHz ±1', () => [square(fs, 1000, 1), square(fs, 1000, 1)], 0],
      ['square 1 kHz ±1, +6 dB', () => [square(fs, 1000, 1), square(fs, 1000, 1)], 6],
      ['white noise, +6 dB', () => [seededNoise(fs, 1, 1), seededNoise(fs, 2, 1)], 6],
      ['impulses (single, a run, alternating ±1)', () => [impulses(fs), impulses(fs)], 0],
      ['impulses, +12 dB', () => [impulses(fs), impulses(fs)], 12],
      ['log sweep 20 Hz → 20 kHz, 0 dBFS, 10 s', () => { const s = logSweep(fs, 20, 20000, 10); return [s, s]; }, 0],
    ];
    for (const [name, make, gainDb] of cases) {
      it(`${name} at ${fs} Hz, ceilings ${CEILINGS.join(', ')} dBTP`, () => {
        const [l, r] = make();
        for (const ceilingDbtp of CEILINGS) {
          const out = limit(l, r, fs, { ceilingDbtp, gainDb });
          const tp = truePeakDb(out.left, out.right, fs);
          expect(tp).toBeLessThanOrEqual(ceilingDbtp);
          // and the limiter is doing its job, not just turning everything down
          expect(tp).toBeGreaterThan(ceilingDbtp - DESIGN_MARGIN_DB - 0.01);
          expect(out.stats.steepCones).toBe(0);
        }
      });
    }
  }

  it('short look-ahead and release (0.5 ms, 1 ms) with 24 dB into a 1 kHz square', () => {
    const fs = 44100, x = square(fs, 1000, 1);
    for (const ceilingDbtp of CEILINGS) {
      const out = limit(x, x, fs, { ceilingDbtp, gainDb: 24, lookaheadMs: 0.5, releaseMs: 1 });
      expect(truePeakDb(out.left, out.right, fs)).toBeLessThanOrEqual(ceilingDbtp);
    }
  });
});

describe.skipIf(!HAS_CORPUS)('never above the ceiling: real music (../shared/corpus)', () => {
  const files = HAS_CORPUS ? readdirSync(CORPUS).filter((f) => f.endsWith('.flac')).sort() : [];
  for (const file of files) {
    it(`${file}: +6 and +12 dB into ceilings ${CEILINGS.join(', ')} dBTP`, async () => {
      const audio = await decodeFile(join(CORPUS, file));
      for (const gainDb of [6, 12]) {
        for (const ceilingDbtp of CEILINGS) {
          const out = limit(audio.left, audio.right, audio.sampleRate, { ceilingDbtp, gainDb });
          expect(truePeakDb(out.left, out.right, audio.sampleRate)).toBeLessThanOrEqual(ceilingDbtp);
          expect(out.stats.steepCones).toBe(0);
        }
      }
    }, 60_000);
  }
});
if (!HAS_CORPUS) describe('real music', () => it.skip(`skipped: no corpus at ${CORPUS}`, () => {}));

describe('the exact check alone keeps the ceiling', () => {
  it('with the gain computer aiming 0.5 dB above the ceiling, the corrections still hold every signal under it', () => {
    const fs = 48000;
    const signals: [Float32Array, Float32Array, number][] = [
      [seededNoise(fs, 3, 1), seededNoise(fs, 4, 1), 6],
      [square(fs, 1000, 0.5), square(fs, 1000, 0.5), 6],
      [logSweep(fs, 20, 20000, 2), logSweep(fs, 20, 20000, 2), 0],
      [impulses(fs), impulses(fs), 12],
    ];
    for (const [l, r, gainDb] of signals) {
      for (const ceilingDbtp of CEILINGS) {
        const out = limit(l, r, fs, { ceilingDbtp, gainDb }, { stageATargetOffsetDb: 0.5 });
        expect(out.stats.correctedIntervals).toBeGreaterThan(0);
        expect(out.stats.steepCones).toBe(0);
        expect(truePeakDb(out.left, out.right, fs)).toBeLessThanOrEqual(ceilingDbtp);
      }
    }
  });
});

describe('transparency', () => {
  it('a signal under the ceiling comes out bit-exact (only delayed, and the delay is removed)', () => {
    const fs = 44100;
    const l = sine({ sampleRate: fs, frequency: 997, seconds: 1, peakDbfs: -3 });
    const r = seededNoise(fs, 5, dbToAmp(-12)); // white noise: its true peak runs several dB above its sample peak
    expect(truePeakDb(l, r, fs)).toBeLessThan(-1.5);
    const out = limit(l, r, fs, { ceilingDbtp: -1 });
    expect(out.left).toEqual(l);
    expect(out.right).toEqual(r);
    expect(out.stats.maxGainReductionDb).toBe(0);
  });

  it('with gainDb, a signal that stays under the ceiling gets exactly that gain', () => {
    const fs = 48000, g = 4.5;
    const l = sine({ sampleRate: fs, frequency: 440, seconds: 1, peakDbfs: -10 });
    const out = limit(l, l, fs, { ceilingDbtp: -1, gainDb: g });
    const a = dbToAmp(g);
    for (let i = 0; i < l.length; i++) if (out.left[i] !== Math.fround(a * l[i])) throw new Error(`sample ${i}`);
  });
});

describe('gain reduction', () => {
  it('a steady sine is reduced by its true peak + gain − ceiling + the design margin; stats report it', () => {
    const fs = 44100;
    const x = sine({ sampleRate: fs, frequency: 1000, seconds: 2, peakDbfs: 0, phaseDeg: 10 });
    const inputPeak = truePeakDb(x, x, fs);
    for (const [gainDb, ceilingDbtp] of [[6, -1], [12, -0.3]]) {
      const out = limit(x, x, fs, { gainDb, ceilingDbtp });
      const expected = inputPeak + gainDb - ceilingDbtp + DESIGN_MARGIN_DB;
      expect(Math.abs(out.stats.maxGainReductionDb - expected)).toBeLessThan(0.01);
      // steady state: the output's true peak sits at the ceiling minus the margin
      const mid = out.left.subarray(fs / 2, (3 * fs) / 2);
      expect(Math.abs(truePeakDb(mid, mid, fs) - (ceilingDbtp - DESIGN_MARGIN_DB))).toBeLessThan(0.01);
      expect(out.stats.meanGainReductionDb).toBeGreaterThan(0.9 * out.stats.maxGainReductionDb);
      expect(out.stats.meanGainReductionDb).toBeLessThanOrEqual(out.stats.maxGainReductionDb);
    }
  });

  it('stereo-linked: a loud left channel turns the quiet right one down by the same gain', () => {
    const fs = 44100;
    const l = sine({ sampleRate: fs, frequency: 500, seconds: 1, peakDbfs: 0 });
    const r = sine({ sampleRate: fs, frequency: 700, seconds: 1, peakDbfs: -20 });
    const out = limit(l, r, fs, { gainDb: 6, ceilingDbtp: -1 });
    for (let i = fs / 4; i < (3 * fs) / 4; i += 97) {
      if (Math.abs(l[i]) < 0.1 || Math.abs(r[i]) < 0.01) continue;
      expect(out.right[i] / (dbToAmp(6) * r[i])).toBeCloseTo(out.left[i] / (dbToAmp(6) * l[i]), 4);
    }
  });
});

describe('release', () => {
  it('is smooth: after a loud passage the gain rises monotonically, < 0.005 dB per sample (releaseMs 100)', () => {
    // Constant (DC) input makes the applied gain visible sample by sample: out = gain·in.
    const fs = 44100;
    const x = concat([new Float32Array(fs / 2).fill(2), new Float32Array(fs).fill(0.1)]);
    const out = limit(x, x, fs, { ceilingDbtp: -1, releaseMs: 100 });
    const gainDb = (i: number) => ampToDb(out.left[i] / x[i]);
    const from = fs / 2 + 100; // past the step's ringing in the detector
    let maxStep = 0;
    for (let i = from + 1; i < x.length; i++) {
      const step = gainDb(i) - gainDb(i - 1);
      expect(step).toBeGreaterThan(-1e-6); // rising (float32 rounding of the output allowed)
      maxStep = Math.max(maxStep, step);
    }
    // e rises by (1 − e)(1 − α) per sample: ≤ 0.554·(1 − e^(−1/4410)) at 7 dB of reduction → 0.0024 dB
    expect(maxStep).toBeLessThan(0.005);
    // it does release: by the end (1 s ≈ 10 time constants) the gain is back within 0.01 dB of unity
    expect(gainDb(x.length - 1)).toBeGreaterThan(-0.01);
    // and the loud part was held at the ceiling
    expect(truePeakDb(out.left, out.right, fs)).toBeLessThanOrEqual(-1);
  });
});

describe('statistics', () => {
  it('max and mean gain reduction are those of the applied gain, measured sample by sample on a constant signal (heavy limiting, with and without corrections)', () => {
    // A constant input makes the output the applied gain times the input (rounded to float32).
    const fs = 44100, g = dbToAmp(6);
    const x = concat([new Float32Array(2 * fs).fill(0.3), new Float32Array(4 * fs).fill(3), new Float32Array(4 * fs).fill(0.3)]);
    for (const options of [{}, { stageATargetOffsetDb: 0.5 }]) {
      const out = limit(x, x, fs, { ceilingDbtp: -1, gainDb: 6 }, options);
      let max = 0, sum = 0;
      for (let i = 0; i < x.length; i++) {
        const reduction = -ampToDb(out.left[i] / (g * x[i]));
        max = Math.max(max, reduction);
        sum += reduction;
      }
      // ≈ 17 dB in the loud part: running products of the gain underflow many times per hop there
      expect(max).toBeGreaterThan(15);
      if (options.stageATargetOffsetDb) expect(out.stats.correctedIntervals).toBeGreaterThan(0);
      // float32 rounding of the output: < 1e-6 dB per sample
      expect(Math.abs(out.stats.maxGainReductionDb - max)).toBeLessThan(1e-5);
      // the statistics also count the rest of the last hop (< HOP samples, where the gain is exactly 1 again)
      const mean = sum / x.length;
      expect(out.stats.meanGainReductionDb).toBeLessThanOrEqual(mean + 1e-5);
      expect(out.stats.meanGainReductionDb).toBeGreaterThanOrEqual((mean * x.length) / (x.length + HOP) - 1e-5);
    }
  });
});

describe('streaming', () => {
  it('output is bit-identical whatever the block cutting', () => {
    const fs = 44100;
    const l = concat([seededNoise(15000, 6, 1), new Float32Array(3000), sine({ sampleRate: fs, frequency: 3000, samples: 6000 })]);
    const r = seededNoise(l.length, 7, 0.8);
    // also with the exact check doing corrections (stage A told to aim too high)
    for (const options of [{}, { stageATargetOffsetDb: 0.5 }]) {
      const ref = limit(l, r, fs, { gainDb: 9, lookaheadMs: 2, releaseMs: 30 }, options, l.length + 5000);
      for (const b of [1, 7, 64, 4096]) {
        const out = limit(l, r, fs, { gainDb: 9, lookaheadMs: 2, releaseMs: 30 }, options, b);
        expect(out.left).toEqual(ref.left);
        expect(out.right).toEqual(ref.right);
        expect(out.stats).toEqual(ref.stats);
      }
      if (options.stageATargetOffsetDb) expect(ref.stats.correctedIntervals).toBeGreaterThan(0);
    }
  });

  it('silence after loud audio is exactly 0, and the gain recovers exactly (a quiet tone afterwards is bit-exact)', () => {
    const fs = 44100;
    const quiet = sine({ sampleRate: fs, frequency: 1000, seconds: 0.5, peakDbfs: -20 });
    const l = concat([seededNoise(fs / 2, 8, 1), new Float32Array(6 * fs), quiet]);
    const out = limit(l, l, fs, { gainDb: 12, ceilingDbtp: -1, releaseMs: 100 });
    for (let i = fs; i < fs / 2 + 6 * fs; i++) if (out.left[i] !== 0) throw new Error(`sample ${i} is ${out.left[i]}`);
    const tail = out.left.subarray(l.length - quiet.length);
    const expected = quiet.map((v) => Math.fround(dbToAmp(12) * v));
    expect(tail).toEqual(expected);
  });
});

/** Index of the first sample whose bits differ (−1: identical); a plain loop, as toEqual is slow on long arrays. */
function firstDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

describe('skipping and reuse change nothing', () => {
  const fs = 44100;
  /** Real music when the corpus is there (8 s of a mix), else noise with a sweep: what the limiter meets. */
  async function material(): Promise<[Float32Array, Float32Array]> {
    if (HAS_CORPUS) {
      const audio = await decodeFile(join(CORPUS, 'mix02_lmms_axe_from_the_80s.flac'));
      return [audio.left.slice(0, 8 * fs), audio.right.slice(0, 8 * fs)];
    }
    const sweep = logSweep(fs, 20, 20000, 6);
    return [concat([seededNoise(6 * fs, 21, 0.7), sweep]), concat([sweep, seededNoise(6 * fs, 22, 0.7)])];
  }

  it('the bounds only skip work: output and stats equal those of evaluating every interval, bit for bit', async () => {
    const [l, r] = await material();
    const torture = concat([impulses(fs), square(fs, 1000, 0.5), seededNoise(fs / 2, 23, 1)]);
    const cases: [Float32Array, Float32Array, Record<string, number>, LimiterOptions][] = [
      [l, r, { gainDb: 6 }, {}],
      [l, r, { gainDb: 12, ceilingDbtp: -0.3, lookaheadMs: 2 }, {}],
      [l, r, { gainDb: 3, releaseMs: 20 }, { stageATargetOffsetDb: 0.5 }], // stage B correcting
      [torture, torture, { gainDb: 9, ceilingDbtp: -2 }, {}],
    ];
    for (const [a, b, p, options] of cases) {
      const fast = limit(a, b, fs, p, options);
      const full = limit(a, b, fs, p, { ...options, exhaustive: true });
      expect(fast.stats.maxGainReductionDb).toBeGreaterThan(0.5); // the limiter is working here
      expect(firstDifference(fast.left, full.left)).toBe(-1);
      expect(firstDifference(fast.right, full.right)).toBe(-1);
      expect(fast.stats).toEqual(full.stats);
    }
  }, 120_000);

  it('a detection cache shared by runs at other gains, ceilings, look-aheads and releases gives what fresh runs give', async () => {
    const [l, r] = await material();
    const detection = prepareLimiterInput(l, r);
    const runs: [Record<string, number>, number | undefined][] = [
      [{ gainDb: 6 }, undefined],
      [{ gainDb: 12 }, undefined], // needs more of the signal's peaks than the first run computed
      [{ gainDb: 3, ceilingDbtp: -2 }, 61], // and block-size independence holds with the cache too
      [{ gainDb: 9, lookaheadMs: 2, releaseMs: 30 }, 4096],
      [{ gainDb: 6 }, undefined],
    ];
    for (const [p, block] of runs) {
      const cached = limit(l, r, fs, p, { detection }, block);
      const fresh = limit(l, r, fs, p);
      expect(firstDifference(cached.left, fresh.left)).toBe(-1);
      expect(firstDifference(cached.right, fresh.right)).toBe(-1);
      expect(cached.stats).toEqual(fresh.stats);
    }
    // the cache really was filled (and so used by the later runs)
    expect(detection.bounds.filter(Boolean).length).toBeGreaterThan((l.length / 1000) * 0.9);
    expect(detection.peaks.filter(Boolean).length).toBeGreaterThan(0);
  }, 120_000);

  it('limitSignal gives what a streamed run gives (output and stats, bit for bit), call after call on one prepared input', async () => {
    const [l, r] = await material();
    const input = prepareLimiterInput(l, r);
    const params: Record<string, number>[] = [{ gainDb: 6 }, { gainDb: 10, ceilingDbtp: -0.3 }, { gainDb: 6, releaseMs: 30, lookaheadMs: 1 }];
    for (const p of params) {
      const whole = limitSignal(input, LimiterStage.parse(p), fs);
      const streamed = limit(l, r, fs, p);
      expect(firstDifference(whole.left, streamed.left)).toBe(-1);
      expect(firstDifference(whole.right, streamed.right)).toBe(-1);
      expect(whole.stats).toEqual(streamed.stats);
    }
    // short signals (shorter than a hop, and empty) too, stage B correcting
    for (const n of [0, 1, 500, 5000]) {
      const x = seededNoise(n, 40 + n, 1);
      const whole = limitSignal(prepareLimiterInput(x, x), LimiterStage.parse({ gainDb: 6 }), fs, { stageATargetOffsetDb: 0.5 });
      const streamed = limit(x, x, fs, { gainDb: 6 }, { stageATargetOffsetDb: 0.5 });
      expect(firstDifference(whole.left, streamed.left)).toBe(-1);
      expect(whole.stats).toEqual(streamed.stats);
    }
  });

  it('a run fed another signal than the cache\'s stops using it from the first differing sample, and gives what a fresh run gives', () => {
    const a = concat([seededNoise(fs, 31, 1), sine({ sampleRate: fs, frequency: 440, seconds: 1, peakDbfs: 0 })]);
    const b = Float32Array.from(a);
    for (let i = fs + 5000; i < b.length; i++) b[i] *= 0.5; // differs from the middle on
    const detection = prepareLimiterInput(a, a);
    const p = { gainDb: 8 };
    limit(a, a, fs, p, { detection }); // fills the cache with a's detector results
    const other = limit(b, b, fs, p, { detection });
    const fresh = limit(b, b, fs, p);
    expect(firstDifference(other.left, fresh.left)).toBe(-1);
    expect(other.stats).toEqual(fresh.stats);
    // and the cache still serves a
    expect(firstDifference(limit(a, a, fs, p, { detection }).left, limit(a, a, fs, p).left)).toBe(-1);
    // a signal longer than the cache's (non-zero where zeros were expected) too
    const longer = concat([a, seededNoise(3000, 32, 1)]);
    expect(firstDifference(limit(longer, longer, fs, p, { detection }).left, limit(longer, longer, fs, p).left)).toBe(-1);
  });
});
