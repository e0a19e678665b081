/**
 * Fractional-octave filter bank geometry, IEC 61260-1:2014 §5.2–5.4 (base-10 system):
 *   octave ratio G = 10^(3/10), reference frequency fr = 1000 Hz,
 *   exact mid-band frequency fm = fr·G^(x/b) for odd b, fr·G^((2x+1)/(2b)) for even b,
 *   band edges fm·G^(∓1/(2b)).
 * For 1/3 octave (b = 3) this is fm = 1000·10^(x/10) and edges fm·10^(∓1/20). Adjacent bands share
 * their edges, so the bands tile the frequency axis without gaps.
 */

/** IEC 61260-1 base-10 fractional-octave band centres and edges (Hz, exact, not the rounded nominal values). */
export interface BandSet {
  centresHz: number[];
  lowerHz: number[];
  upperHz: number[];
}

/** IEC 61260-1 base-10 octave ratio. */
const OCTAVE_RATIO = 10 ** (3 / 10);
const REFERENCE_HZ = 1000;

/**
 * Bands of 1/`bandsPerOctave` octave whose centre lies in [minHz, maxHz], where "lies in" allows a
 * quarter of a band step so that a limit given as a nominal frequency (20 Hz, 20 kHz) selects the band
 * whose exact centre is 19.95 Hz or 19.95 kHz.
 */
export function fractionalOctaveBands(bandsPerOctave: number, minHz: number, maxHz: number): BandSet {
  const b = bandsPerOctave;
  if (!Number.isInteger(b) || b < 1) throw new RangeError(`bandsPerOctave must be a positive integer, got ${b}`);
  if (!(minHz > 0 && maxHz >= minHz)) throw new RangeError(`invalid band range ${minHz}..${maxHz} Hz`);
  // Band index in units of 1/b octave: centre(x) = fr·G^((x + offset)/b).
  const offset = b % 2 === 1 ? 0 : 0.5;
  const toIndex = (hz: number): number => (b * Math.log(hz / REFERENCE_HZ)) / Math.log(OCTAVE_RATIO) - offset;
  const first = Math.ceil(toIndex(minHz) - 0.25);
  const last = Math.floor(toIndex(maxHz) + 0.25);
  const halfBand = OCTAVE_RATIO ** (1 / (2 * b));
  const bands: BandSet = { centresHz: [], lowerHz: [], upperHz: [] };
  for (let x = first; x <= last; x++) {
    const fm = REFERENCE_HZ * OCTAVE_RATIO ** ((x + offset) / b);
    bands.centresHz.push(fm);
    bands.lowerHz.push(fm / halfBand);
    bands.upperHz.push(fm * halfBand);
  }
  return bands;
}

/** Nominal 1/3-octave bands, fm = 1000·10^(k/10): 31 bands from 20 Hz to 20 kHz with the defaults. */
export function thirdOctaveBands(minHz = 20, maxHz = 20000): BandSet {
  return fractionalOctaveBands(3, minHz, maxHz);
}

/** IEC 61260-1 nominal (rounded) names of the 31 default 1/3-octave bands, for labels and feature names. */
export const NOMINAL_THIRD_OCTAVES_HZ = [
  20, 25, 31.5, 40, 50, 63, 80, 100, 125, 160, 200, 250, 315, 400, 500, 630, 800, 1000, 1250, 1600, 2000, 2500,
  3150, 4000, 5000, 6300, 8000, 10000, 12500, 16000, 20000,
];
