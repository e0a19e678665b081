/** Matching-EQ gain curves for the FIR and match-EQ tests: a plausible smooth one and seeded rough ones. */
import { mulberry32 } from './signals.js';

/** Exact 1/3-octave centres 20 Hz – 20 kHz (base-2, IEC 61260-1): 1000·2^((i − 17)/3), i = 0 … 30. */
export const THIRD_OCTAVE_CENTRES = Array.from({ length: 31 }, (_, i) => 1000 * 2 ** ((i - 17) / 3));

/** A plausible matching curve at THIRD_OCTAVE_CENTRES: tilt, a bass bump, a presence dip (smooth over frequency). */
export const SMOOTH_GAINS_DB = THIRD_OCTAVE_CENTRES.map((f) => 0.6 * Math.log2(f / 1000) + 4 * Math.exp(-(Math.log2(f / 80) ** 2) / 2) - 3 * Math.exp(-(Math.log2(f / 3000) ** 2) / 1.5));

/** Independent random gains in [−6, 6) dB at each THIRD_OCTAVE_CENTRES point, from `seed`: far rougher than a real matching curve. */
export function roughGainsDb(seed: number): number[] {
  const rand = mulberry32(seed);
  return THIRD_OCTAVE_CENTRES.map(() => 12 * rand() - 6);
}
