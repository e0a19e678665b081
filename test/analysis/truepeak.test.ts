/**
 * True peak (ITU-R BS.1770-4 Annex 2, 4x oversampling). Independent truths used here:
 * - the filter's designed response (computed from its coefficients, not from the meter);
 * - analytic amplitudes of sines whose samples miss the crest (Tech 3341 cases 15–19 style, and
 *   tones at frequencies whose 4x grid gets arbitrarily close to the crest);
 * - ideal band-limited reconstruction of an isolated pair of equal samples a, a: the peak midway
 *   is a·(sinc(½) + sinc(−½)) = 4a/π;
 * - a naive direct-form polyphase convolution written here, and bit-exact agreement of the
 *   skip-optimised meter with the brute-force one on real music and on noise.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { measureTruePeak, measureTruePeakBruteForce, type TruePeakResult } from '../../src/analysis/truepeak.js';
import { HALF_TAPS, TRUE_PEAK_FILTER, kaiserSincKernel } from '../../src/analysis/truepeak-filter.js';
import { decodeFile } from '../../src/io/decode.js';
import { ampToDb } from '../../src/util/db.js';
import { concat, fadeInOut, seededNoise, sine } from '../helpers/signals.js';
import { CORPUS } from '../helpers/corpus.js';

const RATES = [44100, 48000, 96000];

function samplePeak(x: Float32Array): number {
  let p = 0;
  for (const v of x) p = Math.max(p, Math.abs(v));
  return p;
}

/** |H_p(f)| in dB of phase p (1..3) at f in units of the input rate. */
function phaseGainDb(p: number, f: number): number {
  const c = TRUE_PEAK_FILTER.phases[p - 1];
  let re = 0, im = 0;
  for (let k = 0; k < c.length; k++) {
    const j = k - HALF_TAPS + 1;
    re += c[k] * Math.cos(2 * Math.PI * f * j);
    im += c[k] * Math.sin(2 * Math.PI * f * j);
  }
  return ampToDb(Math.hypot(re, im));
}

function expectSameResult(a: TruePeakResult, b: TruePeakResult): void {
  expect(a.truePeak).toBe(b.truePeak);
  expect(a.perChannel).toEqual(b.perChannel);
  expect(a.interSampleOvers).toBe(b.interSampleOvers);
}

describe('interpolation filter design', () => {
  it('every phase is flat within ±0.001 dB from DC to 0.40·fs and within 0.1 dB at 0.45·fs', () => {
    for (let p = 1; p <= 3; p++) {
      for (let f = 0; f <= 0.4 + 1e-12; f += 0.002) expect(Math.abs(phaseGainDb(p, f))).toBeLessThan(0.001);
      const g45 = phaseGainDb(p, 0.45);
      expect(g45).toBeLessThan(0);
      expect(g45).toBeGreaterThan(-0.1);
    }
  });

  it('the 4x prototype attenuates everything from 0.60·fs up by at least 90 dB (images of tones below 0.40·fs)', () => {
    let worst = -Infinity;
    for (let f = 0.6; f <= 2; f += 0.001) {
      let re = 0, im = 0;
      for (let i = -4 * HALF_TAPS + 1; i < 4 * HALF_TAPS; i++) {
        const h = kaiserSincKernel(i / 4);
        re += h * Math.cos((2 * Math.PI * f * i) / 4);
        im += h * Math.sin((2 * Math.PI * f * i) / 4);
      }
      worst = Math.max(worst, ampToDb(Math.hypot(re, im) / 4));
    }
    expect(worst).toBeLessThan(-90);
  });

  it('is a Nyquist filter: the kernel is 1 at 0 and 0 at every other whole sample (phase 0 = the samples)', () => {
    expect(kaiserSincKernel(0)).toBe(1);
    for (let j = 1; j < HALF_TAPS; j++) expect(Math.abs(kaiserSincKernel(j))).toBeLessThan(1e-16);
  });
});

describe('measureTruePeak on sines', () => {
  for (const fs of RATES) {
    it(`reads Tech 3341-style tones whose samples miss the crest at their amplitude within ±0.01 dB (${fs} Hz)`, () => {
      for (const [div, phaseDeg] of [[4, 45], [6, 60], [8, 67.5], [4, 0]] as const) {
        const x = fadeInOut(sine({ sampleRate: fs, frequency: fs / div, seconds: 1, amplitude: 0.5, phaseDeg }), Math.round(fs / 100));
        const r = measureTruePeak([x], fs);
        expect(Math.abs(r.truePeakDbtp - ampToDb(0.5))).toBeLessThan(0.01);
      }
      // The 45° case is the one a sample-peak meter gets 3 dB wrong.
      const miss = sine({ sampleRate: fs, frequency: fs / 4, seconds: 0.1, amplitude: 0.5, phaseDeg: 45 });
      expect(ampToDb(samplePeak(miss))).toBeLessThan(ampToDb(0.5) - 2.9);
    });

    it(`reads steady sines up to 0.40·fs at their amplitude within ±0.01 dB (${fs} Hz)`, () => {
      // Frequencies chosen so the 4x grid is not periodic with a short period: it comes within a
      // small fraction of a degree of the crest within 1 s.
      for (const ratio of [0.0123457, 0.0987654, 0.2345678, 0.3012345, 0.3987654]) {
        const x = fadeInOut(sine({ sampleRate: fs, frequency: ratio * fs, seconds: 1, amplitude: 0.7, phaseDeg: 37 }), Math.round(fs / 100));
        const r = measureTruePeak([x], fs);
        expect(Math.abs(r.truePeakDbtp - ampToDb(0.7)), `f = ${ratio}·fs`).toBeLessThan(0.01);
      }
    });

    it(`gives the sample peak for DC and low tones, whose samples sit on the crest (${fs} Hz)`, () => {
      const dc = fadeInOut(new Float32Array(fs).fill(0.5), Math.round(fs / 100), 'cosine');
      expect(Math.abs(ampToDb(measureTruePeak([dc], fs).truePeak) - ampToDb(samplePeak(dc)))).toBeLessThan(0.001);
      for (const f of [20, 100, 1000]) {
        const x = fadeInOut(sine({ sampleRate: fs, frequency: f, seconds: 1, amplitude: 0.8 }), Math.round(fs / 100), 'cosine');
        const tp = measureTruePeak([x], fs).truePeak;
        expect(Math.abs(ampToDb(tp) - ampToDb(samplePeak(x))), `${f} Hz`).toBeLessThan(0.001);
        expect(Math.abs(ampToDb(tp) - ampToDb(0.8)), `${f} Hz`).toBeLessThan(0.001);
      }
    });
  }

  it('reports silence as 0 / -Infinity dBTP, and handles empty and one-sample channels', () => {
    const r = measureTruePeak([new Float32Array(4800), new Float32Array(4800)], 48000);
    expect(r).toEqual({ truePeak: 0, truePeakDbtp: -Infinity, perChannel: [0, 0], interSampleOvers: 0 });
    expect(measureTruePeak([], 48000).truePeakDbtp).toBe(-Infinity);
    expect(measureTruePeak([new Float32Array(0), Float32Array.of(-0.25)], 48000).perChannel).toEqual([0, 0.25]);
  });

  it('keeps channels apart and reports the loudest', () => {
    const fs = 48000;
    const quiet = sine({ sampleRate: fs, frequency: fs / 4, seconds: 0.5, amplitude: 0.25, phaseDeg: 45 });
    const loud = sine({ sampleRate: fs, frequency: fs / 4, seconds: 0.5, amplitude: 0.5, phaseDeg: 45 });
    const r = measureTruePeak([fadeInOut(quiet, 480), fadeInOut(loud, 480)], fs);
    expect(r.perChannel[0]).toBeCloseTo(0.25, 3);
    expect(r.perChannel[1]).toBeCloseTo(0.5, 3);
    expect(r.truePeak).toBe(r.perChannel[1]);
  });
});

/** Silence with isolated pairs of equal samples (a, a) every `spacing` samples, and other patterns. */
function pairsSignal(pattern: number[][], spacing: number): Float32Array {
  const x = new Float32Array((pattern.length + 1) * spacing);
  pattern.forEach((pair, i) => x.set(pair, (i + 1) * spacing));
  return x;
}

describe('inter-sample overs', () => {
  it('an isolated pair a, a peaks at 4a/π midway (ideal reconstruction), within 0.05 dB', () => {
    const x = pairsSignal([[0.6, 0.6]], 200);
    const r = measureTruePeak([x], 48000);
    expect(Math.abs(r.truePeakDbtp - ampToDb((4 * 0.6) / Math.PI))).toBeLessThan(0.05);
    expect(r.interSampleOvers).toBe(0); // 0.764 < 1
  });

  it('counts intervals whose interpolated peak exceeds full scale between in-range samples', () => {
    // 0.9, 0.9 peaks at 1.146 between them: one over each. 0.7, 0.7 peaks at 0.891: none.
    // 1.2, 1.2 is beyond full scale at the samples: plain clipping, not an inter-sample over.
    // 0.9, −0.9 crosses zero midway and peaks below 0.9·1.2: none.
    const left: number[][] = [];
    for (let i = 0; i < 40; i++) left.push([0.9, 0.9]);
    for (let i = 0; i < 10; i++) left.push([0.7, 0.7], [1.2, 1.2], [0.9, -0.9]);
    const right = left.slice(0, 25).map(([a, b]) => [-a, -b]); // 25 negative overs
    const l = pairsSignal(left, 200), r = pairsSignal(right, 200);
    const res = measureTruePeak([l, r], 48000);
    expect(res.interSampleOvers).toBe(65);
    expect(res.truePeak).toBeGreaterThan(1.2 * (4 / Math.PI) * 0.99);
    expectSameResult(res, measureTruePeakBruteForce([l, r], 48000));
    // The same array given twice (dual mono) is one channel's overs twice.
    expect(measureTruePeak([l, l], 48000).interSampleOvers).toBe(80);
  });

  it('counts every crest of a full-scale fs/4 tone at 45° (samples at ±0.997, crests at ±1.41)', () => {
    // x[n] = 1.41·sin(π·n/2 + π/4): pairs of equal samples, a crest between each pair: every other
    // interval is an over. With no fade, the onset rings too, but every sample stays within 0.997.
    const n = 2001;
    const x = sine({ sampleRate: 48000, frequency: 12000, samples: n, amplitude: 1.41, phaseDeg: 45 });
    const r = measureTruePeak([x], 48000);
    expect(samplePeak(x)).toBeLessThan(1);
    expect(r.interSampleOvers).toBe((n - 1) / 2);
  });
});

/** Naive direct-form 4x polyphase interpolation of `x` (zero outside): max |y| over intervals [n, n+1]. */
function naiveTruePeak(x: Float32Array): number {
  let peak = samplePeak(x);
  for (let n = 0; n < x.length - 1; n++) {
    for (let p = 1; p <= 3; p++) {
      let y = 0;
      for (let j = -HALF_TAPS + 1; j <= HALF_TAPS; j++) {
        const i = n + j;
        if (i >= 0 && i < x.length) y += kaiserSincKernel(p / 4 - j) * x[i];
      }
      peak = Math.max(peak, Math.abs(y));
    }
  }
  return peak;
}

describe('skip-optimised meter equals brute force', () => {
  it('the brute-force kernel (pair form) matches a naive direct-form convolution', () => {
    const x = seededNoise(3000, 7, 0.9);
    const naive = naiveTruePeak(x);
    expect(Math.abs(measureTruePeakBruteForce([x], 48000).truePeak - naive)).toBeLessThan(1e-12 * naive);
  });

  it('bit for bit on seeded noise: loud white noise, quiet noise with bursts, and a low tone with clicks', () => {
    const fs = 44100;
    const white = seededNoise(fs * 2, 1, 0.95);
    const bursts = seededNoise(fs * 2, 2, 0.05);
    for (let b = 0; b < 20; b++) bursts.set(seededNoise(500, 100 + b, 0.3 + 0.035 * b), 4000 * b + 777);
    const tone = sine({ sampleRate: fs, frequency: 55, seconds: 2, amplitude: 0.8 });
    for (let k = 1; k < 40; k++) tone[k * 2203] += k % 2 ? 0.15 : -0.2;
    for (const x of [white, bursts, tone, concat([bursts, white])]) {
      const fast = measureTruePeak([x, tone], fs);
      expectSameResult(fast, measureTruePeakBruteForce([x, tone], fs));
    }
  });

  // A heavily limited master: inter-sample overs all through it, the hardest case for the skip logic.
  it.skipIf(!existsSync(CORPUS))('bit for bit on real music (corpus ref03, a limited master with overs)', async () => {
    const audio = await decodeFile(join(CORPUS, 'ref03_muldjord_chaos_god.flac'));
    const channels = [audio.left, audio.right];
    const fast = measureTruePeak(channels, audio.sampleRate);
    expectSameResult(fast, measureTruePeakBruteForce(channels, audio.sampleRate));
    expect(fast.interSampleOvers).toBeGreaterThan(0);
    expect(fast.truePeak).toBeGreaterThan(Math.max(samplePeak(audio.left), samplePeak(audio.right)));
  });
});
