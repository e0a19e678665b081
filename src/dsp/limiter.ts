/**
 * True-peak look-ahead limiter. The guarantee: the output's true peak as the analyzer measures it
 * (`measureTruePeak`, ITU-R BS.1770-4 Annex 2, 4x) never exceeds the ceiling.
 *
 * Two stages, both stereo-linked:
 *
 * A. Look-ahead gain computer (after the moving-minimum + moving-average scheme of look-ahead
 *    limiters, e.g. F. Adriaensen's zita / S. Sanfilippo's, with a hold so the meter's kernel sees
 *    a constant gain around every peak):
 *    - detector: P[n], the peak of sample interval n of the input before `gainDb`: its two samples
 *      and the meter's three points between them, with the meter's own arithmetic (truepeak.ts:
 *      kernel of truepeak-filter.ts in pair form, double precision), rounded to float32;
 *    - required gain r[n] = min(1, T_A / (gain·max(P[n−1], P[n]))), T_A a hair under the ceiling;
 *    - skip: P only matters where it asks for more reduction than the release envelope already
 *      holds. A cheap O(n) pass cuts the input into chunks of SEG intervals (a grid counted from the
 *      first sample, so it does not depend on the caller's blocks) and gives each the meter's
 *      rigorous bound on every value in it (local gain + curvature, truepeak.ts); inside a chunk whose
 *      bound exceeds T_A/gain each interval gets its own bound U, and P is computed only where
 *      gain·U·(1 − α·ρ[n−1]) > T_A, the gain the release alone would give (below). That gives exactly the envelope
 *      computing P everywhere would give (tested with `exhaustive`), at a cost that follows the
 *      amount of limiting: on music at +6 dB about 1 % of the intervals are evaluated;
 *    - release, on the reduction ρ = 1 − e: ρ[n] = max(1 − r[n], α·ρ[n−1]), α = exp(−1/(releaseMs·fs)):
 *      instant attack, exponential recovery (one multiplication per sample: all there is to do in
 *      chunks whose bound stays under T_A/gain), snapping to exactly 0 once below 2⁻²⁴ (a float32
 *      ulp: the output cannot tell) so that gain 1 and its fast path come back soon after a peak;
 *    - m[n] = min e over [n − HOLD, n + D + HOLD] (HOLD = 24 = the meter kernel's half-length,
 *      D = lookaheadMs in samples). Between the attacks (where r[n] set ρ) ρ only decreases, so the
 *      window's largest ρ is the larger of ρ[n − HOLD] and the attacks' ρ in the window, which a
 *      monotone queue of the (rare) attacks gives: one comparison per sample. Then two moving
 *      averages of total span D + 1: the gain ramps down along a smooth
 *      (piecewise-quadratic, C¹) curve over D samples, reaches the required value HOLD samples
 *      before the peak and stays flat until HOLD samples after it. Every average of the window
 *      contains the peak's minimum, so g[n] ≤ r[j] for all |j − n| ≤ HOLD: never less reduction
 *      than required (no undershoot). The averages run on the reductions 1 − m rounded up to
 *      multiples of 2⁻³⁰: integer sums, exact, so g is exactly 1 again once the windows are clear;
 *      while they are, a hop takes a fast path (y = gain·x, nothing else per sample).
 *    The output y = g·x then meets T_A at every sample and, nearly always, between samples; but
 *    a varying gain changes the band-limited reconstruction, so tiny inter-sample overs remain.
 * B. Exact check and correction, provably closing the gap: every interval of y whose exact true
 *    peak (its samples and the meter's three points between them: the meter's filter and pair
 *    arithmetic, in double precision; rigorous bounds skip the segments that cannot come close:
 *    first from the input's chunk bounds and the range of the gain over the window (kept by the
 *    gain computer as it goes), then from the meter's bound on y itself, segment and interval; y
 *    is computed only for the segments that get that far) exceeds C_B = ceiling·(1 − 0.002) gets a "cone" of
 *    extra gain h: h ≤ C_B / peak on the interval, rising at slope ≤ s per sample on both sides.
 *    h is s-Lipschitz, so for any point t the meter computes
 *      |Σ c_k·h_k·y_k| ≤ h(t)·|Σ c_k·y_k| + s·Σ|c_k|·|k − t|·|y_k| ≤ C_B + s·M1·T_A
 *    (M1 = max over phases of Σ|c_k|·|k − t| = 6.29 for the meter's kernel, |y_k| ≤ T_A by stage A),
 *    and s is chosen so that C_B + s·M1·T_A ≤ ceiling·(1 − 2·10⁻⁶), leaving room for the float32
 *    rounding of the output (≤ Σ|c|·2⁻²⁴ relative). With s ≈ 3·10⁻⁴ per sample a cone reaches back
 *    at most RESERVE = 512 samples, enough for overs up to 1.5 dB above C_B; a deeper one would be
 *    given a steeper back slope and counted in `stats().steepCones` (never seen). On every test
 *    signal (torture and corpus) stage A alone already stays under C_B and stage B corrects
 *    nothing; with stage A told to aim 0.5 dB too high (LimiterOptions, tests), stage B alone keeps
 *    every output under the ceiling.
 *
 * Reuse across runs: the detector's work (chunk bounds, P) depends on the input only, not on any
 * parameter. `prepareLimiterInput(left, right)` wraps a signal for several runs; `limitSignal(input,
 * params, fs)` limits the whole of it (the renderer's convention, latency removed) and keeps the
 * detector's results in `input` for the next call, at any gain, ceiling, look-ahead or release. The
 * output is bit-identical to a streamed run without the cache (tested). The same cache can be given
 * to a streaming run (`createLimiter(params, fs, { detection })`), which checks that the samples it
 * is fed are the signal's (then zeros) and stops using the cache from the first one that is not.
 *
 * Speed (V8): the timeline buffers are shifted every 16 hops; the output is computed from the input
 * and the gain (written straight into the result by limitSignal); the hottest loops handle two or
 * four samples per iteration, because TurboFan re-checks every typed array (map, length, data
 * pointer) once per loop iteration, and keep calls out of the loop (emit defers its logarithms).
 *
 * Latency: HOP (buffering) + 63 (detector chunks) + D + 24 (hold) + 24 (exact check) + RESERVE
 * samples. A signal whose true peak stays below C_B·10^(−0.01/20) passes with gain
 * exactly 1 (bit-exact when gainDb = 0).
 */
import type { LimiterParams } from '../chain/spec.js';
import { HALF_TAPS, TRUE_PEAK_FILTER } from '../analysis/truepeak-filter.js';
import { dbToAmp } from '../util/db.js';
import type { StereoProcessor } from './processor.js';

/** Intervals per chunk (stage A's skip grid) and per segment (stage B's): a window of ±24 samples spans ≤ 3 of them. */
const SEG = 61;
if (SEG <= HALF_TAPS) throw new Error('limiter: chunks shorter than the meter kernel');
/** New samples per hop: 16 chunks. */
export const HOP = 16 * SEG;
/**
 * Hop a detects intervals [a − DETECT_LAG, a + HOP − DETECT_LAG): the bound of its last chunk looks
 * one chunk further (the curvature of the chunk after it), which must have arrived.
 */
const DETECT_LAG = SEG + 2;
/** The gain is held flat this many samples on each side of a peak: the meter kernel's half-length. */
export const HOLD = HALF_TAPS;
/** Look-back of the exact check: the longest cone. */
export const RESERVE = 512;
/** Stage B flags intervals above ceiling·(1 − MARGIN_B). */
export const MARGIN_B = 0.002;
/** Stage A aims this far below stage B's threshold, so that stage B rarely has work. */
export const MARGIN_A_DB = 0.01;
/** Room left under the ceiling for the float32 rounding of the output. */
const FINAL_SLACK = 2e-6;
/** Slack of the meter's bound relative to the window's peak: covers the rounding of the filter sums (truepeak.ts). */
const BOUND_SLACK = 1e-9;
/** Unit of the gain computer's exact integer sums of reductions. */
const QUANTUM = 2 ** 30;
/** The release envelope's remaining reduction 1 − e snaps to 0 below this (a float32 ulp of 1). */
const RELEASE_SNAP = 2 ** -24;

/** M1 = max over the meter's phases p of Σ_j |c_j|·|j − p/4|: how much a gain slope can move an interpolated value. */
function firstMomentGain(): number {
  let m1 = 0;
  TRUE_PEAK_FILTER.phases.forEach((c, idx) => {
    const p = (idx + 1) / 4;
    let s = 0;
    for (let k = 0; k < c.length; k++) s += Math.abs(c[k]) * Math.abs(k - HALF_TAPS + 1 - p);
    m1 = Math.max(m1, s);
  });
  return m1;
}
export const FIRST_MOMENT_GAIN = firstMomentGain();

/**
 * One input signal with the detector's gain-independent results, filled by the runs it is given to
 * and reused by the next (see the file comment). Make it with `prepareLimiterInput`.
 */
export class LimiterInput {
  /** Per hop: the chunk bounds (see TruePeakLimiter.chunkBounds). */
  readonly bounds: (Float64Array | undefined)[] = [];
  /** Per chunk and channel (index 2·chunk + channel): the interpolated peak of each interval, −1 until computed. */
  readonly peaks: (Float32Array | undefined)[] = [];

  constructor(readonly left: Float32Array, readonly right: Float32Array) {
    if (left.length !== right.length) throw new RangeError('prepareLimiterInput: channels differ in length');
  }

  /** True when samples [start, start + count) of the stream equal the signal's (zeros past its end). */
  matches(x0: Float32Array, x1: Float32Array, from: number, start: number, count: number): boolean {
    const { left, right } = this;
    const inside = Math.max(0, Math.min(count, left.length - start));
    for (let i = 0; i < inside; i++) if (x0[from + i] !== left[start + i] || x1[from + i] !== right[start + i]) return false;
    for (let i = inside; i < count; i++) if (x0[from + i] !== 0 || x1[from + i] !== 0) return false;
    return true;
  }
}

/**
 * The limiter's input for several runs (a loudness search, a ceiling tweak): `left`/`right` are held
 * by reference (do not modify them while it is in use). Give it to `limitSignal` (or to
 * `createLimiter` as `options.detection`) for every run over this signal: the detector's work is
 * done once, and the output is bit-identical to a run without it.
 */
export function prepareLimiterInput(left: Float32Array, right: Float32Array): LimiterInput {
  return new LimiterInput(left, right);
}

export interface LimitedSignal {
  left: Float32Array;
  right: Float32Array;
  stats: LimiterStats;
}

export interface LimiterStats {
  /** Largest gain reduction applied (positive dB). */
  maxGainReductionDb: number;
  /** Gain reduction averaged over all output samples from the first input sample on (positive dB). */
  meanGainReductionDb: number;
  /** Intervals the exact check had to correct. */
  correctedIntervals: number;
  /** Corrections too deep for RESERVE (given a steeper back slope); 0 in every test. */
  steepCones: number;
}

export type Limiter = StereoProcessor & { stats(): LimiterStats };

export interface LimiterOptions {
  /** For tests: move stage A's target by this many dB (positive = aim above the ceiling, so that stage B alone must keep it). */
  stageATargetOffsetDb?: number;
  /** For tests: no skipping, every interval's peak is computed in both stages (must give the same output, bit for bit). */
  exhaustive?: boolean;
  /** Detector results shared by the runs over one input (prepareLimiterInput); each hop's samples are checked against it. */
  detection?: LimiterInput;
}

class TruePeakLimiter implements StereoProcessor {
  // Numeric fields are initialised where declared: a field declared bare starts as `undefined` (ES2022
  // class fields), and V8 then keeps its numbers boxed, which slows the loops that use them 2–3x.
  readonly latency: number = 0;
  private readonly inGain: number = 0;
  private readonly ceiling: number = 0;
  private readonly thresholdB: number = 0;
  private readonly targetA: number = 0;
  /** T_A / gain: the detector's threshold before the gain. */
  private readonly targetRaw: number = 0;
  private readonly slopeB: number = 0;
  private readonly release: number = 0;
  private readonly D: number = 0;
  private readonly W: number = 0;
  private readonly L1: number = 0;
  private readonly L2: number = 0;
  /** g = 1 − Σ₂Σ₁q · gainScale, q the reductions in units of 2⁻³⁰ (see gainComputer). */
  private readonly gainScale: number = 0;
  private readonly yLag: number = 0;
  private readonly jLag: number = 0;
  private readonly emitLag: number = 0;
  private cache: LimiterInput | null;
  /** The samples come from the cache itself (runWhole): no need to check them. */
  private trusted = false;
  private readonly exhaustive: boolean;

  // Timeline buffers: index = absolute sample − base. They hold `hist` samples of history plus
  // 16 hops, and are shifted left only when full (a memmove of `hist` samples every 16 hops).
  private readonly cap: number = 0;
  private readonly hist: number = 0;
  private base = 0;
  private readonly raw0: Float32Array; // input before the gain
  private readonly raw1: Float32Array;
  // U: bound on interval [n, n+1] of each channel, before the gain, 0 where ≤ T_A/gain; in a chunk
  // cold in both channels only the two end intervals are written (all the envelope reads there)
  private readonly bound0: Float64Array;
  private readonly bound1: Float64Array;
  private readonly boundMax: Float64Array; // the larger of the two
  private readonly reduction: Float64Array; // ρ = 1 − e
  private readonly quanta: Float64Array; // q = ⌈(1 − m)·2³⁰⌉ = ⌈max ρ·2³⁰⌉
  private readonly gain: Float64Array; // g
  private readonly y0: Float64Array; // y = gain·(g·x), only where segmentStats computed it
  private readonly y1: Float64Array;
  private readonly corr: Float64Array; // h
  /** The Float64 timeline arrays makeRoom moves in full (not corr). */
  private readonly shifted: Float64Array[];

  // Streaming state.
  private readonly outFifo = [new Float32Array(HOP), new Float32Array(HOP)];
  private pos = 0;
  private hopStart = 0; // absolute index of the first sample of the next hop
  private lastReduction = 0;
  /** Newest index n with ρ[n] > 0 (−∞: none yet). */
  private lastReduced = -Infinity;
  /** The gain computer's sums at the newest index n: Σ₂Σ₁q and its last step, Σ₁q[n] − Σ₁q[n − L2]. */
  private sum2 = 0;
  private step2 = 0;
  private forward = 1; // cone envelope at the newest initialised index of `corr`
  /** Newest index where a cone made h < 1. */
  private coneHigh = -Infinity;
  /** Whether the gain computer found g = 1 throughout its current and previous hop. */
  private unityNow = true;
  private unityPrev = true;
  /** Chunk statistics of chunks 16h − 1 … 16h + 16 for the current hop h, per channel: peak |x| and peak |Δ²x|. */
  private readonly chunkPeak = [new Float64Array(18), new Float64Array(18)];
  private readonly chunkCurve = [new Float64Array(18), new Float64Array(18)];
  private statsHop = -2; // hop whose chunk statistics the arrays hold
  private readonly hopBounds = new Float64Array(80);
  /**
   * Chunk c's bound over both channels and the peak |x| of its filter windows, before the gain (slot
   * c mod 256): stage B's first test (exactCheck).
   */
  private readonly chunkBound = new Float64Array(256);
  private readonly chunkWindowPeak = new Float64Array(256);
  /** Stage B's segment statistics, in slots z mod 64 (see segmentStats): which segment, up to which sample, values per channel. */
  private readonly segId = new Float64Array(64).fill(-1);
  private readonly segTo = new Float64Array(64);
  private readonly segCurve = new Float64Array(2 * 64);
  private readonly segPeak = new Float64Array(2 * 64);
  /**
   * The gain's range over the same segments (gainRange): kept by the gain computer as it goes, for
   * segment rangeSeg (ending at absolute index rangeEnd; rangeValid once it tracked one from its start).
   */
  private rangeSeg = 0;
  private rangeEnd = 0;
  private rangeValid = false;
  private rangeLo = 1;
  private rangeHi = 0;
  private readonly gainId = new Float64Array(64).fill(-1);
  private readonly gainTo = new Float64Array(64);
  private readonly segGainLo = new Float64Array(64);
  private readonly segGainHi = new Float64Array(64);

  /** The newest hop's attacks (see envelope): absolute index and ρ, `attacks` of them. */
  private readonly attackIdx = new Float64Array(HOP);
  private readonly attackRho = new Float64Array(HOP);
  private attacks = 0;
  /** Monotone queue (ρ decreasing from head to tail) of the attacks in the gain computer's window, in a ring of queueMask + 1 slots. */
  private readonly queueIdx: Float64Array;
  private readonly queueRho: Float64Array;
  private readonly queueMask: number = 0;
  private queueHead = 0;
  private queueTail = 0;
  /** Bit k: chunk k of the newest hop has a bound above T_A/gain in some channel (its U are computed; a cold chunk's are 0). */
  private hotChunks = 0;
  /** The same for the chunk before the newest hop's first (bit 15 of the previous hop), 0 or 1. */
  private prevChunkHot = 0;
  /** The newest interval whose P intervalValue computed, per channel (absolute index), and that P. */
  private memoAt0 = -Infinity;
  private memoP0 = 0;
  private memoAt1 = -Infinity;
  private memoP1 = 0;

  private minGain = 1;
  /** Products set aside by emit before they underflow (at most one per sample). */
  private readonly logTerms = new Float64Array(HOP);
  private logGainSum = 0;
  private emitted = 0;
  private corrected = 0;
  private steep = 0;

  constructor(params: LimiterParams, sampleRate: number, options: LimiterOptions) {
    this.inGain = dbToAmp(params.gainDb);
    this.ceiling = dbToAmp(params.ceilingDbtp);
    this.thresholdB = this.ceiling * (1 - MARGIN_B);
    this.targetA = this.thresholdB * dbToAmp(-MARGIN_A_DB + (options.stageATargetOffsetDb ?? 0));
    this.targetRaw = this.targetA / this.inGain;
    this.slopeB = (this.ceiling * (1 - FINAL_SLACK) - this.thresholdB) / (FIRST_MOMENT_GAIN * this.targetA);
    this.release = Math.exp(-1 / ((params.releaseMs / 1000) * sampleRate));
    this.D = Math.max(1, Math.round((params.lookaheadMs / 1000) * sampleRate));
    this.W = this.D + HOLD;
    this.L1 = Math.ceil((this.D + 2) / 2);
    this.L2 = this.D + 2 - this.L1;
    if (this.L1 * this.L2 > 2 ** 22) throw new RangeError('limiter: look-ahead too long for exact gain sums');
    this.gainScale = 1 / (QUANTUM * this.L1 * this.L2);
    this.yLag = DETECT_LAG + this.W;
    this.jLag = this.yLag + HALF_TAPS;
    this.emitLag = this.jLag + RESERVE;
    this.latency = HOP + this.emitLag;
    this.cache = options.detection ?? null;
    this.exhaustive = options.exhaustive ?? false;

    const span = this.W + HOLD + 1; // the moving minimum's: [n − HOLD, n + W]
    this.hist = Math.max(4 * SEG, this.emitLag + 2 * HALF_TAPS, this.yLag + this.L1 + this.L2 + HOLD + span) + 8;
    this.cap = this.hist + 16 * HOP;
    // the gain computer starts at absolute index −yLag, inside segment rangeSeg
    this.rangeSeg = Math.floor((this.jLag - this.yLag) / SEG) + 1;
    this.rangeEnd = this.rangeSeg * SEG - this.jLag;
    this.base = -this.hist; // absolute index 0 sits after `hist` samples of neutral history
    const filled = (v: number) => new Float64Array(this.cap).fill(v);
    this.raw0 = new Float32Array(this.cap);
    this.raw1 = new Float32Array(this.cap);
    this.bound0 = filled(0);
    this.bound1 = filled(0);
    this.boundMax = filled(0);
    this.reduction = filled(0);
    const ring = 2 ** Math.ceil(Math.log2(Math.max(HOP, span) + 2)); // > attacks in a window
    this.queueIdx = new Float64Array(ring);
    this.queueRho = new Float64Array(ring);
    this.queueMask = ring - 1;
    this.quanta = filled(0);
    this.gain = filled(1);
    this.y0 = filled(0);
    this.y1 = filled(0);
    this.corr = filled(1);
    this.shifted = [this.bound0, this.bound1, this.boundMax, this.reduction, this.quanta, this.gain, this.y0, this.y1];
  }

  process(left: Float32Array, right: Float32Array): void {
    const n = left.length;
    for (let i = 0; i < n; ) {
      if (this.pos === 0) this.makeRoom();
      const take = Math.min(HOP - this.pos, n - i);
      const at = this.hopStart - this.base + this.pos;
      this.raw0.set(left.subarray(i, i + take), at);
      this.raw1.set(right.subarray(i, i + take), at);
      left.set(this.outFifo[0].subarray(this.pos, this.pos + take), i);
      right.set(this.outFifo[1].subarray(this.pos, this.pos + take), i);
      i += take;
      this.pos += take;
      if (this.pos === HOP) {
        this.hop(this.outFifo[0], this.outFifo[1], 0);
        this.pos = 0;
      }
    }
  }

  /**
   * The whole of `input` through the limiter, latency removed: what runProcessors([this], left, right)
   * gives, bit for bit (the same hops, so the same output and stats), without its block copies and
   * without checking the samples against the cache (they are the cache's own).
   */
  runWhole(input: LimiterInput): LimitedSignal {
    const { left, right } = input, n = left.length;
    const out0 = new Float32Array(n), out1 = new Float32Array(n);
    const hops = Math.floor((n + this.latency) / HOP); // runProcessors feeds n + latency samples
    this.trusted = true;
    for (let h = 0; h < hops; h++) {
      const a = h * HOP;
      this.makeRoom();
      const at = a - this.base, inside = Math.max(0, Math.min(HOP, n - a));
      this.raw0.set(left.subarray(a, a + inside), at);
      this.raw1.set(right.subarray(a, a + inside), at);
      if (inside < HOP) {
        this.raw0.fill(0, at + inside, at + HOP);
        this.raw1.fill(0, at + inside, at + HOP);
      }
      // this hop emits input samples [a − emitLag, a − emitLag + HOP): straight into the output when all are in it
      const first = a - this.emitLag, from = Math.max(0, -first), to = Math.min(HOP, n - first);
      if (from === 0 && to === HOP) this.hop(out0, out1, first);
      else {
        const [f0, f1] = this.outFifo;
        this.hop(f0, f1, 0);
        for (let i = from; i < to; i++) {
          out0[first + i] = f0[i];
          out1[first + i] = f1[i];
        }
      }
    }
    return { left: out0, right: out1, stats: this.stats() };
  }

  stats(): LimiterStats {
    return {
      maxGainReductionDb: this.minGain < 1 ? -20 * Math.log10(this.minGain) : 0,
      meanGainReductionDb: this.emitted ? (-20 / Math.LN10) * (this.logGainSum / this.emitted) : 0,
      correctedIntervals: this.corrected,
      steepCones: this.steep,
    };
  }

  /** Before a hop's input arrives: shifts the timeline left when the hop would not fit. */
  private makeRoom(): void {
    const a = this.hopStart;
    if (a + HOP - this.base <= this.cap) return;
    const shift = a - this.base - this.hist;
    this.raw0.copyWithin(0, shift);
    this.raw1.copyWithin(0, shift);
    for (const arr of this.shifted) arr.copyWithin(0, shift);
    // h is 1 past coneHigh (and past the newest initialised index): move only what a cone touched
    const oldBase = this.base;
    if (this.coneHigh >= oldBase) {
      this.corr.copyWithin(0, shift);
      if (this.coneHigh >= oldBase + this.cap - shift) this.corr.fill(1, this.cap - shift);
    }
    this.base += shift;
  }

  /** One hop: its output samples go to o0/o1 from index `at` on. */
  private hop(o0: Float32Array, o1: Float32Array, at: number): void {
    const a = this.hopStart;
    this.hopStart += HOP;
    if (this.cache && !this.trusted && !this.cache.matches(this.raw0, this.raw1, a - this.base, a, HOP)) this.cache = null;
    this.detect(a);
    this.envelope(a);
    this.gainComputer(a);
    this.exactCheck(a);
    this.emit(a, o0, o1, at);
  }

  /** Chunk statistics (peak |x|, peak |Δ²x| per channel) of chunks c0 … c1 − 1, stored at c − 16h + 1. */
  private chunkStats(h: number, c0: number, c1: number): void {
    const base = this.base, x0 = this.raw0, x1 = this.raw1;
    const [pk0, pk1] = this.chunkPeak, [cv0, cv1] = this.chunkCurve;
    for (let c = c0; c < c1; c++) {
      const s = c * SEG - DETECT_LAG - base;
      let m0 = 0, d0 = 0, m1 = 0, d1 = 0;
      let prev0 = x0[s - 1], cur0 = x0[s], prev1 = x1[s - 1], cur1 = x1[s];
      for (let i = s; i < s + SEG; i++) {
        const next0 = x0[i + 1], next1 = x1[i + 1];
        const v0 = Math.abs(cur0), v1 = Math.abs(cur1);
        if (v0 > m0) m0 = v0;
        if (v1 > m1) m1 = v1;
        const e0 = Math.abs(prev0 - 2 * cur0 + next0), e1 = Math.abs(prev1 - 2 * cur1 + next1);
        if (e0 > d0) d0 = e0;
        if (e1 > d1) d1 = e1;
        prev0 = cur0;
        cur0 = next0;
        prev1 = cur1;
        cur1 = next1;
      }
      const at = c - 16 * h + 1;
      pk0[at] = m0;
      cv0[at] = d0;
      pk1[at] = m1;
      cv1[at] = d1;
    }
  }

  /**
   * The chunk bounds of hop h, before the gain: for channel ch and chunk k (= 16h + k), at 16·ch + k, an
   * upper bound on every sample and interpolated value of its intervals (the meter's: localGain·pair
   * peak + `extra`, and the pair peak itself: localGain is a hair under 1); at 32 + 16·ch + k, `extra`
   * = curvatureGain·max|Δ²x| + rounding slack over the intervals' filter windows (chunks k − 1 … k + 1);
   * at 64 + k, the peak |x| of both channels over those windows.
   */
  private chunkBounds(h: number, out: Float64Array): void {
    const c0 = 16 * h, base = this.base;
    // chunks 16h − 1 and 16h carry over from the previous hop, when it computed them
    if (this.statsHop === h - 1) {
      for (let ch = 0; ch < 2; ch++) {
        this.chunkPeak[ch].copyWithin(0, 16, 18);
        this.chunkCurve[ch].copyWithin(0, 16, 18);
      }
      this.chunkStats(h, c0 + 1, c0 + 17);
    } else this.chunkStats(h, c0 - 1, c0 + 17);
    this.statsHop = h;
    const { localGain, curvatureGain } = TRUE_PEAK_FILTER;
    for (let ch = 0; ch < 2; ch++) {
      const pk = this.chunkPeak[ch], cv = this.chunkCurve[ch];
      const x = ch === 0 ? this.raw0 : this.raw1;
      for (let k = 0; k < 16; k++) {
        const end = Math.abs(x[(c0 + k + 1) * SEG - DETECT_LAG - base]); // the last interval's right sample
        const pair = pk[k + 1] > end ? pk[k + 1] : end;
        const window = Math.max(pk[k], pk[k + 1], pk[k + 2]);
        const extra = curvatureGain * Math.max(cv[k], cv[k + 1], cv[k + 2]) + BOUND_SLACK * window;
        const b = localGain * pair + extra;
        out[16 * ch + k] = b > pair ? b : pair;
        out[32 + 16 * ch + k] = extra;
        if (ch === 0 || window > out[64 + k]) out[64 + k] = window;
      }
    }
  }

  /**
   * Stage A's detector for hop a, intervals j ∈ [a − DETECT_LAG, a + HOP − DETECT_LAG): per channel, an
   * upper bound U on the interval's samples and interpolated values (before the gain), or 0 where it
   * is ≤ T_A/gain (such values cannot ask for a reduction).
   */
  private detect(a: number): void {
    const h = a / HOP, base = this.base, cache = this.cache;
    if (this.exhaustive) {
      // no bounds: everything is evaluated
      const p0 = a - DETECT_LAG - base;
      for (const arr of [this.bound0, this.bound1, this.boundMax]) arr.fill(Infinity, p0, p0 + HOP);
      for (let k = 0; k < 16; k++) this.chunkBound[(16 * h + k) & 255] = Infinity;
      this.prevChunkHot = 1;
      this.hotChunks = 0xffff;
      return;
    }
    let bounds = cache?.bounds[h];
    if (!bounds) {
      bounds = this.hopBounds;
      this.chunkBounds(h, bounds);
      if (cache) cache.bounds[h] = bounds.slice();
    }
    const t = this.targetRaw, chunkBound = this.chunkBound;
    const { bound0, bound1, boundMax } = this;
    const p0 = a - DETECT_LAG - base;
    for (let k = 0; k < 16; k++) {
      chunkBound[(16 * h + k) & 255] = bounds[k] > bounds[16 + k] ? bounds[k] : bounds[16 + k];
      this.chunkWindowPeak[(16 * h + k) & 255] = bounds[64 + k];
    }
    this.prevChunkHot = (this.hotChunks >> 15) & 1;
    let hot = 0;
    for (let k = 0; k < 16; k++) {
      const from = p0 + k * SEG, to = from + SEG;
      const cold0 = bounds[k] <= t, cold1 = bounds[16 + k] <= t;
      if (cold0 && cold1) {
        // cold: the envelope reads only the ends of such a chunk (next to a hot one)
        bound0[from] = bound1[from] = boundMax[from] = 0;
        bound0[to - 1] = bound1[to - 1] = boundMax[to - 1] = 0;
        continue;
      }
      hot |= 1 << k;
      // a cold channel's threshold is +∞: its U are 0
      this.intervalBounds(from, to, bounds[32 + k], bounds[48 + k], cold0 ? Infinity : t, cold1 ? Infinity : t);
    }
    this.hotChunks = hot;
  }

  /**
   * U of intervals [from, to) of both channels, before the gain (the meter's bound from the chunk's
   * `extra`), 0 where ≤ the threshold t0/t1; and their maximum.
   */
  private intervalBounds(from: number, to: number, extra0: number, extra1: number, t0: number, t1: number): void {
    const { raw0, raw1, bound0, bound1, boundMax } = this;
    const localGain = TRUE_PEAK_FILTER.localGain;
    let r0 = Math.abs(raw0[from]), r1 = Math.abs(raw1[from]);
    for (let i = from; i < to; i++) {
      const l0 = r0, l1 = r1;
      r0 = Math.abs(raw0[i + 1]);
      r1 = Math.abs(raw1[i + 1]);
      const m0 = l0 > r0 ? l0 : r0, m1 = l1 > r1 ? l1 : r1;
      const b0 = localGain * m0 + extra0, b1 = localGain * m1 + extra1;
      const v0 = b0 > m0 ? b0 : m0, v1 = b1 > m1 ? b1 : m1;
      const u0 = v0 > t0 ? v0 : 0, u1 = v1 > t1 ? v1 : 0;
      bound0[i] = u0;
      bound1[i] = u1;
      boundMax[i] = u0 > u1 ? u0 : u1;
    }
  }

  /**
   * P of interval i (timeline index) in channel ch, before the gain: the largest of its two samples
   * and the meter's three interpolated values (intervalPeak on the input, rounded to float32 so that
   * values from the detection cache and fresh ones are the same).
   */
  private intervalValue(ch: number, i: number): number {
    const x = ch === 0 ? this.raw0 : this.raw1;
    const abs = i + this.base;
    let p: number;
    // the envelope asks for intervals n − 1 and n at step n: remembering the newest one per channel is enough
    if (abs === (ch === 0 ? this.memoAt0 : this.memoAt1)) p = ch === 0 ? this.memoP0 : this.memoP1;
    else {
      const cache = this.cache, j = abs + DETECT_LAG;
      if (cache && j >= 0) {
        const c = Math.floor(j / SEG), at = j - c * SEG, peaks = cache.peaks, slot = 2 * c + ch;
        // kept dense (a sparse array would turn into a slow dictionary)
        while (peaks.length <= slot) peaks.push(undefined);
        let stored = peaks[slot];
        if (stored === undefined) peaks[slot] = stored = new Float32Array(SEG).fill(-1);
        if (stored[at] < 0) stored[at] = intervalPeak32(x, i); // rounded to float32 by the store
        p = stored[at];
      } else p = Math.fround(intervalPeak32(x, i));
      if (ch === 0) {
        this.memoAt0 = abs;
        this.memoP0 = p;
      } else {
        this.memoAt1 = abs;
        this.memoP1 = p;
      }
    }
    const l = Math.abs(x[i]), r = Math.abs(x[i + 1]);
    const m = l > r ? l : r;
    return p > m ? p : m;
  }

  /**
   * Release envelope on the reduction, ρ[n] = max(1 − r[n], α·ρ[n−1]), n ∈ [a − DETECT_LAG, a + HOP − DETECT_LAG).
   * r[n] only matters where it is below the release's gain 1 − α·ρ[n−1], i.e. where P of interval
   * n − 1 or n exceeds T_A/(gain·(1 − α·ρ[n−1])): the exact P is computed only where the bound U
   * allows that, which gives the same ρ as computing it everywhere. The indices where r set ρ (the
   * attacks) go to `attackIdx`/`attackRho` for the gain computer; between them ρ only decreases.
   */
  private envelope(a: number): void {
    const { bound0, bound1, boundMax, reduction, attackIdx, attackRho } = this;
    const base = this.base, t = this.targetRaw, alpha = this.release;
    const e0 = a - DETECT_LAG - base, e1 = e0 + HOP;
    const hot = this.hotChunks, prevHot = this.prevChunkHot;
    let rho = this.lastReduction;
    let attacks = 0;
    let last = -1;
    if (rho === 0 && hot === 0 && prevHot === 0) {
      // no bound above T_A/gain (bounds of cold chunks are 0) and no reduction left: ρ stays 0
      reduction.fill(0, e0, e1);
      this.attacks = 0;
      return;
    }
    for (let k = 0; k < 16; k++) {
      let i = e0 + k * SEG;
      const end = i + SEG;
      // a cold chunk's bounds are 0, so the intervals n − 1 and n the step reads have 0 bounds, except
      // at its first index after a hot chunk
      const general = (hot >> k) & 1 ? end : (k === 0 ? prevHot : (hot >> (k - 1)) & 1) ? i + 1 : i;
      for (; i < general; i++) {
        const released = rho * alpha;
        rho = released < RELEASE_SNAP ? 0 : released;
        const u = boundMax[i - 1] > boundMax[i] ? boundMax[i - 1] : boundMax[i];
        const rel = 1 - rho;
        if (u * rel > t) {
          // some interval may ask for more reduction than the release holds: its exact P
          let p = 0;
          if (bound0[i - 1] * rel > t) p = Math.max(p, this.intervalValue(0, i - 1));
          if (bound0[i] * rel > t) p = Math.max(p, this.intervalValue(0, i));
          if (bound1[i - 1] * rel > t) p = Math.max(p, this.intervalValue(1, i - 1));
          if (bound1[i] * rel > t) p = Math.max(p, this.intervalValue(1, i));
          if (p * rel > t) {
            rho = 1 - t / p;
            attackIdx[attacks] = i + base;
            attackRho[attacks++] = rho;
          }
        }
        reduction[i] = rho;
        if (rho > 0) last = i;
      }
      // the release alone
      const from = i;
      // four steps per iteration while none snaps to 0 (V8 re-checks the array once per iteration)
      for (; i + 4 <= end; i += 4) {
        const r0 = rho * alpha, r1 = r0 * alpha, r2 = r1 * alpha, r3 = r2 * alpha;
        if (r3 < RELEASE_SNAP) break; // ρ only decreases: r0 … r2 are larger
        reduction[i] = r0;
        reduction[i + 1] = r1;
        reduction[i + 2] = r2;
        reduction[i + 3] = r3;
        rho = r3;
      }
      for (; i < end; i++) {
        const released = rho * alpha;
        if (released < RELEASE_SNAP) {
          rho = 0;
          break;
        }
        rho = released;
        reduction[i] = released;
      }
      if (i > from) last = i - 1;
      for (; i < end; i++) reduction[i] = 0;
    }
    this.attacks = attacks;
    if (last >= 0) this.lastReduced = last + base;
    this.lastReduction = rho;
  }

  /**
   * Stage A for the samples that became computable, n ∈ [a − yLag, a − yLag + HOP): m and g; h initialised.
   * m[n] = 1 − max ρ over [n − HOLD, n + W]: ρ only decreases between attacks, so that maximum is the
   * larger of ρ[n − HOLD] and the attacks' ρ in the window, a monotone queue of attacks (rare)
   * giving the latter. The two moving averages run on q = ⌈(1 − m)·2³⁰⌉, integers whose sums
   * (< 2⁵³) are exact, so the gain is exactly 1 again as soon as the windows hold no reduction, and
   * rounding q up only ever adds reduction. Being exact, Σ₂Σ₁q is kept through its second
   * difference, q[n] − q[n − L1] − q[n − L2] + q[n − L1 − L2] (no array of Σ₁q).
   */
  private gainComputer(a: number): void {
    const base = this.base;
    const { quanta, gain, corr } = this;
    const L1 = this.L1, L2 = this.L2, slope = this.slopeB;
    const n0 = a - this.yLag, i0 = n0 - base, i1 = i0 + HOP;
    this.unityPrev = this.unityNow;
    if (this.lastReduced < n0 - HOLD - L1 - L2) {
      // No reduction in any window of these samples: q = 0 and g = 1 exactly, as the loop below would
      // give (and no attack with ρ > 0 in them, nor in the next hop's windows before its own).
      this.unityNow = true;
      this.queueHead = this.queueTail;
      quanta.fill(0, i0, i1);
      gain.fill(1, i0, i1);
      let end = this.rangeEnd - base;
      for (let i = i0; i < i1; ) {
        const stop = end < i1 ? end : i1;
        if (stop > i && this.rangeHi < 1) this.rangeHi = 1;
        i = stop;
        if (i === end) {
          this.closeRange(end + base);
          end += SEG;
        }
      }
    } else {
      this.unityNow = false;
      this.gainLoop(i0, i1);
    }
    this.openRange(i1 + base);
    let fwd = this.forward;
    // h is already 1 where no cone reached (makeRoom keeps it so)
    if (fwd !== 1) {
      let low = -1;
      for (let i = i0; i < i1; i++) {
        fwd += slope;
        if (fwd > 1) fwd = 1;
        else low = i;
        corr[i] = fwd;
      }
      if (low >= 0 && low + base > this.coneHigh) this.coneHigh = low + base;
      this.forward = fwd;
    }
  }

  /**
   * The gain computer's loop over timeline indices [i0, i1) (see gainComputer), which also keeps the
   * gain's range over stage B's segments (closeRange/openRange).
   */
  private gainLoop(i0: number, i1: number): void {
    const base = this.base;
    const { reduction, quanta, gain, attackIdx, attackRho, queueIdx, queueRho } = this;
    const W = this.W, L1 = this.L1, L2 = this.L2, L12 = L1 + L2, scale = this.gainScale;
    const attacks = this.attacks, mask = this.queueMask;
    let head = this.queueHead, tail = this.queueTail, next = 0;
    let d = this.step2, s2 = this.sum2;
    let end = this.rangeEnd - base, lo = this.rangeLo, hi = this.rangeHi;
    for (let i = i0; i < i1; ) {
      // the attacks leaving the window (index < i − HOLD) go, those entering it (index ≤ i + W) join
      while (tail !== head && queueIdx[head & mask] - base + HOLD < i) head++;
      for (; next < attacks && attackIdx[next] - base - W <= i; next++) {
        const v = attackRho[next];
        while (tail !== head && queueRho[(tail - 1) & mask] <= v) tail--;
        queueIdx[tail & mask] = attackIdx[next];
        queueRho[tail & mask] = v;
        tail++;
      }
      // until the next change of the queue (or the end of a segment), its largest ρ is `top`
      let stop = end < i1 ? end : i1, top = 0;
      if (next < attacks && attackIdx[next] - base - W < stop) stop = attackIdx[next] - base - W;
      if (tail !== head) {
        top = queueRho[head & mask];
        const leave = queueIdx[head & mask] - base + HOLD + 1;
        if (leave < stop) stop = leave;
      }
      // four samples per iteration (V8 re-checks every typed array once per iteration), in order
      for (; i + 4 <= stop; i += 4) {
        const r0 = reduction[i - HOLD], r1 = reduction[i + 1 - HOLD], r2 = reduction[i + 2 - HOLD], r3 = reduction[i + 3 - HOLD];
        const q0 = Math.ceil((r0 > top ? r0 : top) * QUANTUM);
        quanta[i] = q0;
        d += q0 - quanta[i - L1] - quanta[i - L2] + quanta[i - L12];
        s2 += d;
        const g0 = 1 - s2 * scale;
        const q1 = Math.ceil((r1 > top ? r1 : top) * QUANTUM);
        quanta[i + 1] = q1;
        d += q1 - quanta[i + 1 - L1] - quanta[i + 1 - L2] + quanta[i + 1 - L12];
        s2 += d;
        const g1 = 1 - s2 * scale;
        const q2 = Math.ceil((r2 > top ? r2 : top) * QUANTUM);
        quanta[i + 2] = q2;
        d += q2 - quanta[i + 2 - L1] - quanta[i + 2 - L2] + quanta[i + 2 - L12];
        s2 += d;
        const g2 = 1 - s2 * scale;
        const q3 = Math.ceil((r3 > top ? r3 : top) * QUANTUM);
        quanta[i + 3] = q3;
        d += q3 - quanta[i + 3 - L1] - quanta[i + 3 - L2] + quanta[i + 3 - L12];
        s2 += d;
        const g3 = 1 - s2 * scale;
        gain[i] = g0;
        gain[i + 1] = g1;
        gain[i + 2] = g2;
        gain[i + 3] = g3;
        if (g0 < lo) lo = g0;
        if (g0 > hi) hi = g0;
        if (g1 < lo) lo = g1;
        if (g1 > hi) hi = g1;
        if (g2 < lo) lo = g2;
        if (g2 > hi) hi = g2;
        if (g3 < lo) lo = g3;
        if (g3 > hi) hi = g3;
      }
      for (; i < stop; i++) {
        const r = reduction[i - HOLD];
        const q = Math.ceil((r > top ? r : top) * QUANTUM);
        quanta[i] = q;
        d += q - quanta[i - L1] - quanta[i - L2] + quanta[i - L12];
        s2 += d;
        const gg = 1 - s2 * scale;
        gain[i] = gg;
        if (gg < lo) lo = gg;
        if (gg > hi) hi = gg;
      }
      if (i === end) {
        this.rangeLo = lo;
        this.rangeHi = hi;
        this.closeRange(end + base);
        end += SEG;
        lo = 1;
        hi = 0;
      }
    }
    this.rangeLo = lo;
    this.rangeHi = hi;
    this.queueHead = head;
    this.queueTail = tail;
    this.step2 = d;
    this.sum2 = s2;
  }

  /** The gain's range over segment `rangeSeg` is complete (it ends at absolute index `end`): stored for gainRange, and the next segment begins. */
  private closeRange(end: number): void {
    const z = this.rangeSeg;
    if (this.rangeValid) {
      const slot = z & 63;
      this.gainId[slot] = z;
      this.gainTo[slot] = end;
      this.segGainLo[slot] = this.rangeLo;
      this.segGainHi[slot] = this.rangeHi;
    }
    this.rangeSeg = z + 1;
    this.rangeEnd = end + SEG;
    this.rangeValid = true;
    this.rangeLo = 1;
    this.rangeHi = 0;
  }

  /** The range of the segment still open, over its samples before absolute index `to` (the gain computer's frontier). */
  private openRange(to: number): void {
    if (!this.rangeValid) return;
    const slot = this.rangeSeg & 63;
    this.gainId[slot] = this.rangeSeg;
    this.gainTo[slot] = to;
    this.segGainLo[slot] = this.rangeLo;
    this.segGainHi[slot] = this.rangeHi;
  }

  /**
   * Stage B's statistics of segment z (samples [z·SEG − jLag − SEG, …) up to `to`): largest |Δ²y| and
   * |y| of each channel, at 2·slot and 2·slot + 1 of segCurve/segPeak; computed once (a segment serves
   * three neighbours, and its hop's successor).
   */
  private segmentStats(z: number, to: number): number {
    const slot = z & 63, start = z * SEG - this.jLag - SEG;
    const { segId, segTo } = this;
    if (segId[slot] === z && segTo[slot] >= to) return slot;
    const { y0, y1, gain, raw0, raw1, segCurve, segPeak } = this;
    const g = this.inGain, from = start - this.base, end = to - this.base;
    // y = g·x·gain on [from − 1, end], kept for exactCheck's intervals (the segments z … z + 2 of an
    // interval's filter window are always computed before it is examined)
    for (let i = from - 1; i <= from; i++) {
      y0[i] = gain[i] * (g * raw0[i]);
      y1[i] = gain[i] * (g * raw1[i]);
    }
    let c0 = 0, c1 = 0, p0 = 0, p1 = 0;
    let a0 = y0[from - 1], b0 = y0[from], a1 = y1[from - 1], b1 = y1[from];
    let i = from;
    // two samples per iteration (V8 re-checks every typed array once per iteration)
    for (; i + 2 <= end; i += 2) {
      const ga = gain[i + 1], gb = gain[i + 2];
      const n0 = ga * (g * raw0[i + 1]), n1 = ga * (g * raw1[i + 1]);
      const m0 = gb * (g * raw0[i + 2]), m1 = gb * (g * raw1[i + 2]);
      y0[i + 1] = n0;
      y1[i + 1] = n1;
      y0[i + 2] = m0;
      y1[i + 2] = m1;
      const d0 = Math.abs(a0 - 2 * b0 + n0), d1 = Math.abs(a1 - 2 * b1 + n1);
      const e0 = Math.abs(b0 - 2 * n0 + m0), e1 = Math.abs(b1 - 2 * n1 + m1);
      if (d0 > c0) c0 = d0;
      if (d1 > c1) c1 = d1;
      if (e0 > c0) c0 = e0;
      if (e1 > c1) c1 = e1;
      const v0 = Math.abs(b0), v1 = Math.abs(b1), w0 = Math.abs(n0), w1 = Math.abs(n1);
      if (v0 > p0) p0 = v0;
      if (v1 > p1) p1 = v1;
      if (w0 > p0) p0 = w0;
      if (w1 > p1) p1 = w1;
      a0 = n0;
      b0 = m0;
      a1 = n1;
      b1 = m1;
    }
    for (; i < end; i++) {
      const gg = gain[i + 1];
      const n0 = gg * (g * raw0[i + 1]), n1 = gg * (g * raw1[i + 1]);
      y0[i + 1] = n0;
      y1[i + 1] = n1;
      const d0 = Math.abs(a0 - 2 * b0 + n0);
      const d1 = Math.abs(a1 - 2 * b1 + n1);
      if (d0 > c0) c0 = d0;
      if (d1 > c1) c1 = d1;
      const v0 = Math.abs(b0), v1 = Math.abs(b1);
      if (v0 > p0) p0 = v0;
      if (v1 > p1) p1 = v1;
      a0 = b0;
      b0 = n0;
      a1 = b1;
      b1 = n1;
    }
    segId[slot] = z;
    segTo[slot] = to;
    segCurve[2 * slot] = c0;
    segCurve[2 * slot + 1] = c1;
    segPeak[2 * slot] = p0;
    segPeak[2 * slot + 1] = p1;
    return slot;
  }

  /**
   * Lowest and highest gain over segment z's samples up to `to` (exclusive), in slot z mod 64 of
   * segGainLo/segGainHi: kept by the gain computer (closeRange/openRange), computed here only for a
   * segment it did not see from its start (the first).
   */
  private gainRange(z: number, to: number): number {
    const slot = z & 63;
    if (this.gainId[slot] === z && this.gainTo[slot] >= to) return slot;
    const start = z * SEG - this.jLag - SEG, gain = this.gain, base = this.base;
    let lo = 1, hi = 0;
    for (let i = start - base; i < to - base; i++) {
      const v = gain[i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    this.gainId[slot] = z;
    this.gainTo[slot] = to;
    this.segGainLo[slot] = lo;
    this.segGainHi[slot] = hi;
    return slot;
  }

  /** Stage B on intervals j ∈ [a − jLag, a + HOP − jLag): exact true peak where a bound allows more than C_B; cones. */
  private exactCheck(a: number): void {
    const base = this.base, C = this.thresholdB, h = a / HOP;
    const { localGain, curvatureGain } = TRUE_PEAK_FILTER;
    const { y0, y1, segCurve, segPeak, chunkBound, chunkWindowPeak } = this;
    const safe = C / this.inGain, absSum = TRUE_PEAK_FILTER.absSum;
    const j0 = a - this.jLag;
    const last = j0 + HOP + HALF_TAPS - 1; // newest sample of y
    for (let k = 0; k < 16; k++) {
      // Intervals [start, start + SEG). First test, from the input: over their filter windows y = g·x·gain
      // with gain in [ḡ − Δ, ḡ + Δ], so every sample or interpolated value of y is at most
      // gain·(ḡ·U + Δ·absSum·max|x|), U the bound of the stage-A chunks holding the intervals.
      const start = j0 + SEG * k;
      const c0 = Math.floor((start + DETECT_LAG) / SEG) & 255, c1 = Math.floor((start + SEG - 1 + DETECT_LAG) / SEG) & 255;
      const u = chunkBound[c0] > chunkBound[c1] ? chunkBound[c0] : chunkBound[c1];
      if (u <= safe) {
        let lo = 1, hi = 1;
        if (!(this.unityNow && (k >= 1 || this.unityPrev))) {
          // the gain's range over segments z … z + 2 (z = 16h + k), which hold the filter windows
          const z = 16 * h + k;
          const sa = this.gainRange(z, start), sb = this.gainRange(z + 1, start + SEG), sc = this.gainRange(z + 2, Math.min(start + 2 * SEG, last + 1));
          const { segGainLo, segGainHi } = this;
          lo = Math.min(segGainLo[sa], segGainLo[sb], segGainLo[sc]);
          hi = Math.max(segGainHi[sa], segGainHi[sb], segGainHi[sc]);
        }
        const w = chunkWindowPeak[c0] > chunkWindowPeak[c1] ? chunkWindowPeak[c0] : chunkWindowPeak[c1];
        if ((lo + hi) * 0.5 * u + (hi - lo) * 0.5 * absSum * w <= safe) continue;
      }
      // Their filter windows (±24 samples) lie in segments z … z + 2 (z = 16h + k: samples from start − SEG).
      const z = 16 * h + k;
      const sa = this.segmentStats(z, start), sb = this.segmentStats(z + 1, start + SEG), sc = this.segmentStats(z + 2, Math.min(start + 2 * SEG, last));
      const w0 = Math.max(segCurve[2 * sa], segCurve[2 * sb], segCurve[2 * sc]);
      const w1 = Math.max(segCurve[2 * sa + 1], segCurve[2 * sb + 1], segCurve[2 * sc + 1]);
      const q0 = Math.max(segPeak[2 * sa], segPeak[2 * sb], segPeak[2 * sc]);
      const q1 = Math.max(segPeak[2 * sa + 1], segPeak[2 * sb + 1], segPeak[2 * sc + 1]);
      // the meter's bound (truepeak.ts): |y(t)| ≤ localGain·max(|y_j|, |y_j+1|) + curvatureGain·max|Δ²y| (+ rounding slack)
      const extra0 = curvatureGain * w0 + BOUND_SLACK * q0;
      const extra1 = curvatureGain * w1 + BOUND_SLACK * q1;
      // the whole segment at once: its intervals' samples lie in segments z + 1 and z + 2
      const s0 = Math.max(segPeak[2 * sb], segPeak[2 * sc]), s1 = Math.max(segPeak[2 * sb + 1], segPeak[2 * sc + 1]);
      const all = this.exhaustive;
      if (!all && localGain * s0 + extra0 <= C && localGain * s1 + extra1 <= C && s0 <= C && s1 <= C) continue;
      for (let j = start; j < start + SEG; j++) {
        const i = j - base;
        const a0 = Math.abs(y0[i]), b0 = Math.abs(y0[i + 1]), a1 = Math.abs(y1[i]), b1 = Math.abs(y1[i + 1]);
        const m0 = a0 > b0 ? a0 : b0, m1 = a1 > b1 ? a1 : b1;
        const l0 = all ? Infinity : localGain * m0 + extra0, l1 = all ? Infinity : localGain * m1 + extra1;
        if (l0 <= C && l1 <= C && m0 <= C && m1 <= C) continue;
        // the interval's samples count too (they are points of the meter's grid)
        let v = m0 > m1 ? m0 : m1;
        if (l0 > C) {
          const p = intervalPeak(y0, i);
          if (p > v) v = p;
        }
        if (l1 > C) {
          const p = intervalPeak(y1, i);
          if (p > v) v = p;
        }
        if (v > C) this.cone(j, C / v, a);
      }
    }
  }

  /** h ≤ b on [j, j + 1], rising at slopeB per sample on both sides (steeper backwards if RESERVE is too short). */
  private cone(j: number, b: number, a: number): void {
    this.corrected++;
    const base = this.base, corr = this.corr, s = this.slopeB;
    let back = s, reach = Math.ceil((1 - b) / s);
    if (reach > RESERVE) {
      back = (1 - b) / RESERVE;
      reach = RESERVE;
      this.steep++;
    }
    for (let k = j - reach; k <= j; k++) {
      const v = b + back * (j - k);
      if (v < corr[k - base]) corr[k - base] = v;
    }
    let high = j;
    const newest = a + HOP - this.yLag - 1; // last index whose h is initialised
    for (let k = j + 1; k <= newest; k++) {
      const v = b + s * (k - j - 1);
      if (v >= 1) break;
      if (v < corr[k - base]) corr[k - base] = v;
      high = k;
    }
    if (high > this.coneHigh) this.coneHigh = high;
    const f = b + s * (newest - j - 1);
    if (f < this.forward) this.forward = f;
  }

  /** Output samples k ∈ [a − emitLag, a + HOP − emitLag): z = h·y in float32, y = gain·(g·x) (as segmentStats), into o0/o1 from `at` on. */
  private emit(a: number, o0: Float32Array, o1: Float32Array, at: number): void {
    const base = this.base, g = this.inGain;
    const first = a - this.emitLag, k0 = first - base;
    const { raw0, raw1 } = this;
    // samples before the start of the signal (the first hops) are not counted
    const from = Math.max(0, -first);
    for (let i = 0; i < from; i++) {
      o0[at + i] = 0;
      o1[at + i] = 0;
    }
    this.emitted += HOP - from;
    const d = at - k0; // o index − timeline index
    const k1 = k0 + HOP;
    // g = 1 over the gain computer's previous two hops (which hold these samples) and no cone here: z = g·x
    if (this.unityNow && this.unityPrev && this.coneHigh < first) {
      for (let k = k0 + from; k < k1; k++) {
        o0[k + d] = g * raw0[k];
        o1[k + d] = g * raw1[k];
      }
      return;
    }
    if (this.coneHigh < first) this.emitPlain(k0 + from, k1, d, o0, o1);
    else this.emitCones(k0 + from, k1, d, o0, o1);
  }

  /**
   * emit where h = 1: z = y, and the statistics of the gain. Σ log g is kept as the log of running
   * products (one logarithm per hop instead of one per sample); a product about to underflow is set
   * aside in `logTerms` and restarted, and the logarithms are added after the loop, in order (no
   * call inside the loop, so V8 keeps it tight).
   */
  private emitPlain(k0: number, k1: number, d: number, o0: Float32Array, o1: Float32Array): void {
    const { gain, raw0, raw1, logTerms } = this;
    const g = this.inGain;
    let minGain = this.minGain, product = 1, terms = 0;
    let k = k0;
    // four samples per iteration: V8 re-checks every typed array once per iteration
    for (; k + 4 <= k1; k += 4) {
      const t0 = gain[k], t1 = gain[k + 1], t2 = gain[k + 2], t3 = gain[k + 3];
      const x0 = raw0[k], x1 = raw0[k + 1], x2 = raw0[k + 2], x3 = raw0[k + 3];
      const w0 = raw1[k], w1 = raw1[k + 1], w2 = raw1[k + 2], w3 = raw1[k + 3];
      const j = k + d;
      o0[j] = t0 * (g * x0);
      o0[j + 1] = t1 * (g * x1);
      o0[j + 2] = t2 * (g * x2);
      o0[j + 3] = t3 * (g * x3);
      o1[j] = t0 * (g * w0);
      o1[j + 1] = t1 * (g * w1);
      o1[j + 2] = t2 * (g * w2);
      o1[j + 3] = t3 * (g * w3);
      if (t0 < minGain) minGain = t0;
      if (t1 < minGain) minGain = t1;
      if (t2 < minGain) minGain = t2;
      if (t3 < minGain) minGain = t3;
      // the product only decreases (gains < 1; a gain of 1 is skipped, and ×1 is exact), so it
      // underflowed within these four only if it did at the fourth
      const p = product * (t0 < 1 ? t0 : 1) * (t1 < 1 ? t1 : 1) * (t2 < 1 ? t2 : 1) * (t3 < 1 ? t3 : 1);
      if (p >= 1e-200) product = p;
      else {
        for (let m = k; m < k + 4; m++) {
          const total = gain[m];
          if (total < 1) {
            product *= total;
            if (product < 1e-200) {
              logTerms[terms++] = product;
              product = 1;
            }
          }
        }
      }
    }
    for (; k < k1; k++) {
      const total = gain[k];
      o0[k + d] = total * (g * raw0[k]);
      o1[k + d] = total * (g * raw1[k]);
      if (total < 1) {
        if (total < minGain) minGain = total;
        product *= total;
        if (product < 1e-200) {
          logTerms[terms++] = product;
          product = 1;
        }
      }
    }
    this.minGain = minGain;
    this.addLogs(terms, product);
  }

  /** emit with the cones: z = h·y, statistics of h·gain (as emitPlain). */
  private emitCones(k0: number, k1: number, d: number, o0: Float32Array, o1: Float32Array): void {
    const { corr, gain, raw0, raw1, logTerms } = this;
    const g = this.inGain;
    let minGain = this.minGain, product = 1, terms = 0;
    for (let k = k0; k < k1; k++) {
      const h = corr[k], gg = gain[k];
      o0[k + d] = h * (gg * (g * raw0[k]));
      o1[k + d] = h * (gg * (g * raw1[k]));
      const total = h * gg;
      if (total < 1) {
        if (total < minGain) minGain = total;
        product *= total;
        if (product < 1e-200) {
          logTerms[terms++] = product;
          product = 1;
        }
      }
    }
    this.minGain = minGain;
    this.addLogs(terms, product);
  }

  /** Σ log g += the logarithms of the set-aside products, then of the last one (unless 1). */
  private addLogs(terms: number, product: number): void {
    let logSum = this.logGainSum;
    for (let k = 0; k < terms; k++) logSum += Math.log(this.logTerms[k]);
    if (product !== 1) logSum += Math.log(product);
    this.logGainSum = logSum;
  }
}

/**
 * Largest |value| at n + 1/4, n + 1/2, n + 3/4 of y around index i: the meter's pair-form
 * arithmetic (truepeak.ts filterChunk), in double precision.
 */
function intervalPeak(y: Float64Array, i: number): number {
  const { pairSum, pairDiff, pairMid } = TRUE_PEAK_FILTER;
  let s = 0, d = 0, m = 0;
  for (let k = 0; k < HALF_TAPS; k++) {
    const hi = y[i + 1 + k], lo = y[i - k];
    const u = hi + lo;
    s += pairSum[k] * u;
    d += pairDiff[k] * (hi - lo);
    m += pairMid[k] * u;
  }
  const side = (Math.abs(s) + Math.abs(d)) * 0.5;
  const mid = Math.abs(m);
  return side > mid ? side : mid;
}

/** intervalPeak on the input (a separate copy: one element type per function keeps V8's loads monomorphic). */
function intervalPeak32(y: Float32Array, i: number): number {
  const { pairSum, pairDiff, pairMid } = TRUE_PEAK_FILTER;
  let s = 0, d = 0, m = 0;
  for (let k = 0; k < HALF_TAPS; k++) {
    const hi = y[i + 1 + k], lo = y[i - k];
    const u = hi + lo;
    s += pairSum[k] * u;
    d += pairDiff[k] * (hi - lo);
    m += pairMid[k] * u;
  }
  const side = (Math.abs(s) + Math.abs(d)) * 0.5;
  const mid = Math.abs(m);
  return side > mid ? side : mid;
}

/**
 * A whole signal through the limiter, latency removed (the renderer's convention): the same output
 * and stats as runProcessors([createLimiter(params, sampleRate, options)], input.left, input.right),
 * bit for bit, faster, and with the detector's work shared by every call on the same `input`.
 */
export function limitSignal(input: LimiterInput, params: LimiterParams, sampleRate: number, options: Omit<LimiterOptions, 'detection'> = {}): LimitedSignal {
  return new TruePeakLimiter(params, sampleRate, { ...options, detection: input }).runWhole(input);
}

/**
 * The limiter stage (see the file comment). `gainDb` is applied first; `targetLufs` and
 * `maxGainReductionDb` belong to the renderer, which calls this with different `gainDb` (for whole
 * signals, `limitSignal` with one `prepareLimiterInput` does the same faster).
 */
export function createLimiter(params: LimiterParams, sampleRate: number, options: LimiterOptions = {}): Limiter {
  return new TruePeakLimiter(params, sampleRate, options);
}
