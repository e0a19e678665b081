/**
 * Glue compressor, against independent truth:
 * - the static curve of Giannoulis, Massberg & Reiss (JAES 2012, eq. 4), written out here again,
 *   MEASURED with steady 1 kHz sines (level on the AES17 scale: a sine's level is its peak dBFS);
 * - ballistics: α = exp(−1/(τ·fs)) makes a step of the gain reduction reach 1 − 1/e of its final
 *   value τ after the step (measured on DC steps, where out/in is the gain sample by sample);
 * - exactness: ratio 1 or a signal below the knee gives x·make-up exactly, mix 0 gives x exactly;
 * - the processor contract: block-size independence, silence flushes every state to exactly 0.
 */
import { describe, expect, it } from 'vitest';
import { CompressorStage, type CompressorParams } from '../../src/chain/spec.js';
import { CompressorTrace, createCompressor } from '../../src/dsp/compressor.js';
import { staticGainReductionDb } from '../../src/dsp/gain-computer.js';
import { firstDifference } from '../helpers/bits.js';
import { expectBlockInvariant, runInBlocks } from '../helpers/blocks.js';
import { concat, seededNoise, sine } from '../helpers/signals.js';

const params = (p: Partial<CompressorParams>): CompressorParams => CompressorStage.parse(p);

/** Giannoulis et al. eq. (4): the output level of the static curve. */
function curveOutputDb(x: number, t: number, r: number, w: number): number {
  if (2 * (x - t) < -w) return x;
  if (w > 0 && 2 * Math.abs(x - t) <= w) return x + ((1 / r - 1) * (x - t + w / 2) ** 2) / (2 * w);
  return t + (x - t) / r;
}

function rms(x: Float32Array, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i] * x[i];
  return Math.sqrt(s / (to - from));
}

describe('static curve formula (Giannoulis et al. 2012, eq. 4)', () => {
  const c = { thresholdDb: -20, ratio: 4, kneeDb: 6 };
  it('is 0 below the knee, (1−1/R)·W/8 at the threshold, (1−1/R)(x−T) above the knee', () => {
    expect(staticGainReductionDb(-30, c)).toBe(0);
    expect(staticGainReductionDb(-23, c)).toBe(0);
    expect(staticGainReductionDb(-20, c)).toBeCloseTo(0.75 * 6 / 8, 12); // 0.5625
    expect(staticGainReductionDb(-17, c)).toBeCloseTo(0.75 * 3, 12);
    expect(staticGainReductionDb(0, c)).toBeCloseTo(15, 12);
  });
  it('hard knee (W = 0) and ratio 1', () => {
    expect(staticGainReductionDb(-20, { ...c, kneeDb: 0 })).toBe(0);
    expect(staticGainReductionDb(-10, { ...c, kneeDb: 0 })).toBeCloseTo(7.5, 12);
    for (const x of [-60, -21, -20, -19, 0]) expect(staticGainReductionDb(x, { ...c, ratio: 1 })).toBe(0);
  });
  it('matches the paper’s output-level form everywhere', () => {
    for (let x = -60; x <= 0; x += 0.25) {
      for (const [t, r, w] of [[-20, 4, 6], [-30, 1.5, 12], [-10, 2, 0]]) {
        expect(staticGainReductionDb(x, { thresholdDb: t, ratio: r, kneeDb: w })).toBeCloseTo(x - curveOutputDb(x, t, r, w), 10);
      }
    }
  });
});

describe('measured static curve: steady 1 kHz sines from −60 to 0 dBFS', () => {
  const cases: Array<{ fs: number; t: number; r: number; w: number; makeup: number; hpf: number }> = [
    { fs: 44100, t: -20, r: 4, w: 6, makeup: 3, hpf: 0 },
    { fs: 48000, t: -30, r: 1.5, w: 12, makeup: 0, hpf: 90 },
    { fs: 96000, t: -12, r: 2, w: 0, makeup: -2, hpf: 0 },
  ];
  for (const { fs, t, r, w, makeup, hpf } of cases) {
    it(`T ${t} dB, R ${r}, knee ${w} dB, make-up ${makeup} dB, side-chain HPF ${hpf} Hz at ${fs} Hz: within 0.2 dB of the design`, () => {
      // the detector sees the tone through the side-chain Butterworth: |H|² = Ω⁴/(1+Ω⁴)
      const om = Math.tan((Math.PI * 1000) / fs) / Math.tan((Math.PI * (hpf || 1)) / fs);
      const hpfDb = hpf > 0 ? 10 * Math.log10(om ** 4 / (1 + om ** 4)) : 0;
      const levels: number[] = [];
      for (let x = -60; x <= 0; x += 1) levels.push(x);
      for (let x = t - w / 2; x <= t + w / 2; x += 0.5) levels.push(x); // dense inside the knee
      let worst = 0;
      const window = fs / 10; // 0.1 s = 100 periods of 1 kHz
      for (const level of levels) {
        const c = createCompressor(params({ thresholdDb: t, ratio: r, kneeDb: w, makeupDb: makeup, sidechainHpfHz: hpf, attackMs: 10, releaseMs: 100 }), fs);
        const x = sine({ sampleRate: fs, frequency: 1000, seconds: 0.5, peakDbfs: level });
        const l = x.slice(), rr = x.slice();
        c.process(l, rr);
        const measured = 20 * Math.log10(rms(l, x.length - window, x.length) / rms(x, x.length - window, x.length));
        const detected = level + hpfDb;
        const expected = curveOutputDb(detected, t, r, w) - detected + makeup;
        const err = measured - expected;
        if (Math.abs(err) > Math.abs(worst)) worst = err;
        expect(Math.abs(err), `level ${level} dBFS: measured ${measured.toFixed(4)} dB, design ${expected.toFixed(4)} dB`).toBeLessThan(0.2);
        expect(firstDifference(rr, l)).toBe(-1); // stereo-linked: identical channels stay identical
      }
      console.log(`static curve T ${t} R ${r} W ${w} at ${fs} Hz: worst error ${worst.toFixed(4)} dB`);
    });
  }
});

/** DC steps: gain reduction per sample = −20·log10(out/in). Returns 63 % attack and 1/e release times in ms. */
function stepTimes(p: Partial<CompressorParams>, fs: number, highSeconds: number, lowSeconds: number, burstSeconds?: number) {
  const lo = 10 ** (-50 / 20), hi = 10 ** (-10 / 20);
  const n0 = fs, n1 = Math.round((burstSeconds ?? highSeconds) * fs), n2 = Math.round(lowSeconds * fs);
  const x = new Float32Array(n0 + n1 + n2).fill(lo);
  x.fill(hi, n0, n0 + n1);
  const l = x.slice(), r = x.slice();
  const c = createCompressor(params({ sidechainHpfHz: 0, thresholdDb: -30, ratio: 4, kneeDb: 0, ...p }), fs);
  c.process(l, r);
  const gr = (i: number) => -20 * Math.log10(l[i] / x[i]);
  let peak = 0;
  for (let i = n0; i < n0 + n1; i++) peak = Math.max(peak, gr(i));
  let attack = NaN, release = NaN;
  for (let i = n0; i < n0 + n1; i++) if (gr(i) >= (1 - 1 / Math.E) * peak) { attack = ((i - n0) / fs) * 1000; break; }
  for (let i = n0 + n1; i < x.length; i++) if (gr(i) <= peak / Math.E) { release = ((i - n0 - n1) / fs) * 1000; break; }
  return { attack, release, finalGr: gr(n0 + n1 - 1), stats: c.stats() };
}

describe('ballistics: DC steps −50 → −10 → −50 dBFS (T −30, R 4, hard knee)', () => {
  // DC of amplitude a has mean square a²: AES17 level 20·log10(a) + 3.01 dB
  const expectedGr = 0.75 * (-10 + 10 * Math.log10(2) + 30);
  for (const fs of [44100, 48000]) {
    for (const [attackMs, releaseMs] of [[10, 100], [30, 200], [50, 1000]]) {
      it(`attack ${attackMs} ms / release ${releaseMs} ms at ${fs} Hz: 63 % times within ±15 %, settled GR on the curve`, () => {
        const { attack, release, finalGr, stats } = stepTimes({ attackMs, releaseMs }, fs, (20 * attackMs) / 1000, (8 * releaseMs) / 1000);
        console.log(`fs ${fs} attack ${attackMs} → ${attack.toFixed(2)} ms, release ${releaseMs} → ${release.toFixed(2)} ms`);
        expect(Math.abs(attack / attackMs - 1), `attack ${attack} ms`).toBeLessThan(0.15);
        expect(Math.abs(release / releaseMs - 1), `release ${release} ms`).toBeLessThan(0.15);
        expect(finalGr).toBeCloseTo(expectedGr, 3);
        expect(stats.maxGainReductionDb).toBeCloseTo(expectedGr, 3);
      });
    }
  }

  it('auto release: releaseMs after sustained reduction, the fast release (releaseMs/5) after a 20 ms transient', () => {
    const fs = 48000;
    const sustained = stepTimes({ attackMs: 1, releaseMs: 500, autoRelease: true }, fs, 3, 4);
    const transient = stepTimes({ attackMs: 1, releaseMs: 500, autoRelease: true }, fs, 3, 4, 0.02);
    console.log(`auto release 500 ms: after 3 s ${sustained.release.toFixed(1)} ms, after 20 ms ${transient.release.toFixed(1)} ms`);
    expect(Math.abs(sustained.release / 500 - 1)).toBeLessThan(0.15);
    expect(Math.abs(transient.release / 100 - 1)).toBeLessThan(0.15);
    // without auto release the same transient releases with releaseMs
    const plain = stepTimes({ attackMs: 1, releaseMs: 500 }, fs, 3, 4, 0.02);
    expect(Math.abs(plain.release / 500 - 1)).toBeLessThan(0.15);
  });
});

describe('exact cases', () => {
  const fs = 44100;
  const noise = (seed: number, amplitude: number) => seededNoise(fs * 2, seed, amplitude);

  it('ratio 1: output is exactly input · make-up (one float32 rounding of x·10^(m/20))', () => {
    const x = noise(1, 0.9), y = noise(2, 0.9);
    const l = x.slice(), r = y.slice();
    createCompressor(params({ ratio: 1, thresholdDb: -40, makeupDb: 4.5 }), fs).process(l, r);
    const g = 10 ** (4.5 / 20);
    for (let i = 0; i < x.length; i++) {
      if (l[i] !== Math.fround(x[i] * g) || r[i] !== Math.fround(y[i] * g)) throw new Error(`sample ${i} differs`);
    }
  });

  it('threshold above the signal (below the knee): output is exactly input · make-up', () => {
    // noise peaking at −12 dBFS has an RMS level (AES17) near −14 dB, under the knee start −3 dB
    const x = noise(3, 0.25), y = noise(4, 0.25);
    const l = x.slice(), r = y.slice();
    const c = createCompressor(params({ thresholdDb: 0, kneeDb: 6, ratio: 4, makeupDb: -3 }), fs);
    c.process(l, r);
    const g = 10 ** (-3 / 20);
    for (let i = 0; i < x.length; i++) {
      if (l[i] !== Math.fround(x[i] * g) || r[i] !== Math.fround(y[i] * g)) throw new Error(`sample ${i} differs`);
    }
    expect(c.stats()).toEqual({ maxGainReductionDb: 0, meanGainReductionDb: 0 });
  });

  it('mixPercent 0: bit-identical to the input, even under heavy compression', () => {
    const x = noise(5, 1), y = noise(6, 1);
    const l = x.slice(), r = y.slice();
    const c = createCompressor(params({ thresholdDb: -40, ratio: 4, makeupDb: 6, mixPercent: 0 }), fs);
    c.process(l, r);
    expect(firstDifference(l, x)).toBe(-1);
    expect(firstDifference(r, y)).toBe(-1);
    expect(c.stats().maxGainReductionDb).toBeGreaterThan(10); // the detector did work
  });

  it('mixPercent 50: output = x·(0.5 + 0.5·g) — the dry half is untouched (measured at a steady state)', () => {
    const x = sine({ sampleRate: fs, frequency: 1000, seconds: 1, peakDbfs: -10 });
    const l = x.slice(), r = x.slice();
    createCompressor(params({ thresholdDb: -30, ratio: 2, kneeDb: 0, mixPercent: 50, sidechainHpfHz: 0 }), fs).process(l, r);
    const g = 10 ** (-(0.5 * 20) / 20); // GR = (1 − 1/2)·(−10 − (−30)) = 10 dB
    const ratio = rms(l, fs / 2, fs) / rms(x, fs / 2, fs);
    expect(20 * Math.log10(ratio)).toBeCloseTo(20 * Math.log10(0.5 + 0.5 * g), 1);
  });

  it('bypass: process does nothing', () => {
    const x = noise(7, 1);
    const l = x.slice(), r = x.slice();
    createCompressor(params({ bypass: true, thresholdDb: -40, ratio: 4 }), fs).process(l, r);
    expect(firstDifference(l, x)).toBe(-1);
  });
});

describe('side-chain high-pass', () => {
  it('a 40 Hz tone at −10 dBFS is compressed with the HPF off, not at all with the default 90 Hz HPF (−14.3 dB in the detector)', () => {
    const fs = 44100;
    const x = sine({ sampleRate: fs, frequency: 40, seconds: 2, peakDbfs: -10 });
    const off = createCompressor(params({ thresholdDb: -20, ratio: 4, kneeDb: 0, sidechainHpfHz: 0 }), fs);
    const on = createCompressor(params({ thresholdDb: -20, ratio: 4, kneeDb: 0, sidechainHpfHz: 90 }), fs);
    off.process(x.slice(), x.slice());
    on.process(x.slice(), x.slice());
    expect(off.stats().maxGainReductionDb).toBeGreaterThan(6);
    expect(on.stats().maxGainReductionDb).toBe(0);
  });
});

describe('stats', () => {
  it('max = the static reduction of a steady tone; mean over 4 s silence + 4 s tone ≈ half of it', () => {
    const fs = 44100;
    const tone = sine({ sampleRate: fs, frequency: 1000, seconds: 4, peakDbfs: -6 });
    const x = concat([new Float32Array(4 * fs), tone]);
    const c = createCompressor(params({ thresholdDb: -24, ratio: 3, kneeDb: 0, attackMs: 10, sidechainHpfHz: 0 }), fs);
    c.process(x.slice(), x.slice());
    const gr = (2 / 3) * 18;
    const { maxGainReductionDb, meanGainReductionDb } = c.stats();
    expect(Math.abs(maxGainReductionDb - gr)).toBeLessThan(0.2);
    expect(Math.abs(meanGainReductionDb - gr / 2) / (gr / 2)).toBeLessThan(0.01);
  });
});

describe('processor contract', () => {
  const fs = 44100;
  // a loud, level-stepping, partly silent programme: noise bursts and a tone
  const makeSignal = (seed: number) =>
    concat([
      seededNoise(fs / 2, seed, 0.8),
      sine({ sampleRate: fs, frequency: 220, seconds: 0.4, peakDbfs: -3 }),
      new Float32Array(fs / 4),
      seededNoise(fs / 3, seed + 1, 0.1),
      seededNoise(fs / 2, seed + 2, 0.9),
    ]);

  it('one-shot and blocks of 1, 7, 64, 4096 samples give identical bits and identical stats', () => {
    const p = params({ thresholdDb: -30, ratio: 3, attackMs: 2, releaseMs: 80, autoRelease: true, mixPercent: 70, makeupDb: 2, sidechainHpfHz: 120 });
    expectBlockInvariant(() => createCompressor(p, fs), makeSignal(11), makeSignal(21), { stats: (c) => c.stats() });
  });

  it('after loud audio, 60 s of digital silence flush every state to exactly 0 and the output is exactly 0', () => {
    const fs2 = 96000;
    const loud = seededNoise(fs2, 31, 1);
    const x = concat([loud, new Float32Array(60 * fs2)]);
    const c = createCompressor(params({ thresholdDb: -50, ratio: 4, releaseMs: 2000, autoRelease: true, sidechainHpfHz: 300 }), fs2);
    const l = x.slice(), r = x.slice();
    runInBlocks(c, l, r, 4096);
    expect(c.state().every((v) => v === 0), `state ${c.state().join(', ')}`).toBe(true);
    for (let i = loud.length; i < x.length; i++) if (l[i] !== 0 || r[i] !== 0) throw new Error(`sample ${i} is not 0`);
  });

  it('latency is 0', () => {
    expect(createCompressor(params({}), 48000).latency).toBe(0);
  });
});

describe('CompressorTrace', () => {
  it('gives the stats of a fresh compressor run at every threshold, ratio and knee, bit for bit', () => {
    for (const [fs, seconds] of [[44100, 3.3], [96000, 1.01]] as const) {
      const n = Math.round(fs * seconds);
      // a level swing, so that each threshold sees a different share of reduction
      const swing = (x: Float32Array) => x.map((v, i) => v * (0.2 + 0.8 * Math.abs(Math.sin((3 * i) / fs))));
      const l = swing(seededNoise(n, 31, 0.5)), r = swing(seededNoise(n, 32, 0.4));
      for (const base of [params({ autoRelease: true }), params({ autoRelease: false, sidechainHpfHz: 0, attackMs: 5 })]) {
        const trace = new CompressorTrace(base, fs, l, r);
        for (const curve of [{ thresholdDb: -30 }, { thresholdDb: -12, ratio: 4 }, { thresholdDb: -20, kneeDb: 0 }, { thresholdDb: 0 }]) {
          const c = createCompressor({ ...base, ...curve }, fs);
          c.process(l.slice(), r.slice());
          expect(trace.statsAt(curve), `${fs} Hz ${JSON.stringify(curve)}`).toEqual(c.stats());
        }
      }
      expect(new CompressorTrace(params({ bypass: true }), fs, l, r).statsAt({ thresholdDb: -40 })).toEqual({ maxGainReductionDb: 0, meanGainReductionDb: 0 });
    }
  });
});
