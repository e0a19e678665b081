/**
 * Per-frame spectral descriptors of the mid signal (L+R)/2, summarised over the non-silent frames.
 *
 * The descriptor DEFINITIONS are meyda's (v5): we call meyda's own feature-extractor functions
 * (`Meyda.featureExtractors.*`) on a magnitude spectrum that we compute with PFFFT, exactly as
 * `Meyda.extract` would build it (symmetric Hann window, |X[k]| for k = 0..N/2−1, unnormalised),
 * but without meyda's plain-array FFT and per-call allocations. Units as reported here:
 * - centroidHz: amplitude-weighted mean frequency Σ k·|X_k| / Σ |X_k| (meyda returns a bin index; × fs/N).
 * - spread: amplitude-weighted standard deviation of frequency around the centroid, in Hz (meyda: bins; × fs/N).
 * - rolloffHz: frequency below which 99 % of the summed MAGNITUDE lies (meyda's threshold; not 85/95 % of power).
 *   meyda scales its bin index by fs/(2·(len−1)) as if its N/2-long spectrum included the Nyquist bin;
 *   we rescale to the true bin spacing fs/N. Because it counts magnitudes up to 99 %, on music it lands
 *   near the band limit / noise floor (18–21 kHz on the shared corpus): it tells a band-limited (lossy,
 *   resampled) source from a full-band one more than it tells bright from dark — use centroid or tilt for that.
 * - flatness: geometric / arithmetic mean of the MAGNITUDES, 0 (tonal) … 1 (flat). White Gaussian noise gives
 *   2·e^(−γ/2)/√π ≈ 0.846 (Rayleigh-distributed magnitudes), not the ≈ 0.56 of a power-spectrum flatness.
 * - crest: max |X_k| / RMS of |X_k| (dimensionless, ≥ 1).
 * Not included: meyda 5.6.3's spectralKurtosis expands the 4th central moment with 6·μ1·μ2 where it
 * should be 6·μ1²·μ2 (so it can come out negative), and spectralSkewness alone costs more than the
 * five descriptors above together (Math.pow per bin).
 */
import meydaModule from 'meyda';
import { Fft, nearestPowerOfTwo } from './fft.js';
import { percentileSorted } from './loudness.js';
import { longTermSpectrum, spectrumFromLtas, type SpectrumResult } from './spectrum.js';

/** Distribution of a descriptor over frames; percentiles by linear interpolation (Hyndman & Fan type 7). */
export interface Summary {
  mean: number;
  median: number;
  p10: number;
  p90: number;
}

export interface SpectralDescriptors {
  /** Frames that were summarised (non-silent). */
  frames: number;
  centroidHz: Summary | null;
  rolloffHz: Summary | null;
  flatness: Summary | null;
  /** Spectral spread in Hz. */
  spread: Summary | null;
  crest: Summary | null;
}

/** Frame length ≈ 46 ms: 2048 samples at 44.1/48 kHz, 4096 at 88.2/96 kHz. */
export const DESCRIPTOR_FRAME_SECONDS = 2048 / 44100;
/**
 * Hop between analysed frames: 200 ms (1500 frames in 5 minutes) is plenty for percentiles and halves
 * the cost of a 100 ms hop (meyda's extractors cost more than our FFT per frame).
 */
export const DESCRIPTOR_HOP_SECONDS = 0.2;
/** Frames whose mid mean-square is below −70 dB re full scale (square) are skipped, like BS.1770's absolute gate. */
const SILENT_FRAME_POWER = 1e-7;

export function descriptorFrameSize(sampleRate: number): number {
  return nearestPowerOfTwo(DESCRIPTOR_FRAME_SECONDS * sampleRate);
}

interface ExtractorArgs {
  ampSpectrum: Float32Array;
  sampleRate: number;
  bufferSize: number;
}
type Extractor = (args: ExtractorArgs) => number;

// meyda ships ESM-syntax typings in a CommonJS package: TypeScript places the Meyda object at `.default`,
// while Node's (and vitest's) default import of CommonJS is module.exports, the Meyda object itself.
const meydaObject = ((meydaModule as unknown as { default?: unknown }).default ?? meydaModule) as { featureExtractors?: Record<string, unknown> };

function meydaExtractor(name: string): Extractor {
  const fn: unknown = meydaObject.featureExtractors?.[name];
  if (typeof fn !== 'function') throw new Error(`meyda has no feature extractor '${name}'`);
  return fn as Extractor;
}

const spectralCentroid = meydaExtractor('spectralCentroid');
const spectralSpread = meydaExtractor('spectralSpread');
const spectralRolloff = meydaExtractor('spectralRolloff');
const spectralFlatness = meydaExtractor('spectralFlatness');
const spectralCrest = meydaExtractor('spectralCrest');

/** meyda's 'hanning' window: symmetric, 0.5 − 0.5·cos(2πn/(N−1)). */
function symmetricHann(size: number): Float64Array {
  const w = new Float64Array(size);
  for (let n = 0; n < size; n++) w[n] = 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / (size - 1));
  return w;
}

/** Sorts `values[0..count)` in place and summarises them; null when there are none. */
export function summarize(values: Float64Array, count: number): Summary | null {
  let n = 0;
  for (let i = 0; i < count; i++) if (Number.isFinite(values[i])) values[n++] = values[i];
  if (n === 0) return null;
  const sorted = values.subarray(0, n).sort();
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i];
  return {
    mean: sum / n,
    median: percentileSorted(sorted, 50),
    p10: percentileSorted(sorted, 10),
    p90: percentileSorted(sorted, 90),
  };
}

/** One value of each descriptor per analysed frame. */
export interface DescriptorFrames {
  frames: number;
  frameSize: number;
  centroidHz: Float64Array;
  spreadHz: Float64Array;
  rolloffHz: Float64Array;
  flatness: Float64Array;
  crest: Float64Array;
}

/**
 * Per-frame descriptors of mid = (L+R)/2; frames of descriptorFrameSize(fs) samples every
 * DESCRIPTOR_HOP_SECONDS, silent frames skipped. A signal shorter than one frame is analysed as one
 * zero-padded frame.
 */
export function descriptorFrames(left: Float32Array, right: Float32Array, sampleRate: number): DescriptorFrames {
  if (left.length !== right.length) throw new RangeError('descriptorFrames: channels differ in length');
  const size = descriptorFrameSize(sampleRate);
  const hop = Math.max(1, Math.round(DESCRIPTOR_HOP_SECONDS * sampleRate));
  const length = left.length;
  const maxFrames = length === 0 ? 0 : length <= size ? 1 : Math.floor((length - size) / hop) + 1;
  const out: DescriptorFrames = {
    frames: 0,
    frameSize: size,
    centroidHz: new Float64Array(maxFrames),
    spreadHz: new Float64Array(maxFrames),
    rolloffHz: new Float64Array(maxFrames),
    flatness: new Float64Array(maxFrames),
    crest: new Float64Array(maxFrames),
  };
  const fft = new Fft(size, 'real');
  const window = symmetricHann(size);
  const frame = fft.input;
  const spectrum = fft.output;
  const half = size / 2;
  const ampSpectrum = new Float32Array(half);
  const args: ExtractorArgs = { ampSpectrum, sampleRate, bufferSize: size };
  const binHz = sampleRate / size;
  // meyda's rolloff returns bin·fs/(2·(N/2 − 1)); bring it back to bin·fs/N.
  const rolloffToHz = (2 * (half - 1)) / size;

  let count = 0;
  try {
    for (let f = 0; f < maxFrames; f++) {
      const start = f * hop;
      const end = Math.min(start + size, length);
      let energy = 0;
      for (let i = start; i < end; i++) {
        const m = 0.5 * (left[i] + right[i]);
        energy += m * m;
        frame[i - start] = m * window[i - start];
      }
      frame.fill(0, end - start);
      if (energy < SILENT_FRAME_POWER * size) continue;
      fft.forward();
      // PFFFT's ordered real layout keeps the (real) DC term in slot 0 and bin k's re/im at 2k, 2k+1.
      ampSpectrum[0] = Math.abs(spectrum[0]);
      for (let k = 1; k < half; k++) {
        const re = spectrum[2 * k], im = spectrum[2 * k + 1];
        ampSpectrum[k] = Math.sqrt(re * re + im * im);
      }
      out.centroidHz[count] = spectralCentroid(args) * binHz;
      out.spreadHz[count] = spectralSpread(args) * binHz;
      out.rolloffHz[count] = spectralRolloff(args) * rolloffToHz;
      out.flatness[count] = spectralFlatness(args);
      out.crest[count] = spectralCrest(args);
      count++;
    }
  } finally {
    fft.free();
  }
  out.frames = count;
  return out;
}

export function analyzeDescriptors(left: Float32Array, right: Float32Array, sampleRate: number): SpectralDescriptors {
  const d = descriptorFrames(left, right, sampleRate);
  return {
    frames: d.frames,
    centroidHz: summarize(d.centroidHz, d.frames),
    rolloffHz: summarize(d.rolloffHz, d.frames),
    flatness: summarize(d.flatness, d.frames),
    spread: summarize(d.spreadHz, d.frames),
    crest: summarize(d.crest, d.frames),
  };
}

/**
 * The analyser's whole spectrum section: the LTAS figures (spectrum.ts) and the descriptors. Here
 * rather than in spectrum.ts so that code needing only the LTAS does not load meyda.
 */
export function analyzeSpectrum(left: Float32Array, right: Float32Array, sampleRate: number): SpectrumResult {
  const ltas = longTermSpectrum(left, right, sampleRate);
  return { ...spectrumFromLtas(ltas), descriptors: analyzeDescriptors(left, right, sampleRate) };
}
