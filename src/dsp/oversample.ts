/**
 * Oversampling by 2 or 4 for the nonlinear stages: one linear-phase FIR prototype (a Kaiser-windowed
 * sinc, Nyquist-R: zero at every R-th tap from the centre) used as the interpolator on the way up
 * and as the anti-alias filter of the decimator on the way down (Crochiere & Rabiner, "Multirate
 * Digital Signal Processing", ch. 2–3).
 *
 * Design, in units of the base rate fs (so it is the same at every rate):
 * - passband edge 0.4535·fs (20 kHz at 44.1 kHz), stopband edge 0.5465·fs (24.1 kHz: the image of
 *   20 kHz), Kaiser β and length for 130 dB (Kaiser 1974): 93·R + 1 taps at the high rate. 130 dB,
 *   not less: the decimator's stopband is all that stands between a harmonic above 24.1 kHz and its
 *   alias (a 10 kHz full-scale tone driven 12 dB aliases at −154 dBFS, at −137 dBFS with 110 dB);
 * - an up + down round trip deviates from flat by ±0.0001 dB up to 0.4535·fs (tested), and is
 *   linear-phase: it delays the signal by exactly (taps − 1)/R = 93 base samples.
 *
 * Implementation: polyphase, entirely at the base rate. Sample R·q + p of the high-rate signal is
 * branch p of the interpolator, u_p = e_p ∗ x with e_p[k] = R·h[R·k + p]; the decimator's output is
 * Σ_r f_r ∗ s_r over the branches s_r of the shaped signal (Crochiere & Rabiner §3.3). Because the
 * prototype is a Nyquist filter, the branch through its centre tap (p = R/2) is a pure delay both
 * ways and costs nothing; the other R − 1 branches are FFT fast convolutions (overlap-save,
 * Oppenheim & Schafer §8.7.3) on PFFFT, with both channels in one complex transform (left in the
 * real part, right in the imaginary part: the filters are real, so the channels do not mix). A
 * pointwise operation (a waveshaper) runs on the branches as they are; any other sees the high-rate
 * signal in time order. Per hop that is 2R complex FFTs of FRAME points and no high-rate transform.
 *
 * Streaming: the input is cut into frames of FRAME = 1024 base samples that overlap by 93, so each
 * hop brings HOP = 931 new samples; a sample is emitted one frame after it came in, so the latency
 * is HOP + 93 = 1024 samples at every rate and factor. The frames are counted from the first
 * sample, so the output does not depend on how the caller cuts blocks.
 * Precision: PFFFT works in single precision; the round-trip noise is near −140 dB.
 */
import { Fft, type FftSpectrum } from '../analysis/fft.js';
import type { Biquad } from './biquad.js';
import { flushDenormal } from './processor.js';

/** 20 kHz at 44.1 kHz, as a fraction of the base rate. */
export const PASSBAND_EDGE = 20000 / 44100;
/** Where the first image of the passband edge lands: fs − 20 kHz at 44.1 kHz. */
export const STOPBAND_EDGE = 1 - PASSBAND_EDGE;
export const STOPBAND_ATTENUATION_DB = 130;
/** Half the filter length in base samples: (taps − 1)/R; Kaiser's length formula for 130 dB over the transition above (odd: see CENTRE). */
export const FILTER_HALF_SPAN = 93;
/** Base samples per FFT frame. */
export const FRAME = 1024;
/** New base samples per frame (the frames overlap by the filter's span). */
export const HOP = FRAME - FILTER_HALF_SPAN;
/** Taps of every polyphase branch, in base samples. */
const BRANCH_TAPS = FILTER_HALF_SPAN + 1;
/** The pure-delay branch delays by this many base samples each way (the prototype's centre, R·FILTER_HALF_SPAN/2, is tap R·CENTRE + R/2). */
const CENTRE = (FILTER_HALF_SPAN - 1) / 2;
if (!Number.isInteger(CENTRE)) throw new Error('oversample: FILTER_HALF_SPAN must be odd');

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
 * The cut-off is at the base Nyquist frequency, halfway through the transition band; the sinc's
 * zeros are exact, so the branch through the centre is a pure delay.
 */
export function designOversamplingFilter(factor: OversamplingFactor): Float64Array {
  const taps = FILTER_HALF_SPAN * factor + 1;
  const c = (taps - 1) / 2;
  const beta = kaiserBeta(STOPBAND_ATTENUATION_DB);
  const i0b = besselI0(beta);
  const h = new Float64Array(taps);
  for (let n = 0; n < taps; n++) {
    if ((n - c) % factor === 0 && n !== c) continue;
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

/** An in-place operation on [start, end) of a buffer at the high rate (a waveshaper). */
export interface HighRateOperation {
  apply(x: Float32Array, start: number, end: number): void;
  /**
   * True when each output sample depends on the same input sample only (a static curve): the
   * operation may then be given the samples in any order and grouping (here: branch by branch, and
   * both channels interleaved), which saves reassembling the high-rate signal.
   */
  readonly pointwise?: boolean;
}

/**
 * FFT workspaces and the branch filters' spectra, shared by every oversampler: they hold no state
 * between hops, so sharing cannot change results.
 */
class Workspace {
  readonly up = new Fft(FRAME, 'complex');
  readonly down = new Fft(FRAME, 'complex');
  readonly sum = new Fft(FRAME, 'complex');
  readonly input: FftSpectrum;
  readonly branch: FftSpectrum;

  constructor() {
    this.input = this.up.createSpectrum();
    this.branch = this.down.createSpectrum();
  }

  /** Spectrum (internal layout, scaled by 1/FRAME for the unscaled inverse) of a real causal FIR. */
  spectrum(taps: Float64Array): FftSpectrum {
    const fft = this.up, input = fft.input;
    input.fill(0);
    for (let k = 0; k < taps.length; k++) input[2 * k] = taps[k] / FRAME;
    fft.forwardUnordered();
    const s = fft.createSpectrum();
    fft.saveOutput(s);
    return s;
  }
}

let workspace: Workspace | null = null;

/** The branch filters of one factor: interpolator e_p and decimator f_r (r = p: the branch that carries high-rate samples R·q + p). */
class Branches {
  readonly delayBranch: number;
  readonly up: (FftSpectrum | null)[] = [];
  readonly down: (FftSpectrum | null)[] = [];

  constructor(readonly factor: OversamplingFactor) {
    workspace ??= new Workspace();
    const h = designOversamplingFilter(factor);
    this.delayBranch = factor / 2;
    for (let p = 0; p < factor; p++) {
      if (p === this.delayBranch) {
        this.up.push(null);
        this.down.push(null);
        continue;
      }
      // u_p[q] = Σ_k R·h[R·k + p]·x[q − k]
      const e = new Float64Array(BRANCH_TAPS);
      for (let k = 0; k < BRANCH_TAPS; k++) if (factor * k + p < h.length) e[k] = factor * h[factor * k + p];
      this.up.push(workspace.spectrum(e));
      // out[n] = Σ_m h[m]·s[R·n − m]: s_p[n − k] meets h[R·k] (p = 0) or h[R·(k − 1) + R − p] (p > 0)
      const f = new Float64Array(BRANCH_TAPS);
      for (let k = 0; k < BRANCH_TAPS; k++) {
        const m = p === 0 ? factor * k : factor * (k - 1) + factor - p;
        if (m >= 0 && m < h.length) f[k] = h[m];
      }
      this.down.push(workspace.spectrum(f));
    }
  }
}

const branchSets = new Map<OversamplingFactor, Branches>();
function branchesFor(factor: OversamplingFactor): Branches {
  let b = branchSets.get(factor);
  if (!b) {
    b = new Branches(factor);
    branchSets.set(factor, b);
  }
  return b;
}

export interface OversamplerOptions {
  /** Only the left channel is used (the operation sees it alone). */
  mono?: boolean;
  /** Share of the oversampled (wet) path in the output, the rest being the input delayed alike; default 1. */
  mix?: number;
  /** One biquad section on the wet path at the base rate, run as biquad.ts processCascade runs it (its state is flushed of denormals after every hop). */
  wetFilter?: Biquad | null;
}

/**
 * A stereo pair through up-sampling, an operation at the high rate (`op`, once per hop), and
 * down-sampling, then optionally a filter and a mix with the dry input (see OversamplerOptions).
 * `process` works in place on blocks of any length; the output is the result delayed by `latency`
 * base samples exactly.
 */
export class StereoOversampler {
  readonly latency = FRAME;
  /** Round-trip delay of the filters alone (the rest of `latency` is the frame buffering). */
  static readonly FILTER_DELAY = FILTER_HALF_SPAN;
  private readonly branches: Branches;
  private readonly frame = new Float32Array(2 * FRAME); // the newest FRAME input samples, interleaved
  /**
   * Shaped branch signals, interleaved: the previous hop's last FILTER_HALF_SPAN positions, then this
   * hop's HOP (with a pointwise operation, the branches other than the delay branch only keep the former).
   */
  private readonly shaped: Float32Array[] = [];
  private readonly mono: boolean;
  /** Wet and dry weights. Numbers that hot loops read live in typed arrays: class fields may hold them boxed (V8), which slows those loops. */
  private readonly weights = new Float64Array(2);
  private readonly filter: Float64Array | null; // b0, b1, b2, a1, a2
  private readonly filterState = new Float64Array(4);
  private readonly outFifo = [new Float32Array(HOP), new Float32Array(HOP)];
  private readonly highRate: Float32Array | null;
  private pos = 0;

  constructor(readonly factor: OversamplingFactor, private readonly op: HighRateOperation | null, options: OversamplerOptions = {}) {
    this.mono = options.mono ?? false;
    const mix = options.mix ?? 1;
    this.weights[0] = mix;
    this.weights[1] = 1 - mix;
    const f = options.wetFilter;
    this.filter = f ? Float64Array.of(f.b0, f.b1, f.b2, f.a1, f.a2) : null;
    this.branches = branchesFor(factor);
    for (let p = 0; p < factor; p++) this.shaped.push(new Float32Array(2 * FRAME));
    this.highRate = op && !op.pointwise ? new Float32Array(factor * HOP) : null;
  }

  process(left: Float32Array, right: Float32Array | null): void {
    const n = left.length, frame = this.frame;
    for (let i = 0; i < n; ) {
      const take = Math.min(HOP - this.pos, n - i);
      const at = 2 * (FILTER_HALF_SPAN + this.pos);
      if (right) {
        for (let k = 0; k < take; k++) {
          frame[at + 2 * k] = left[i + k];
          frame[at + 2 * k + 1] = right[i + k];
        }
      } else for (let k = 0; k < take; k++) frame[at + 2 * k] = left[i + k];
      left.set(this.outFifo[0].subarray(this.pos, this.pos + take), i);
      if (right) right.set(this.outFifo[1].subarray(this.pos, this.pos + take), i);
      i += take;
      this.pos += take;
      if (this.pos === HOP) {
        this.hop();
        this.pos = 0;
      }
    }
  }

  /** One frame: the HOP newest inputs (frame positions S … FRAME − 1) in, HOP outputs (delayed by S) out; S = FILTER_HALF_SPAN. */
  private hop(): void {
    const ws = workspace!, R = this.factor, { up, down, sum } = ws;
    const { frame, shaped, op } = this;
    const N = FRAME, S = FILTER_HALF_SPAN, delay = this.branches.delayBranch;
    if (this.weights[0] === 0) {
      // no wet path in the output
      this.output(frame, frame);
      frame.copyWithin(0, 2 * HOP);
      return;
    }
    // the interpolator's input spectrum
    up.input.set(frame);
    up.forwardUnordered();
    up.saveOutput(ws.input);
    // A pointwise operation runs branch by branch, each branch going from the interpolator's output
    // through the operation into the decimator's input; any other needs all the branches first.
    const inOrder = this.highRate !== null;
    if (inOrder) {
      for (let p = 0; p < R; p++) this.branch(p, shaped[p], 2 * S);
      this.shape();
    }
    sum.clearInput();
    for (let p = 0; p < R; p++) {
      const s = shaped[p];
      if (p === delay) {
        if (!inOrder) {
          this.branch(p, s, 2 * S);
          op?.apply(s, 2 * S, 2 * N);
        }
        continue;
      }
      const d = down.input;
      if (inOrder) d.set(s);
      else {
        // s holds the branch's last S shaped samples of the previous hop
        d.set(s.subarray(0, 2 * S));
        this.branch(p, d, 2 * S);
        op?.apply(d, 2 * S, 2 * N);
        s.set(d.subarray(2 * HOP, 2 * N));
      }
      down.forwardUnordered();
      down.saveOutput(ws.branch);
      sum.multiplyAccumulate(ws.branch, this.branches.down[p]!, 1);
    }
    sum.inverseUnordered();
    this.output(sum.output, shaped[delay]);
    // keep the last S positions of the input frame and of the branches for the next hop
    frame.copyWithin(0, 2 * HOP);
    if (inOrder) for (const b of shaped) b.copyWithin(0, 2 * HOP);
    else shaped[delay].copyWithin(0, 2 * HOP);
  }

  /**
   * The hop's HOP outputs into the output FIFO: the decimator's sum y plus the delay branch
   * (f[CENTRE + 1] = h[centre] = 1/R: it joins in the time domain), filtered, and mixed with the
   * input S samples back (aligned with the output); the channels leave the interleaved layout here.
   */
  private output(y: Float32Array, direct: Float32Array): void {
    const S = FILTER_HALF_SPAN, frame = this.frame, scale = 1 / this.factor, d0 = 2 * (S - CENTRE - 1);
    const l = this.outFifo[0], r = this.outFifo[1];
    const wet = this.weights[0], dry = this.weights[1];
    if (wet === 0) {
      for (let i = 0; i < HOP; i++) {
        l[i] = frame[2 * i];
        r[i] = frame[2 * i + 1];
      }
      return;
    }
    const f = this.filter;
    if (f) {
      const b0 = f[0], b1 = f[1], b2 = f[2], a1 = f[3], a2 = f[4], st = this.filterState;
      let p1 = st[0], p2 = st[1], q1 = st[2], q2 = st[3];
      for (let i = 0; i < HOP; i++) {
        // both channels' recursions in one loop, so that they overlap
        const u = y[2 * (S + i)] + scale * direct[d0 + 2 * i], v = y[2 * (S + i) + 1] + scale * direct[d0 + 2 * i + 1];
        const wl = b0 * u + p1, wr = b0 * v + q1;
        p1 = b1 * u - a1 * wl + p2;
        p2 = b2 * u - a2 * wl;
        q1 = b1 * v - a1 * wr + q2;
        q2 = b2 * v - a2 * wr;
        l[i] = wet * wl + dry * frame[2 * i];
        r[i] = wet * wr + dry * frame[2 * i + 1];
      }
      st[0] = flushDenormal(p1);
      st[1] = flushDenormal(p2);
      st[2] = flushDenormal(q1);
      st[3] = flushDenormal(q2);
    } else if (dry === 0) {
      for (let i = 0; i < HOP; i++) {
        l[i] = y[2 * (S + i)] + scale * direct[d0 + 2 * i];
        r[i] = y[2 * (S + i) + 1] + scale * direct[d0 + 2 * i + 1];
      }
    } else {
      for (let i = 0; i < HOP; i++) {
        l[i] = wet * (y[2 * (S + i)] + scale * direct[d0 + 2 * i]) + dry * frame[2 * i];
        r[i] = wet * (y[2 * (S + i) + 1] + scale * direct[d0 + 2 * i + 1]) + dry * frame[2 * i + 1];
      }
    }
  }

  /** Branch p of the high-rate signal at frame positions S … N − 1, into `to` from index `at` (interleaved). */
  private branch(p: number, to: Float32Array, at: number): void {
    const S = FILTER_HALF_SPAN, N = FRAME;
    if (p === this.branches.delayBranch) {
      to.set(this.frame.subarray(2 * (S - CENTRE), 2 * (N - CENTRE)), at);
      return;
    }
    const ws = workspace!, up = ws.up;
    up.clearInput();
    up.multiplyAccumulate(ws.input, this.branches.up[p]!, 1);
    up.inverseUnordered();
    to.set(up.output.subarray(2 * S, 2 * N), at);
  }

  /** The high-rate operation on this hop's branch samples (shaped[p][2S …]). */
  private shape(): void {
    const op = this.op!, R = this.factor, S = FILTER_HALF_SPAN;
    if (!this.highRate) {
      for (const s of this.shaped) op.apply(s, 2 * S, 2 * FRAME);
      return;
    }
    // in time order, channel by channel: high-rate sample R·i + p is shaped[p][2(S + i) + channel]
    const hi = this.highRate;
    for (let c = 0; c < (this.mono ? 1 : 2); c++) {
      for (let p = 0; p < R; p++) {
        const s = this.shaped[p];
        for (let i = 0; i < HOP; i++) hi[R * i + p] = s[2 * (S + i) + c];
      }
      op.apply(hi, 0, R * HOP);
      for (let p = 0; p < R; p++) {
        const s = this.shaped[p];
        for (let i = 0; i < HOP; i++) s[2 * (S + i) + c] = hi[R * i + p];
      }
    }
  }
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
  private readonly inner: StereoOversampler;

  constructor(readonly factor: OversamplingFactor, shape: HighRateOperation | null) {
    this.inner = new StereoOversampler(factor, shape, { mono: true });
  }

  process(block: Float32Array): void {
    this.inner.process(block, null);
  }
}
