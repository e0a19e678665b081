/**
 * The glue compressor (`compressor` stage): feed-forward, stereo-linked (one gain for both
 * channels), RMS detector on a side-chain copy high-passed by a 2nd-order Butterworth at
 * `sidechainHpfHz` (0 = off) so that bass does not pump the mix; soft-knee static curve,
 * log-domain ballistics and optional program-dependent release from gain-computer.ts.
 *
 * Output = x · (dry + wet · g), dry = 1 − mix, wet = mix, g = make-up · 10^(−GR/20): the make-up
 * belongs to the compressed (wet) path, so parallel compression blends the untouched dry signal
 * with the made-up wet one. mixPercent 0 gives x·1 (bit-identical); ratio 1, or a signal that stays
 * below the knee, gives exactly x·make-up at mix 100. `bypass` makes process a no-op. Latency 0.
 */
import type { CompressorParams } from '../chain/spec.js';
import { butterworth } from './biquad.js';
import { FLUSH_INTERVAL, checkButterworthStructure, checkCorner, flushStates } from './crossover.js';
import { GainComputer, type GainReductionStats } from './gain-computer.js';
import { FlushGrid, type StereoProcessor } from './processor.js';

export interface Compressor extends StereoProcessor {
  /** Gain reduction over everything processed so far (dB, ≥ 0, before make-up and mix). */
  stats(): GainReductionStats;
  /** Every filter and envelope state that decays in silence (tests check they reach exactly 0). */
  state(): number[];
}

export function createCompressor(params: CompressorParams, sampleRate: number): Compressor {
  return new GlueCompressor(params, sampleRate);
}

function coreFor(params: CompressorParams, sampleRate: number): GainComputer {
  return new GainComputer(
    { thresholdDb: params.thresholdDb, ratio: params.ratio, kneeDb: params.kneeDb },
    { attackMs: params.attackMs, releaseMs: params.releaseMs, autoRelease: params.autoRelease },
    params.makeupDb,
    sampleRate,
  );
}

function sidechainFilter(params: CompressorParams, sampleRate: number): Float64Array | null {
  if (!(params.sidechainHpfHz > 0)) return null;
  checkCorner('side-chain high-pass', params.sidechainHpfHz, sampleRate);
  const [hp] = butterworth('highpass', sampleRate, params.sidechainHpfHz, 2);
  checkButterworthStructure(hp);
  return Float64Array.of(hp.b0, hp.a1, hp.a2);
}

/**
 * The glue compressor's gain-reduction statistics over one signal at any static curve, from one
 * pass of its side-chain: the detector's sums of squares per control group do not depend on the
 * threshold, ratio or knee, so they are recorded once (with the compressor's own flush grid) and the
 * control steps replayed per curve. `statsAt` equals createCompressor(params).process(…).stats() bit
 * for bit, at a fraction of the cost (no side-chain filter, no gain applied): for searches such as
 * the planner's threshold for a wanted reduction (master/glue.ts).
 */
export class CompressorTrace {
  private readonly sums: Float64Array;
  private readonly groups: number;
  /** Groups per flush interval; a flush follows each of the first `flushes` such runs. */
  private readonly perFlush: number;
  private readonly flushes: number;

  constructor(private readonly params: CompressorParams, private readonly sampleRate: number, left: Float32Array, right: Float32Array) {
    const core = coreFor(params, sampleRate);
    const hp = sidechainFilter(params, sampleRate);
    const state = new Float64Array(8);
    const grid = new FlushGrid(FLUSH_INTERVAL);
    if (FLUSH_INTERVAL % core.step !== 0) throw new Error('compressor trace: flush interval not a whole number of control groups');
    this.perFlush = FLUSH_INTERVAL / core.step;
    this.flushes = Math.floor(left.length / FLUSH_INTERVAL);
    this.groups = Math.floor(left.length / core.step);
    this.sums = new Float64Array(2 * this.groups);
    let at = 0;
    grid.run(
      left.length,
      (start, length) => {
        core.detectFiltered(left, right, start, length, hp, state);
        const sums = core.lastGroupSums();
        this.sums.set(sums, at);
        at += sums.length;
      },
      () => {
        flushStates(state);
        core.flush();
      },
    );
  }

  /** The stats of the compressor with `curve` in place of the trace's static curve (same ballistics). */
  statsAt(curve: Partial<Pick<CompressorParams, 'thresholdDb' | 'ratio' | 'kneeDb'>>): GainReductionStats {
    if (this.params.bypass) return { maxGainReductionDb: 0, meanGainReductionDb: 0 };
    const core = coreFor({ ...this.params, ...curve }, this.sampleRate);
    for (let f = 0; f < this.flushes; f++) {
      core.replayGroups(this.sums, f * this.perFlush, this.perFlush);
      core.flush();
    }
    const done = this.flushes * this.perFlush;
    if (this.groups > done) core.replayGroups(this.sums, done, this.groups - done);
    return core.stats();
  }
}

class GlueCompressor implements Compressor {
  readonly latency = 0;
  private readonly bypass: boolean;
  private readonly core: GainComputer;
  /** Side-chain high-pass (b0, a1, a2 of its Butterworth section; null when off) and its states. */
  private readonly sidechain: Float64Array | null;
  private readonly sidechainState = new Float64Array(8);
  private readonly dry: number;
  private readonly wet: number;
  private readonly grid = new FlushGrid(FLUSH_INTERVAL);

  constructor(params: CompressorParams, sampleRate: number) {
    this.bypass = params.bypass;
    this.core = coreFor(params, sampleRate);
    this.sidechain = sidechainFilter(params, sampleRate);
    this.wet = params.mixPercent / 100;
    this.dry = 1 - this.wet;
  }

  process(left: Float32Array, right: Float32Array): void {
    if (this.bypass) return;
    this.grid.run(
      left.length,
      (start, length) => {
        this.core.detectFiltered(left, right, start, length, this.sidechain, this.sidechainState);
        this.core.apply(left, right, start, length, this.dry, this.wet);
      },
      () => {
        flushStates(this.sidechainState);
        this.core.flush();
      },
    );
  }

  stats(): GainReductionStats {
    return this.core.stats();
  }

  state(): number[] {
    return [...this.sidechainState, ...this.core.state()];
  }
}
