/**
 * EBU Tech 3341 "Loudness Metering: 'EBU Mode' metering to supplement EBU R 128 loudness
 * normalization", v3 (January 2016; v4, November 2023, is editorial and keeps the test signals),
 * Table 1 "Minimum requirements test signals". Every case that is defined by a signal
 * description is synthesised here, at 48 kHz (the rate of the EBU test files) and again at
 * 44.1 kHz with the same expectation and tolerance: loudness must not depend on the sample rate.
 * All tones are 1 kHz sines, levels are peak dBFS per channel, "stereo" is the same signal in L and R.
 *
 * Case  Signal                                                                     Expected
 *  1    stereo, 20 s at −23.0 dBFS                                                 M, S, I = −23.0 ±0.1 LUFS
 *  2    stereo, 20 s at −33.0 dBFS                                                 M, S, I = −33.0 ±0.1 LUFS
 *  3    stereo, 10 s at −36.0, 60 s at −23.0, 10 s at −36.0 dBFS                   I = −23.0 ±0.1 LUFS
 *  4    stereo, 10 s −72.0, 10 s −36.0, 60 s −23.0, 10 s −36.0, 10 s −72.0 dBFS     I = −23.0 ±0.1 LUFS
 *  5    stereo, 20 s at −26.0, 20.1 s at −20.0, 20 s at −26.0 dBFS                 I = −23.0 ±0.1 LUFS
 *  6    5.0 (L, R, C, Ls, Rs) 20 s at −28.0, −28.0, −24.0, −30.0, −30.0 dBFS       I = −23.0 ±0.1 LUFS
 *  7    authentic programme (seq-3341-7_seq-3342-5)                                I = −23.0 ±0.1 LUFS   (skipped)
 *  8    authentic programme (seq-3341-2011-8_seq-3342-6)                           I = −23.0 ±0.1 LUFS   (skipped)
 *  9    stereo, 5 × [1.34 s at −20.0 dBFS, 1.66 s at −30.0 dBFS] (15 s)           S = −23.0 ±0.1 LUFS, constant after 3 s
 * 10    20 files; file k: (k−1)·0.15 s silence, 3 s at −23.0 dBFS, then silence    max S = −23.0 ±0.1 LUFS, each file
 * 11    stereo, 20 segments of 6 s; segment i = 0…19: i·0.15 s silence, 3 s at      max S = −38.0, −37.0, …, −19.0 ±0.1 LUFS,
 *       (−38 + i) dBFS, silence to the end of the segment (120 s)                   successive values
 * 12    stereo, 25 × [0.18 s at −20.0 dBFS, 0.22 s at −30.0 dBFS] (10 s)          M = −23.0 ±0.1 LUFS, constant after 1 s
 * 13    20 files; file k: (k−1)·0.02 s silence, 0.4 s at −23.0 dBFS, then silence  max M = −23.0 ±0.1 LUFS, each file
 * 14    stereo, 20 segments of 0.8 s; segment i = 0…19: i·0.02 s silence, 0.4 s at max M = −38.0, …, −19.0 ±0.1 LUFS,
 *       (−38 + i) dBFS, silence to the end of the segment (16 s)                    successive values
 * 15    stereo, fs/4 sine, peak 0.50 FS, phase 0°, 10 ms fade in and out (3 s)     max true peak = −6.0 +0.2/−0.4 dBTP
 * 16    as 15, phase 45°                                                           max true peak = −6.0 +0.2/−0.4 dBTP
 * 17    stereo, fs/6 sine, 0.50 FS, phase 60°                                      max true peak = −6.0 +0.2/−0.4 dBTP
 * 18    stereo, fs/8 sine, 0.50 FS, phase 67.5°                                    max true peak = −6.0 +0.2/−0.4 dBTP
 * 19    stereo, fs/4 sine, 1.41 FS, phase 45° (samples at 0.997 FS)                max true peak = +3.0 +0.2/−0.4 dBTP
 * 20–23 true-peak files made at 4·fs and filtered (no sample-exact description)   max true peak = 0.0 +0.2/−0.4 dBTP   (skipped)
 *
 * Cases 10, 11, 13, 14: the offsets (0.15 s and 20 ms steps) and segment lengths are those of the
 * EBU loudness test set v05 files that implement them. Case 10 and 11 need a short-term value every
 * 100 ms at least (the 0.15 s steps put a burst at most 50 ms off the grid: −0.07 LU); cases 13 and
 * 14 place a 0.4 s burst 20 ms apart, which a 100 ms momentary grid under-reads by up to 0.58 LU, so
 * max M has to be found on a finer grid (libebur128's own test of these files reads M every 10 ms).
 *
 * Series indices: momentaryLufs[k] is the 400 ms window starting at k·0.1 s, shortTermLufs[k] the
 * 3 s window starting at k·0.1 s (see LoudnessResult).
 */
import { describe, expect, it } from 'vitest';
import { measureLoudness, type LoudnessResult } from '../../src/analysis/loudness.js';
import { measureTruePeak } from '../../src/analysis/truepeak.js';
import { fadeInOut, sampleAt, sine, toneSequence, type ToneSegment } from '../helpers/signals.js';

const RATES = [48000, 44100];
const LU_TOL = 0.1;
const SURROUND_WEIGHTS = [1, 1, 1, 1.41, 1.41];

const tone = (fs: number, segments: ToneSegment[]) => toneSequence(fs, 1000, segments);
const stereo = (x: Float32Array) => [x, x];
const loudness = (fs: number, segments: ToneSegment[]): LoudnessResult => measureLoudness(stereo(tone(fs, segments)), fs);

function expectWithin(actual: number | null, expected: number, tol: number, what: string): void {
  expect(actual, what).not.toBeNull();
  expect(Math.abs((actual as number) - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(tol);
}

/** Every value of `series[from … to]` (inclusive) within ±tol of `expected`. */
function expectSeriesWithin(series: Float64Array, from: number, to: number, expected: number, what: string): void {
  expect(series.length, `${what}: series too short`).toBeGreaterThan(to);
  for (let k = from; k <= to; k++) expectWithin(series[k], expected, LU_TOL, `${what}[${k}]`);
}

function maxOf(series: Float64Array, from: number, to: number): number {
  let m = -Infinity;
  for (let k = from; k <= to; k++) m = Math.max(m, series[k]);
  return m;
}

describe.each(RATES)('EBU Tech 3341 Table 1 at %i Hz', (fs) => {
  it('case 1: 20 s at −23 dBFS → M, S, I = −23.0 ±0.1 LUFS (every M and S value)', () => {
    const r = loudness(fs, [{ seconds: 20, dbfs: -23 }]);
    expectWithin(r.integratedLufs, -23, LU_TOL, 'I');
    // 20 s: windows k·0.1 s … +0.4 s for k = 0…196, … +3 s for k = 0…170.
    expectSeriesWithin(r.momentaryLufs, 0, 196, -23, 'M');
    expectSeriesWithin(r.shortTermLufs, 0, 170, -23, 'S');
  });

  it('case 2: 20 s at −33 dBFS → M, S, I = −33.0 ±0.1 LUFS (every M and S value)', () => {
    const r = loudness(fs, [{ seconds: 20, dbfs: -33 }]);
    expectWithin(r.integratedLufs, -33, LU_TOL, 'I');
    expectSeriesWithin(r.momentaryLufs, 0, 196, -33, 'M');
    expectSeriesWithin(r.shortTermLufs, 0, 170, -33, 'S');
  });

  it('case 3: −36 / −23 / −36 dBFS for 10 / 60 / 10 s → I = −23.0 ±0.1 LUFS (relative gate)', () => {
    const r = loudness(fs, [{ seconds: 10, dbfs: -36 }, { seconds: 60, dbfs: -23 }, { seconds: 10, dbfs: -36 }]);
    expectWithin(r.integratedLufs, -23, LU_TOL, 'I');
  });

  it('case 4: −72 / −36 / −23 / −36 / −72 dBFS for 10 / 10 / 60 / 10 / 10 s → I = −23.0 ±0.1 LUFS (both gates)', () => {
    const r = loudness(fs, [
      { seconds: 10, dbfs: -72 }, { seconds: 10, dbfs: -36 }, { seconds: 60, dbfs: -23 },
      { seconds: 10, dbfs: -36 }, { seconds: 10, dbfs: -72 },
    ]);
    expectWithin(r.integratedLufs, -23, LU_TOL, 'I');
  });

  it('case 5: −26 / −20 / −26 dBFS for 20 / 20.1 / 20 s → I = −23.0 ±0.1 LUFS', () => {
    const r = loudness(fs, [{ seconds: 20, dbfs: -26 }, { seconds: 20.1, dbfs: -20 }, { seconds: 20, dbfs: -26 }]);
    expectWithin(r.integratedLufs, -23, LU_TOL, 'I');
  });

  it('case 6: 5.0 channels L, R, C, Ls, Rs at −28, −28, −24, −30, −30 dBFS, 20 s, surround weights 1.41 → I = −23.0 ±0.1 LUFS', () => {
    const at = (dbfs: number) => tone(fs, [{ seconds: 20, dbfs }]);
    const front = at(-28), centre = at(-24), surround = at(-30);
    const r = measureLoudness([front, front, centre, surround, surround], fs, { channelWeights: SURROUND_WEIGHTS });
    expectWithin(r.integratedLufs, -23, LU_TOL, 'I');
  });

  it.skip('case 7: authentic programme seq-3341-7_seq-3342-5, I = −23.0 ±0.1 LUFS — a recording, not synthesisable from its description', () => {});
  it.skip('case 8: authentic programme seq-3341-2011-8_seq-3342-6, I = −23.0 ±0.1 LUFS — a recording, not synthesisable from its description', () => {});

  it('case 9: 5 × [1.34 s at −20, 1.66 s at −30 dBFS] → S = −23.0 ±0.1 LUFS, constant after 3 s (every S value)', () => {
    const cycle: ToneSegment[] = [{ seconds: 1.34, dbfs: -20 }, { seconds: 1.66, dbfs: -30 }];
    const r = loudness(fs, [...cycle, ...cycle, ...cycle, ...cycle, ...cycle]);
    // S at time t ≥ 3 s is the window [t − 3, t): shortTermLufs[k] for k = 0 … (15 − 3)/0.1 = 120.
    expectSeriesWithin(r.shortTermLufs, 0, 120, -23, 'S');
  });

  it('case 10: 20 files, a 3 s burst at −23 dBFS after (k−1)·0.15 s of silence → max S = −23.0 ±0.1 LUFS in each', () => {
    for (let k = 1; k <= 20; k++) {
      const r = loudness(fs, [{ seconds: (k - 1) * 0.15, dbfs: null }, { seconds: 3, dbfs: -23 }, { seconds: 1, dbfs: null }]);
      expectWithin(r.shortTermMaxLufs, -23, LU_TOL, `file ${k} max S`);
    }
  });

  it('case 11: 20 × 6 s segments, a 3 s burst at −38 … −19 dBFS after i·0.15 s → max S per segment = −38.0 … −19.0 ±0.1 LUFS', () => {
    const segments: ToneSegment[] = [];
    for (let i = 0; i < 20; i++) {
      segments.push({ seconds: i * 0.15, dbfs: null }, { seconds: 3, dbfs: -38 + i }, { seconds: 3 - i * 0.15, dbfs: null });
    }
    const r = loudness(fs, segments);
    for (let i = 0; i < 20; i++) {
      // The S windows that lie inside segment i start at 6i … 6i + 3 s: k = 60i … 60i + 30.
      expectWithin(maxOf(r.shortTermLufs, 60 * i, 60 * i + 30), -38 + i, LU_TOL, `segment ${i} max S`);
    }
  });

  it('case 12: 25 × [0.18 s at −20, 0.22 s at −30 dBFS] → M = −23.0 ±0.1 LUFS, constant after 1 s (every M value)', () => {
    const segments: ToneSegment[] = [];
    for (let i = 0; i < 25; i++) segments.push({ seconds: 0.18, dbfs: -20 }, { seconds: 0.22, dbfs: -30 });
    const r = loudness(fs, segments);
    // M at t ≥ 1 s is the window [t − 0.4, t): momentaryLufs[k] for k = 6 … (10 − 0.4)/0.1 = 96.
    expectSeriesWithin(r.momentaryLufs, 6, 96, -23, 'M');
  });

  it('case 13: 20 files, a 0.4 s burst at −23 dBFS after (k−1)·20 ms of silence → max M = −23.0 ±0.1 LUFS in each', () => {
    const misses: string[] = [];
    for (let k = 1; k <= 20; k++) {
      const r = loudness(fs, [{ seconds: (k - 1) * 0.02, dbfs: null }, { seconds: 0.4, dbfs: -23 }, { seconds: 0.6, dbfs: null }]);
      if (r.momentaryMaxLufs === null || Math.abs(r.momentaryMaxLufs + 23) > LU_TOL) misses.push(`file ${k}: ${r.momentaryMaxLufs}`);
    }
    expect(misses).toEqual([]);
  });

  it('case 14: 20 × 0.8 s segments, a 0.4 s burst at −38 … −19 dBFS after i·20 ms → max M per segment = −38.0 … −19.0 ±0.1 LUFS', () => {
    const segments: ToneSegment[] = [];
    for (let i = 0; i < 20; i++) {
      segments.push({ seconds: i * 0.02, dbfs: null }, { seconds: 0.4, dbfs: -38 + i }, { seconds: 0.4 - i * 0.02, dbfs: null });
    }
    const x = tone(fs, segments);
    const misses: string[] = [];
    for (let i = 0; i < 20; i++) {
      // Max M within segment i: the meter's running maximum over that segment alone.
      const seg = x.subarray(sampleAt(0.8 * i, fs), sampleAt(0.8 * (i + 1), fs));
      const m = measureLoudness(stereo(seg), fs).momentaryMaxLufs;
      if (m === null || Math.abs(m - (-38 + i)) > LU_TOL) misses.push(`segment ${i}: ${m} vs ${-38 + i}`);
    }
    expect(misses).toEqual([]);
  });

  const truePeakCases = [
    { n: 15, div: 4, amplitude: 0.5, phaseDeg: 0, expected: -6 },
    { n: 16, div: 4, amplitude: 0.5, phaseDeg: 45, expected: -6 },
    { n: 17, div: 6, amplitude: 0.5, phaseDeg: 60, expected: -6 },
    { n: 18, div: 8, amplitude: 0.5, phaseDeg: 67.5, expected: -6 },
    { n: 19, div: 4, amplitude: 1.41, phaseDeg: 45, expected: 3 },
  ];
  for (const c of truePeakCases) {
    it(`case ${c.n}: fs/${c.div} sine, ${c.amplitude} FS, ${c.phaseDeg}° → max true peak = ${c.expected.toFixed(1)} +0.2/−0.4 dBTP`, () => {
      const x = fadeInOut(sine({ sampleRate: fs, frequency: fs / c.div, seconds: 3, amplitude: c.amplitude, phaseDeg: c.phaseDeg }), sampleAt(0.01, fs));
      const r = measureTruePeak(stereo(x), fs);
      for (const v of [r.truePeakDbtp, ...r.perChannel.map((p) => 20 * Math.log10(p))]) {
        expect(v).toBeGreaterThanOrEqual(c.expected - 0.4);
        expect(v).toBeLessThanOrEqual(c.expected + 0.2);
      }
    });
  }

  for (const n of [20, 21, 22, 23]) {
    it.skip(`case ${n}: max true peak = 0.0 +0.2/−0.4 dBTP — EBU file made at 4·fs and filtered, not defined sample-exactly in Table 1`, () => {});
  }
});
