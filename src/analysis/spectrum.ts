/**
 * Long-term average spectrum (LTAS) of mid and side, on IEC 61260-1 1/3-octave bands, plus the figures
 * derived from it. The per-frame spectral descriptors are in descriptors.ts, whose analyzeSpectrum
 * joins both into the analyser's spectrum section.
 *
 * WHAT THE NUMBERS MEAN (all comparable across tracks and sample rates):
 * - mid = (L+R)/2, side = (L−R)/2, computed per frame. A mono signal has side = 0; a signal on L only has
 *   mid = side = L/2; an anti-phase signal has mid = 0.
 * - Spectrum estimate: Welch's method (Welch 1967) — periodic Hann window, 50 % overlap, FFT of
 *   ltasFftSize(fs) = the power of two nearest to 0.37 s (16384 at 44.1/48 kHz: bins of 2.7/2.9 Hz;
 *   32768 at 88.2/96 kHz). Each frame's periodogram is scaled by 1/(N·Σw²) (power-conserving, Parseval),
 *   so the bins of one frame sum to that frame's window-weighted mean square, for tones and noise alike.
 *   Frames whose (L²+R²)/2 mean square is below −70 dB (re a full-scale square) are left out, so silence
 *   in a track does not pull its spectrum down (the same absolute gate as ITU-R BS.1770-4; frames are
 *   gated whole, so a frame half in silence still counts, at most ~2 frames per silence boundary).
 * - Band power: each FFT bin stands for the interval [(k−½)·Δf, (k+½)·Δf] (DC and Nyquist bins: half
 *   of that) and its power is shared among the bands in proportion to the overlap, so the band powers
 *   add up to the total power and the narrow low bands (4.6 Hz wide at 20 Hz) are never empty.
 *   Resolution limit: below ~50 Hz a band is narrower than the Hann main lobe (±2 bins ≈ ±5.5 Hz), so
 *   a steady low TONE spills up to ~1 dB into the neighbouring bands (broadband content is unaffected:
 *   what leaks out of a band is replaced by what leaks in). From 50 Hz up a tone reads its level
 *   within 0.02 dB at 44.1, 48 and 96 kHz.
 * - midBandDb / sideBandDb: mean power in the band, in dB re the power of a full-scale sine (0.5):
 *   a sine of peak amplitude A inside a band reads 20·log10(A) (−6.02 dB for A = 0.5), and noise reads
 *   its band RMS in dBFS + 3.01 dB. ABSOLUTE level — the caller normalises to integrated loudness.
 *   A band above Nyquist is null; a band partly above Nyquist holds the power up to Nyquist; a silent
 *   band reads SPECTRUM_FLOOR_DB (−150 dB), never −∞.
 * - widthPerBand: side power / mid power in each band (linear: 0 = mono, 1 = L and R unrelated at equal
 *   level, > 1 = more anti-phase than in-phase); null where the band is invalid or mid is at the floor.
 * - width: the same ratio from the total powers over all valid bands (17.8 Hz … min(22.4 kHz, Nyquist)).
 * - tiltDbPerOct: least-squares slope of midBandDb against log2(band centre), over the bands centred
 *   from 100 Hz to 10 kHz (21 bands), dB/octave. 0 = pink (equal power per 1/3 octave), +3.01 = white,
 *   the shared corpus spans −1 … −7. Bands at the floor are left out; null if fewer than 3 remain.
 * - lowSideToMidDb: side power / mid power between 20 and 150 Hz, dB (−150 dB floor = bass perfectly
 *   mono; ≈ 0 dB = bass as wide as unrelated L/R). The range starts at 20 Hz so that DC offsets and
 *   sub-sonic rumble do not count as wide bass. Null if the mid has no power there.
 * - lowSideToTotalDb: side power between 20 and 150 Hz / total mid power (as in `width`), dB: how much
 *   of the whole mix is out-of-phase bass. Null if the mid is silent.
 */
import { powerToDb } from '../util/db.js';
import { thirdOctaveBands } from './bands.js';
import type { SpectralDescriptors } from './descriptors.js';
import { Fft, MIN_FFT_SIZE, nearestPowerOfTwo } from './fft.js';

export type { SpectralDescriptors, Summary } from './descriptors.js';

export interface SpectrumResult {
  /** Band centres (exact, not nominal rounded), Hz. */
  bandsHz: number[];
  /** Mean power per band of mid = (L+R)/2 and side = (L−R)/2, in dB re full-scale sine power (absolute, NOT yet normalised: the lead normalises to the integrated loudness). null for a band above Nyquist or with no FFT bin in it. */
  midBandDb: (number | null)[];
  sideBandDb: (number | null)[];
  /** Side/mid energy ratio per band (linear; null where mid is silent or band invalid). */
  widthPerBand: (number | null)[];
  /** Overall side/mid energy ratio (linear), from the full-band energies. */
  width: number | null;
  /** Least-squares slope of midBandDb against log2(frequency), dB per octave, over the bands centred from 100 Hz to 10 kHz. */
  tiltDbPerOct: number | null;
  /** Side energy 20–150 Hz relative to mid energy 20–150 Hz, dB (how much bass is NOT mono); null if no mid energy there. */
  lowSideToMidDb: number | null;
  /** Side energy 20–150 Hz relative to the total mid energy, dB. */
  lowSideToTotalDb: number | null;
  descriptors: SpectralDescriptors;
}

export const LTAS_FRAME_SECONDS = 0.37;
/**
 * Hop between LTAS frames as a fraction of the FFT size. The FFT is ~70 % of the spectrum's run time,
 * but 50 % overlap is kept: without overlap the Hann weighting (≈0 at frame edges) beats against a
 * steady tempo, and on 30 s corpus excerpts single bands moved by up to 2 dB against a 75 %-overlap
 * reference (50 % overlap: ≤ 0.7 dB, mostly < 0.25 dB).
 */
export const LTAS_HOP_FRACTION = 0.5;
/** Single-precision transforms resolve about 140 dB below full scale: lower levels read as this floor. */
export const SPECTRUM_FLOOR_DB = -140;
export const TILT_MIN_HZ = 100;
export const TILT_MAX_HZ = 10000;
export const LOW_MIN_HZ = 20;
export const LOW_MAX_HZ = 150;
/** Power of a full-scale sine: band levels are relative to it. */
const FULL_SCALE_SINE_POWER = 0.5;
/** −70 dB mean square: frames quieter than this are silence, not music. */
const SILENT_FRAME_POWER = 1e-7;
const FLOOR_POWER = FULL_SCALE_SINE_POWER * 10 ** (SPECTRUM_FLOOR_DB / 10);

export function ltasFftSize(sampleRate: number): number {
  return nearestPowerOfTwo(LTAS_FRAME_SECONDS * sampleRate);
}

/** Welch-averaged one-sided power spectra: bin k holds mean square per bin (full scale = 1), k = 0..N/2. */
export interface LongTermSpectrum {
  fftSize: number;
  binHz: number;
  /** Non-silent frames averaged (0: nothing to measure, spectra all zero). */
  frames: number;
  mid: Float64Array;
  side: Float64Array;
}

/** Periodic Hann (Harris 1978): −31 dB first sidelobe falling 18 dB/octave, so the low bands stay clean. */
function periodicHann(size: number): Float64Array {
  const w = new Float64Array(size);
  for (let n = 0; n < size; n++) w[n] = 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / size);
  return w;
}

/**
 * Welch LTAS of mid and side. Mid and side of each frame go into ONE complex FFT (mid real, side
 * imaginary) and are separated by conjugate symmetry: M[k] = (Z[k] + Z*[N−k])/2, S[k] = (Z[k] − Z*[N−k])/2i.
 */
export function longTermSpectrum(
  left: Float32Array, right: Float32Array, sampleRate: number, hopFraction = LTAS_HOP_FRACTION,
  /** Frames to keep, by their first sample and length (e.g. only the music's active parts); default all non-silent. */
  include?: (start: number, size: number) => boolean,
): LongTermSpectrum {
  return welch(left, right, sampleRate, hopFraction, include, false).selected;
}

/**
 * Both spectra one analysis needs from one Welch pass (each frame windowed and transformed once):
 * `all`, every non-silent frame (what longTermSpectrum gives without `include`), and `selected`, the
 * non-silent frames `include` keeps (what longTermSpectrum gives with it). Bit for bit the same as
 * the two separate calls.
 */
export function longTermSpectra(
  left: Float32Array, right: Float32Array, sampleRate: number, include: (start: number, size: number) => boolean, hopFraction = LTAS_HOP_FRACTION,
): { all: LongTermSpectrum; selected: LongTermSpectrum } {
  const r = welch(left, right, sampleRate, hopFraction, include, true);
  return { all: r.all as LongTermSpectrum, selected: r.selected };
}

function emptySpectrum(size: number, sampleRate: number): LongTermSpectrum {
  return { fftSize: size, binHz: sampleRate / size, frames: 0, mid: new Float64Array(size / 2 + 1), side: new Float64Array(size / 2 + 1) };
}

/** The /4 of the mid/side separation, Parseval's 1/(N·Σw²), the Welch average, and ×2 for one-sided bins. */
function normalise(ltas: LongTermSpectrum, windowPower: number): void {
  const { frames, fftSize: size, mid, side } = ltas;
  if (frames === 0) return;
  const half = size / 2;
  const scale = 1 / (4 * size * windowPower * frames);
  for (let k = 0; k <= half; k++) {
    const oneSided = k === 0 || k === half ? 1 : 2;
    mid[k] *= scale * oneSided;
    side[k] *= scale * oneSided;
  }
}

/**
 * The Welch pass. `selected` holds the frames `include` keeps (all without it); with `keepAll`, `all`
 * holds every non-silent frame too (and excluded frames are still transformed for it).
 */
function welch(
  left: Float32Array, right: Float32Array, sampleRate: number, hopFraction: number,
  include: ((start: number, size: number) => boolean) | undefined, keepAll: boolean,
): { all: LongTermSpectrum | null; selected: LongTermSpectrum } {
  if (left.length !== right.length) throw new RangeError('longTermSpectrum: channels differ in length');
  if (!(sampleRate > 0)) throw new RangeError(`longTermSpectrum: invalid sample rate ${sampleRate}`);
  if (!(hopFraction > 0)) throw new RangeError(`longTermSpectrum: invalid hop fraction ${hopFraction}`);
  const length = left.length;
  let size = ltasFftSize(sampleRate);
  while (size > length && size > MIN_FFT_SIZE) size >>= 1;
  const selected = emptySpectrum(size, sampleRate);
  const all = keepAll ? emptySpectrum(size, sampleRate) : null;
  if (length < size) return { all, selected };

  const fft = new Fft(size, 'complex');
  const window = periodicHann(size);
  let windowPower = 0;
  for (let n = 0; n < size; n++) windowPower += window[n] * window[n];
  const input = fft.input;
  const spectrum = fft.output;
  const hop = Math.max(1, Math.round(size * hopFraction));
  const lastStart = length - size;
  const regularFrames = Math.floor(lastStart / hop) + 1;
  // One more frame flush with the end, so the tail is not dropped.
  const totalFrames = regularFrames + ((lastStart % hop) !== 0 ? 1 : 0);

  try {
    for (let f = 0; f < totalFrames; f++) {
      const start = f < regularFrames ? f * hop : lastStart;
      const keep = include ? include(start, size) : true;
      if (!keep && !all) continue;
      if (!windowFrame(left, right, start, window, input)) continue;
      fft.forward();
      if (all && keep) accumulateMidSide2(spectrum, size, all.mid, all.side, selected.mid, selected.side);
      else if (all) accumulateMidSide(spectrum, size, all.mid, all.side);
      else accumulateMidSide(spectrum, size, selected.mid, selected.side);
      if (all) all.frames++;
      if (keep) selected.frames++;
    }
  } finally {
    fft.free();
  }
  normalise(selected, windowPower);
  if (all) normalise(all, windowPower);
  return { all, selected };
}

/**
 * Writes the windowed mid (real) and side (imaginary) of the frame at `start` into `input`; false
 * (frame silent, nothing to transform) when its mean square is below SILENT_FRAME_POWER.
 */
function windowFrame(left: Float32Array, right: Float32Array, start: number, window: Float64Array, input: Float32Array): boolean {
  const size = window.length;
  // Two partial sums (even and odd samples): the loop is not held up by one long chain of additions.
  let even = 0, odd = 0;
  for (let n = 0, i = start; n < size; n += 2, i += 2) {
    const l0 = left[i], r0 = right[i], l1 = left[i + 1], r1 = right[i + 1];
    const m0 = 0.5 * (l0 + r0), s0 = 0.5 * (l0 - r0);
    const m1 = 0.5 * (l1 + r1), s1 = 0.5 * (l1 - r1);
    even += m0 * m0 + s0 * s0;
    odd += m1 * m1 + s1 * s1;
    const w0 = window[n], w1 = window[n + 1];
    input[2 * n] = m0 * w0;
    input[2 * n + 1] = s0 * w0;
    input[2 * n + 2] = m1 * w1;
    input[2 * n + 3] = s1 * w1;
  }
  return !(even + odd < SILENT_FRAME_POWER * size);
}

/** Adds |M[k]|² and |S[k]|² (times 4) of one transformed frame to the sums, k = 0 … N/2 (bin N − k at j = 2(N − k), bin 0's partner is itself). */
function accumulateMidSide(spectrum: Float32Array, size: number, mid: Float64Array, side: Float64Array): void {
  const half = size / 2;
  for (let k = 0, j = 0; k <= half; k++, j = 2 * (size - k)) {
    const a = spectrum[2 * k], b = spectrum[2 * k + 1];
    const c = spectrum[j], d = spectrum[j + 1];
    const mr = a + c, mi = b - d, sr = a - c, si = b + d;
    mid[k] += mr * mr + mi * mi;
    side[k] += sr * sr + si * si;
  }
}

/** accumulateMidSide into two pairs of sums at once (the frame's powers are computed once). */
function accumulateMidSide2(spectrum: Float32Array, size: number, mid: Float64Array, side: Float64Array, mid2: Float64Array, side2: Float64Array): void {
  const half = size / 2;
  for (let k = 0, j = 0; k <= half; k++, j = 2 * (size - k)) {
    const a = spectrum[2 * k], b = spectrum[2 * k + 1];
    const c = spectrum[j], d = spectrum[j + 1];
    const mr = a + c, mi = b - d, sr = a - c, si = b + d;
    const pm = mr * mr + mi * mi, ps = sr * sr + si * si;
    mid[k] += pm;
    side[k] += ps;
    mid2[k] += pm;
    side2[k] += ps;
  }
}

/**
 * Power between loHz and hiHz from one-sided bin powers, sharing each bin's power in proportion to the
 * overlap of its interval [(k−½)Δf, (k+½)Δf] (clipped to [0, Nyquist]) with the range.
 */
export function powerBetween(power: Float64Array, binHz: number, loHz: number, hiHz: number): number {
  const last = power.length - 1;
  const nyquist = last * binHz;
  const lo = Math.max(loHz, 0), hi = Math.min(hiHz, nyquist);
  if (!(hi > lo)) return 0;
  const kLo = Math.max(0, Math.floor(lo / binHz + 0.5));
  const kHi = Math.min(last, Math.floor(hi / binHz + 0.5));
  let sum = 0;
  for (let k = kLo; k <= kHi; k++) {
    const a = Math.max((k - 0.5) * binHz, 0), b = Math.min((k + 0.5) * binHz, nyquist);
    const overlap = Math.min(b, hi) - Math.max(a, lo);
    if (overlap > 0) sum += (power[k] * overlap) / (b - a);
  }
  return sum;
}

function levelDb(power: number): number {
  return power > FLOOR_POWER ? powerToDb(power / FULL_SCALE_SINE_POWER) : SPECTRUM_FLOOR_DB;
}

/** Ordinary least-squares slope of y on x. */
function slope(x: number[], y: number[]): number {
  const n = x.length;
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) { mx += x[i]; my += y[i]; }
  mx /= n; my /= n;
  let sxy = 0, sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
  }
  return sxy / sxx;
}

/** Band levels and the figures derived from them, from a long-term spectrum (see the top of this file). */
export function spectrumFromLtas(ltas: LongTermSpectrum): Omit<SpectrumResult, 'descriptors'> {
  const bands = thirdOctaveBands();
  const count = bands.centresHz.length;
  const out: Omit<SpectrumResult, 'descriptors'> = {
    bandsHz: bands.centresHz,
    midBandDb: new Array<number | null>(count).fill(null),
    sideBandDb: new Array<number | null>(count).fill(null),
    widthPerBand: new Array<number | null>(count).fill(null),
    width: null,
    tiltDbPerOct: null,
    lowSideToMidDb: null,
    lowSideToTotalDb: null,
  };
  if (ltas.frames === 0) return out;
  const nyquist = (ltas.mid.length - 1) * ltas.binHz;
  let midTotal = 0, sideTotal = 0;
  const tiltX: number[] = [], tiltY: number[] = [];
  for (let i = 0; i < count; i++) {
    if (bands.lowerHz[i] >= nyquist) continue;
    const pm = powerBetween(ltas.mid, ltas.binHz, bands.lowerHz[i], bands.upperHz[i]);
    const ps = powerBetween(ltas.side, ltas.binHz, bands.lowerHz[i], bands.upperHz[i]);
    midTotal += pm;
    sideTotal += ps;
    out.midBandDb[i] = levelDb(pm);
    out.sideBandDb[i] = levelDb(ps);
    if (pm > FLOOR_POWER) {
      out.widthPerBand[i] = ps / pm;
      const fc = bands.centresHz[i];
      // Band centres are exact, so compare against the limits with a little slack for rounding.
      if (fc >= TILT_MIN_HZ * 0.99 && fc <= TILT_MAX_HZ * 1.01) {
        tiltX.push(Math.log2(fc));
        tiltY.push(out.midBandDb[i] as number);
      }
    }
  }
  if (midTotal <= FLOOR_POWER) return out;
  out.width = sideTotal / midTotal;
  if (tiltX.length >= 3) out.tiltDbPerOct = slope(tiltX, tiltY);
  const lowMid = powerBetween(ltas.mid, ltas.binHz, LOW_MIN_HZ, LOW_MAX_HZ);
  const lowSide = powerBetween(ltas.side, ltas.binHz, LOW_MIN_HZ, LOW_MAX_HZ);
  const floorRatio = (x: number): number => Math.max(x > 0 ? powerToDb(x) : SPECTRUM_FLOOR_DB, SPECTRUM_FLOOR_DB);
  if (lowMid > FLOOR_POWER) out.lowSideToMidDb = floorRatio(lowSide / lowMid);
  out.lowSideToTotalDb = floorRatio(lowSide / midTotal);
  return out;
}
