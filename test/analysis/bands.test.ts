/**
 * Band geometry against IEC 61260-1:2014: the nominal mid-band frequencies of its Table E.1 and the
 * exact base-10 edges it defines (fm·10^(∓3/(20b))).
 */
import { describe, expect, it } from 'vitest';
import { fractionalOctaveBands, thirdOctaveBands } from '../../src/analysis/bands.js';

/** IEC 61260-1 nominal 1/3-octave mid-band frequencies, 20 Hz … 20 kHz. */
const NOMINAL_THIRD_OCTAVE = [
  20, 25, 31.5, 40, 50, 63, 80, 100, 125, 160, 200, 250, 315, 400, 500, 630, 800,
  1000, 1250, 1600, 2000, 2500, 3150, 4000, 5000, 6300, 8000, 10000, 12500, 16000, 20000,
];

describe('thirdOctaveBands', () => {
  it('gives the 31 bands from 20 Hz to 20 kHz, each within 1 % of its IEC nominal frequency', () => {
    const b = thirdOctaveBands();
    expect(b.centresHz).toHaveLength(31);
    expect(b.lowerHz).toHaveLength(31);
    expect(b.upperHz).toHaveLength(31);
    b.centresHz.forEach((fc, i) => expect(Math.abs(fc / NOMINAL_THIRD_OCTAVE[i] - 1)).toBeLessThan(0.01));
  });

  it('has the exact base-10 1 kHz band: 891.25 … 1122.02 Hz', () => {
    const b = thirdOctaveBands();
    const i = b.centresHz.findIndex((f) => Math.abs(f - 1000) < 1e-9);
    expect(i).toBe(17);
    expect(b.lowerHz[i]).toBeCloseTo(891.251, 3);
    expect(b.upperHz[i]).toBeCloseTo(1122.018, 3);
  });

  it('tiles the axis: adjacent bands share an edge, centres step by 10^(1/10)', () => {
    const b = thirdOctaveBands();
    for (let i = 0; i + 1 < b.centresHz.length; i++) {
      expect(b.upperHz[i] / b.lowerHz[i + 1]).toBeCloseTo(1, 12);
      expect(b.centresHz[i + 1] / b.centresHz[i]).toBeCloseTo(10 ** 0.1, 12);
      // The centre is the geometric mean of the edges.
      expect(Math.sqrt(b.lowerHz[i] * b.upperHz[i]) / b.centresHz[i]).toBeCloseTo(1, 12);
    }
  });

  it('selects by nominal limits', () => {
    const b = thirdOctaveBands(100, 10000);
    expect(b.centresHz).toHaveLength(21);
    expect(b.centresHz[0]).toBeCloseTo(100, 9);
    expect(b.centresHz[20]).toBeCloseTo(10000, 6);
    expect(thirdOctaveBands(1000, 1000).centresHz).toEqual([1000]);
  });

  it('rejects nonsense ranges', () => {
    expect(() => thirdOctaveBands(0, 100)).toThrow(RangeError);
    expect(() => thirdOctaveBands(200, 100)).toThrow(RangeError);
  });
});

describe('fractionalOctaveBands', () => {
  it('octave bands: 31.5 Hz … 16 kHz, 1 kHz band 707.95 … 1412.54 Hz', () => {
    const b = fractionalOctaveBands(1, 31.5, 16000);
    const nominal = [31.5, 63, 125, 250, 500, 1000, 2000, 4000, 8000, 16000];
    expect(b.centresHz).toHaveLength(nominal.length);
    b.centresHz.forEach((fc, i) => expect(Math.abs(fc / nominal[i] - 1)).toBeLessThan(0.01));
    expect(b.lowerHz[5]).toBeCloseTo(707.946, 3);
    expect(b.upperHz[5]).toBeCloseTo(1412.538, 3);
  });

  it('even fractions straddle 1 kHz (IEC 61260-1 eq. 3): half-octave centres at 1000·10^(±0.075)', () => {
    const b = fractionalOctaveBands(2, 500, 2000);
    expect(b.centresHz.some((f) => Math.abs(f - 1000) < 1)).toBe(false);
    expect(b.centresHz.some((f) => Math.abs(f - 1000 * 10 ** 0.075) < 1e-6)).toBe(true);
    expect(b.centresHz.some((f) => Math.abs(f - 1000 * 10 ** -0.075) < 1e-6)).toBe(true);
  });

  it('rejects a non-integer fraction', () => {
    expect(() => fractionalOctaveBands(2.5, 20, 20000)).toThrow(RangeError);
  });
});
