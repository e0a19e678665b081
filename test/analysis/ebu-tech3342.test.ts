/**
 * EBU Tech 3342 "Loudness Range: A measure to supplement EBU R 128 loudness normalization"
 * (2016 edition; gates −70 LUFS absolute and −20 LU relative on short-term loudness,
 * LRA = 95th − 10th percentile), Table 1 "Minimum requirements test signals". Synthesised at
 * 48 kHz (the rate of the EBU files) and again at 44.1 kHz with the same tolerance.
 * All tones are 1 kHz stereo sines (same signal in L and R), levels are peak dBFS per channel.
 *
 * Case  Signal                                                             Expected
 *  1    20 s at −20 dBFS, then 20 s at −30 dBFS                            LRA = 10 ±1 LU
 *  2    20 s at −20 dBFS, then 20 s at −15 dBFS                            LRA =  5 ±1 LU
 *  3    20 s at −40 dBFS, then 20 s at −20 dBFS                            LRA = 20 ±1 LU
 *  4    20 s each at −50, −35, −20, −35, −50 dBFS                          LRA = 15 ±1 LU
 *  5    authentic programme (seq-3341-7_seq-3342-5)                        LRA =  5 ±1 LU   (skipped)
 *  6    authentic programme (seq-3341-2011-8_seq-3342-6)                   LRA = 15 ±1 LU   (skipped)
 */
import { describe, expect, it } from 'vitest';
import { measureLoudness } from '../../src/analysis/loudness.js';
import { toneSequence } from '../helpers/signals.js';

const RATES = [48000, 44100];
const LRA_TOL = 1;

function lra(fs: number, levels: number[]): number | null {
  const x = toneSequence(fs, 1000, levels.map((dbfs) => ({ seconds: 20, dbfs })));
  return measureLoudness([x, x], fs).loudnessRangeLu;
}

describe.each(RATES)('EBU Tech 3342 Table 1 at %i Hz', (fs) => {
  const cases: [number, number[], number][] = [
    [1, [-20, -30], 10],
    [2, [-20, -15], 5],
    [3, [-40, -20], 20],
    [4, [-50, -35, -20, -35, -50], 15],
  ];
  for (const [n, levels, expected] of cases) {
    it(`case ${n}: 20 s each at ${levels.join(' / ')} dBFS → LRA = ${expected} ±1 LU`, () => {
      const value = lra(fs, levels);
      expect(value).not.toBeNull();
      expect(Math.abs((value as number) - expected), `LRA ${value}`).toBeLessThanOrEqual(LRA_TOL);
    });
  }

  it.skip('case 5: authentic programme seq-3341-7_seq-3342-5, LRA = 5 ±1 LU — a recording, not synthesisable from its description', () => {});
  it.skip('case 6: authentic programme seq-3341-2011-8_seq-3342-6, LRA = 15 ±1 LU — a recording, not synthesisable from its description', () => {});
});
