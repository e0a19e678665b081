/**
 * Oversampling by 2 or 4 for the nonlinear stages: one linear-phase polyphase FIR (a Kaiser-windowed
 * sinc, Nyquist-R: zero at every R-th tap from the centre) used as the interpolator on the way up
 * and as the anti-alias filter of the decimator on the way down (Crochiere & Rabiner, "Multirate
 * Digital Signal Processing", ch. 2–3). It is applied by FFT fast convolution (overlap-save,
 * Oppenheim & Schafer §8.7.3) on PFFFT: a direct-form polyphase FIR of this length costs ~300 ns
 * per sample in JavaScript (measured with a 143-tap half-band cascade), the FFT ~25 ns.
 *
 * Design, in units of the base rate fs (so it is the same at every rate):
 * - passband edge 0.4535·fs (20 kHz at 44.1 kHz), stopband edge 0.5465·fs (24.1 kHz: the image of
 *   20 kHz), Kaiser β and length for 110 dB (Kaiser 1974): 77·R + 1 taps at the high rate;
 * - bins at or above the stopband edge are set to exactly zero instead of the prototype's ≤ −110 dB
 *   (so the images and the harmonics between 24.1 kHz and R·fs/2 are removed outright; the
 *   difference from the pure FIR is below −110 dB);
 * - an up + down round trip deviates from flat by ±0.0001 dB up to 0.4535·fs (tested), and is
 *   linear-phase: it delays the signal by exactly (taps − 1)/R = 77 base samples.
 * Streaming: the input is cut into frames of FRAME = 1024 base samples that overlap by 77, so each
 * hop brings HOP = 947 new samples; a sample is emitted one frame after it came in, so
 * `OversampledChannel.latency` = HOP + 77 = 1024 samples at every rate and factor. The frames are
 * counted from the first sample, so the output does not depend on how the caller cuts blocks.
 * Precision: PFFFT works in single precision; the round-trip noise is near −140 dB.
 */
import { Fft } from '../analysis/fft.js';

/** 20 kHz at 44.1 kHz, as a fraction of the base rate. */
export const PASSBAND_EDGE = 20000 / 44100;
/** Where the first image of the passband edge lands: fs − 20 kHz at 44.1 kHz. */
export const STOPBAND_EDGE = 1 - PASSBAND_EDGE;
export const STOPBAND_ATTENUATION_DB = 110;
/** Half the filter length in base samples: (taps − 1)/R; Kaiser's length formula for 110 dB over the transition above. */
export const FILTER_HALF_SPAN = 77;
/** Base samples per FFT frame. */
export const FRAME = 1024;
/** New base samples per frame (the frames overlap by the filter's span). */
export const HOP = FRAME - FILTER_HALF_SPAN;

export type OversamplingFactor = 2 | 4;

/** Kaiser window parameter for a stopband attenuation (Kaiser 1974; Oppenheim & Schafer eq. 7.62). */
export function kaiserBeta(attenuationDb: number): number {
  if (attenuationDb > 50) return 0.1102 * (attenuationDb - 8.7);
  if (attenuationDb >= 21) return 0.5842 * (attenuationDb - 21) ** 0.4 + 0.07886 * (attenuationDb - 21);
  return 0;
}

export function besselI0(x: number): number {
  let sum = 1, term = 1;
  for (let k = 1; k < 500; k++) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
    if (term < 1e-17 * sum) break;
  }
  return sum;
}

/**
 * The prototype at the high rate: h[n] = sinc((n − c)/R)·w[n]/R, c = (taps − 1)/2, DC gain ≈ 1.
 * The cut-off is at the base Nyquist frequency, halfway through the transition band.
 */
export function designOversamplingFilter(factor: OversamplingFactor): Float64Array {
  const taps = FILTER_HALF_SPAN * factor + 1;
  const c = (taps - 1) / 2;
  const beta = kaiserBeta(STOPBAND_ATTENUATION_DB);
  const i0b = besselI0(beta);
  const h = new Float64Array(taps);
  for (let n = 0; n < taps; n++) {
    const t = (n - c) / factor;
    const r = (n - c) / c;
    const w = besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / i0b;
    h[n] = ((t === 0 ? 1 : Math.sin(Math.PI * t) / (Math.PI * t)) * w) / factor;
  }
  return h;
}

/** |H(e^{j2πf})| in dB of a symmetric FIR, f in cycles per sample of the rate it runs at: the design truth. */
export function firMagnitudeDb(h: Float64Array, f: number): number {
  const c = (h.length - 1) / 2;
  let a = 0;
  for (let n = 0; n < h.length; n++) a += h[n] * Math.cos(2 * Math.PI * f * (n - c));
  return 20 * Math.log10(Math.abs(a));
}

/** FFT workspaces shared by every processor (one per size): they hold no state between calls, so sharing cannot change results. */
const fftPool = new Map<number, Fft>();
export function sharedFft(size: number): Fft {
  let f = fftPool.get(size);
  if (!f) {
    f = new Fft(size, 'real');
    fftPool.set(size, f);
  }
  return f;
}

/**
 * Fast convolution with an FIR prototype `h` at R times the frame rate, for one frame of N base
 * samples: `up` = zero-stuff by R and filter (gain R), `down` = filter and keep every R-th sample.
 * Only spectrum bins k < `cutBin` (bin k is k/N of the base rate) are kept; the rest are zero.
 */
export class FrameResampler {
  readonly size: number;
  /** Prototype spectrum on the R·N grid, bins 0 … cutBin − 1, interleaved re/im, scaled for PFFFT's unscaled transforms. */
  private readonly upSpec: Float64Array;
  private readonly downSpec: Float64Array;

  constructor(readonly factor: number, h: Float64Array, readonly frame: number, readonly cutBin: number) {
    const big = factor * frame;
    if (cutBin > frame) throw new RangeError('cutBin must be ≤ frame');
    this.size = big;
    this.upSpec = new Float64Array(2 * cutBin);
    this.downSpec = new Float64Array(2 * cutBin);
    for (let k = 0; k < cutBin; k++) {
      let re = 0, im = 0;
      for (let n = 0; n < h.length; n++) {
        const a = (-2 * Math.PI * ((k * n) % big)) / big;
        re += h[n] * Math.cos(a);
        im += h[n] * Math.sin(a);
      }
      // up: U = R·H·X / (R·N) into an unscaled inverse of size R·N; down: Z = H·S / (R·N) into an unscaled inverse of size N.
      this.upSpec[2 * k] = re / frame;
      this.upSpec[2 * k + 1] = im / frame;
      this.downSpec[2 * k] = re / big;
      this.downSpec[2 * k + 1] = im / big;
    }
  }

  /**
   * Circular convolution of the zero-stuffed frame x[0, N) with h: out[q] for q ∈ [first, R·N)
   * (q ≥ taps − 1 are the linear-convolution values). out may be any Float32Array of length ≥ R·N − first.
   */
  up(x: Float32Array, out: Float32Array, first: number): void {
    const n = this.frame, big = this.size, cut = this.cutBin, spec = this.upSpec;
    const small = sharedFft(n), large = sharedFft(big);
    small.input.set(x.subarray(0, n));
    small.forward();
    const X = small.output;
    const U = large.input;
    U.fill(0);
    const half = n >> 1;
    // bin 0 (real) and the bins above it; PFFFT's ordered layout keeps X(N/2) in slot 1.
    U[0] = spec[0] * X[0];
    for (let k = 1; k < cut; k++) {
      let xr: number, xi: number;
      if (k < half) {
        xr = X[2 * k];
        xi = X[2 * k + 1];
      } else if (k === half) {
        xr = X[1];
        xi = 0;
      } else {
        xr = X[2 * (n - k)];
        xi = -X[2 * (n - k) + 1];
      }
      const hr = spec[2 * k], hi = spec[2 * k + 1];
      U[2 * k] = hr * xr - hi * xi;
      U[2 * k + 1] = hr * xi + hi * xr;
    }
    large.inverse();
    const u = large.output;
    out.set(u.subarray(first, big));
  }

  /** s[0, R·N) at the high rate → out[j] = (h ∗ s)[R·(first + j)] for j < N − first (valid from R·first ≥ taps − 1). */
  down(s: Float32Array, out: Float32Array | Float64Array, first: number): void {
    const n = this.frame, big = this.size, cut = this.cutBin, spec = this.downSpec;
    const small = sharedFft(n), large = sharedFft(big);
    large.input.set(s.subarray(0, big));
    large.forward();
    const S = large.output;
    const Z = small.input;
    const half = n >> 1;
    // Z[k] = (V[k] + conj(V[N − k]))/(R·N) with V = H·S, V = 0 from cutBin up (aliasing of the transition band folds in here).
    for (let k = 0; k <= half; k++) {
      let zr = 0, zi = 0;
      if (k < cut) {
        const sr = S[k === 0 ? 0 : 2 * k], si = k === 0 ? 0 : S[2 * k + 1];
        const hr = spec[2 * k], hi = spec[2 * k + 1];
        zr = hr * sr - hi * si;
        zi = hr * si + hi * sr;
      }
      const j = n - k;
      if (j < cut && k > 0) {
        const sr = S[2 * j], si = S[2 * j + 1];
        const hr = spec[2 * j], hi = spec[2 * j + 1];
        zr += hr * sr - hi * si;
        zi -= hr * si + hi * sr;
      }
      if (k === 0) Z[0] = zr;
      else if (k === half) Z[1] = zr; // real by symmetry
      else {
        Z[2 * k] = zr;
        Z[2 * k + 1] = zi;
      }
    }
    small.inverse();
    const y = small.output;
    for (let j = first; j < n; j++) out[j - first] = y[j];
  }
}

const resamplers = new Map<number, FrameResampler>();
/** The oversampling filter of this module as a frame resampler (designed once per factor). */
export function oversamplingResampler(factor: OversamplingFactor): FrameResampler {
  let r = resamplers.get(factor);
  if (!r) {
    r = new FrameResampler(factor, designOversamplingFilter(factor), FRAME, Math.ceil(STOPBAND_EDGE * FRAME));
    resamplers.set(factor, r);
  }
  return r;
}

/** An in-place operation on [start, end) of a buffer at the high rate (a waveshaper). */
export interface HighRateOperation {
  apply(x: Float32Array, start: number, end: number): void;
}

/**
 * One channel through up-sampling, an in-place operation at the high rate (`shape.apply`, called on
 * [start, end) of a buffer once per hop), and down-sampling. `process` works in place on blocks of
 * any length; the output is the shaped signal delayed by `latency` base samples exactly.
 */
export class OversampledChannel {
  readonly latency = FRAME;
  /** Round-trip delay of the filters alone (the rest of `latency` is the frame buffering). */
  static readonly FILTER_DELAY = FILTER_HALF_SPAN;
  private readonly resampler: FrameResampler;
  private readonly inFifo = new Float32Array(HOP);
  private readonly outFifo = new Float32Array(HOP);
  private pos = 0;
  private readonly xFrame = new Float32Array(FRAME);
  private readonly hiFrame: Float32Array;

  constructor(readonly factor: OversamplingFactor, private readonly shape: HighRateOperation | null) {
    this.resampler = oversamplingResampler(factor);
    this.hiFrame = new Float32Array(factor * FRAME);
  }

  process(block: Float32Array): void {
    for (let i = 0; i < block.length; ) {
      const take = Math.min(HOP - this.pos, block.length - i);
      this.inFifo.set(block.subarray(i, i + take), this.pos);
      block.set(this.outFifo.subarray(this.pos, this.pos + take), i);
      i += take;
      this.pos += take;
      if (this.pos === HOP) {
        this.hop();
        this.pos = 0;
      }
    }
  }

  /** One frame: the newest HOP inputs in, HOP outputs (delayed by FILTER_HALF_SPAN) out. */
  private hop(): void {
    const R = this.factor;
    const x = this.xFrame, hi = this.hiFrame;
    x.copyWithin(0, HOP);
    x.set(this.inFifo, FRAME - HOP);
    // High-rate frame: keep the last R·(FRAME − HOP) shaped samples, append R·HOP new ones.
    hi.copyWithin(0, R * HOP);
    const first = R * (FRAME - HOP);
    this.resampler.up(x, hi.subarray(first), first);
    if (this.shape) this.shape.apply(hi, first, R * FRAME);
    this.resampler.down(hi, this.outFifo, FRAME - HOP);
  }
}
