/**
 * The renderer: runs a validated chain over a stereo signal, in the fixed professional order, and
 * says what it did. Deterministic: the result depends only on the input, the chain and the version.
 *
 * The work is split at two cache points so that the tweak loop is fast: everything before the
 * limiter is rendered in one streamed pass and kept (keyed by the parameters of those stages);
 * the limiter's output is kept too (keyed by everything up to the limiter). Changing the limiter
 * or the output re-renders only from the matching cache point.
 *
 * The output stage's sample-rate conversion runs on the pre-limiter signal (and is cached with
 * it), so the limiter works at the delivery rate and controls the true peak of what is written;
 * dither and word length come after the limiter, last, as they must.
 */
import { integratedLoudness, kWeightedSubBlocks, loudnessFromSubBlocks, type SubBlocks } from '../analysis/loudness.js';
import { measureTruePeak, type TruePeakResult } from '../analysis/truepeak.js';
import type { StereoAudio } from '../io/types.js';
import type { WavSampleFormat } from '../io/wav-encode.js';
import { createCharacter } from '../dsp/character.js';
import { createCompressor } from '../dsp/compressor.js';
import { createEq } from '../dsp/eq.js';
import { createGain } from '../dsp/gain.js';
import { createImager } from '../dsp/imager.js';
import { limitSignal, prepareLimiterInput, type LimiterInput } from '../dsp/limiter.js';
import { createMatchEq } from '../dsp/match-eq.js';
import { createMultiband } from '../dsp/multiband.js';
import { renderOutput } from '../dsp/output.js';
import { checkSampleRate, resample } from '../dsp/resample.js';
import type { StereoProcessor } from '../dsp/processor.js';
import { createSaturation } from '../dsp/saturation.js';
import { finiteOrNull } from '../util/db.js';
import { describeStage } from './describe.js';
import type { DiskCache } from './disk-cache.js';
import { runProcessors } from './run.js';
import type { Chain, LimiterParams } from './spec.js';
import { STAGE_ORDER, type StageName } from './stages.js';

export interface StageReport {
  stage: StageName;
  bypassed: boolean;
  /** One line each, for people: what the stage did, with numbers and units. */
  notes: string[];
}

export interface LimiterReport {
  gainDb: number;
  maxGainReductionDb: number;
  meanGainReductionDb: number;
  targetLufs: number | null;
  /** Integrated loudness at the limiter's output, when a target was searched. */
  reachedLufs: number | null;
  /** False when the target would need more than maxGainReductionDb of limiting (the gain was capped). */
  targetReached: boolean | null;
  /** Ceiling actually used: lowered a hair when dither pushed a peak over the ceiling. */
  ceilingUsedDbtp: number;
}

export interface RenderResult {
  channels: [Float32Array, Float32Array];
  sampleRate: number;
  format: WavSampleFormat;
  stages: StageReport[];
  limiter: LimiterReport | null;
  output: { integratedLufs: number | null; truePeakDbtp: number | null };
  /**
   * The meters behind `output`, run on exactly `channels` (K-weighted sub-blocks with the cross term,
   * and the true peak), so that a caller measuring the output further need not run them again.
   */
  meters: { blocks: SubBlocks; truePeak: TruePeakResult };
  warnings: string[];
  /** Where each cached part came from: 'memory' / 'disk' when reused, 'miss' when rendered. */
  cache: { preLimiter: 'memory' | 'disk' | 'miss'; limiter: 'memory' | 'miss' };
}

/** Stages rendered in the streamed pass before the first cache point. */
const PRE_LIMITER: StageName[] = STAGE_ORDER.slice(0, STAGE_ORDER.indexOf('limiter'));
/** Loudness-target search: stop within this of the target (the issue asks for 0.1 LU). */
const TARGET_TOLERANCE_LU = 0.05;
const TARGET_MAX_ITERATIONS = 8;
/** Re-renders of limiter + dither allowed to pull a peak that dither pushed over back under the ceiling. */
const CEILING_RETRIES = 3;

type Stats = { stats(): { maxGainReductionDb: number; meanGainReductionDb: number } };

function createStage(stage: StageName, chain: Chain, fs: number): StereoProcessor {
  const s = chain.stages;
  switch (stage) {
    case 'input': return createGain(s.input.gainDb);
    case 'eq': return createEq(s.eq, fs);
    case 'matchEq': return createMatchEq(s.matchEq, fs);
    case 'compressor': return createCompressor(s.compressor, fs);
    case 'multiband': return createMultiband(s.multiband, fs);
    case 'imager': return createImager(s.imager, fs);
    case 'saturation': return createSaturation(s.saturation, fs);
    case 'character': return createCharacter(s.character, fs);
    default: throw new Error(`stage ${stage} is not a streamed stage`);
  }
}

function isBypassed(chain: Chain, stage: StageName): boolean {
  const params = chain.stages[stage] as { bypass?: boolean };
  return params.bypass === true;
}

/** Cache key of the chain up to and including `last`: the validated parameters, in stage order. */
function prefixKey(chain: Chain, last: StageName): string {
  return JSON.stringify(STAGE_ORDER.slice(0, STAGE_ORDER.indexOf(last) + 1).map((s) => chain.stages[s]));
}

interface LimiterResult {
  left: Float32Array;
  right: Float32Array;
  report: LimiterReport;
}

/**
 * The limiter stage with its loudness target: the gain into the limiter is searched (secant
 * method on the measured integrated loudness) until the output is within 0.05 LU of the target,
 * but never beyond the gain at which the loudest true peak would need more than
 * maxGainReductionDb of reduction (peak reduction = input true peak + gain − ceiling).
 */
/** Integrated loudness and true peak of the limiter's input: what the target search starts from. */
interface InputLevels { lufs: number | null; truePeakDbtp: number }

function limit(x: LimiterInput, fs: number, params: LimiterParams, levels: () => InputLevels): LimiterResult {
  const loudness = (l: Float32Array, r: Float32Array) => integratedLoudness([l, r], fs);
  const finish = (gainDb: number, run: ReturnType<typeof limitSignal>, reached: number | null, targetReached: boolean | null): LimiterResult => ({
    left: run.left,
    right: run.right,
    report: {
      gainDb,
      maxGainReductionDb: run.stats.maxGainReductionDb,
      meanGainReductionDb: run.stats.meanGainReductionDb,
      targetLufs: params.targetLufs,
      reachedLufs: reached,
      targetReached,
      ceilingUsedDbtp: params.ceilingDbtp,
    },
  });
  const target = params.targetLufs;
  if (target === null) return finish(params.gainDb, limitSignal(x, params, fs), null, null);
  const { lufs: inputLoudness, truePeakDbtp: inputPeakDbtp } = levels();
  if (inputLoudness === null) return finish(params.gainDb, limitSignal(x, params, fs), null, false);
  const maxGain = params.ceilingDbtp + params.maxGainReductionDb - inputPeakDbtp;
  const at = (gainDb: number) => {
    const run = limitSignal(x, { ...params, gainDb }, fs);
    return { gainDb, run, lufs: loudness(run.left, run.right) ?? -Infinity };
  };
  let prev = at(Math.min(target - inputLoudness, maxGain));
  if (Math.abs(prev.lufs - target) <= TARGET_TOLERANCE_LU || (prev.gainDb >= maxGain && prev.lufs < target)) {
    return finish(prev.gainDb, prev.run, prev.lufs, Math.abs(prev.lufs - target) <= TARGET_TOLERANCE_LU);
  }
  let cur = at(Math.min(prev.gainDb + (target - prev.lufs), maxGain));
  for (let i = 2; i < TARGET_MAX_ITERATIONS && Math.abs(cur.lufs - target) > TARGET_TOLERANCE_LU; i++) {
    if (cur.gainDb >= maxGain && cur.lufs < target) break;
    // Loudness grows by at most 1 LU per dB of gain, and by less the harder the limiter works.
    const slope = Math.min(1, Math.max(0.05, (cur.lufs - prev.lufs) / (cur.gainDb - prev.gainDb || 1)));
    prev = cur;
    cur = at(Math.min(cur.gainDb + (target - cur.lufs) / slope, maxGain));
  }
  return finish(cur.gainDb, cur.run, cur.lufs, Math.abs(cur.lufs - target) <= TARGET_TOLERANCE_LU);
}

/** Keeps the intermediate signals of one input between renders (the tweak loop). */
export class RenderSession {
  private preLimiter: { key: string; signal: [Float32Array, Float32Array]; stages: StageReport[] } | null = null;
  private resampled: { key: string; signal: [Float32Array, Float32Array] } | null = null;
  private limited: { key: string; signal: LimiterResult } | null = null;
  /** The limiter's input with its detector cache (shared by the target search and every limiter tweak) and levels. */
  private limiterInput: { key: string; input: LimiterInput; levels?: InputLevels } | null = null;

  /** `diskCache` and `inputId` (see DiskCache.inputId) keep the pre-limiter signal across processes too. */
  constructor(readonly audio: StereoAudio, private readonly disk?: { cache: DiskCache; inputId: string }) {}

  async render(chain: Chain, onStage?: (stage: StageName) => void): Promise<RenderResult> {
    const fs = this.audio.sampleRate;
    const warnings: string[] = [];
    const cache: RenderResult['cache'] = { preLimiter: 'memory', limiter: 'memory' };

    const preKey = prefixKey(chain, PRE_LIMITER[PRE_LIMITER.length - 1]);
    const diskKey = this.disk ? this.disk.cache.key(this.disk.inputId, preKey) : '';
    if (this.preLimiter?.key !== preKey && this.disk) {
      const hit = await this.disk.cache.get(diskKey);
      if (hit) {
        cache.preLimiter = 'disk';
        this.preLimiter = { key: preKey, signal: hit.signal, stages: hit.meta as StageReport[] };
        this.limited = null;
      }
    }
    if (this.preLimiter?.key !== preKey) {
      cache.preLimiter = 'miss';
      const active = PRE_LIMITER.filter((s) => !isBypassed(chain, s));
      for (const s of active) onStage?.(s);
      const processors = active.map((s) => createStage(s, chain, fs));
      const signal = processors.length > 0
        ? runProcessors(processors, this.audio.left, this.audio.right)
        : [this.audio.left, this.audio.right] as [Float32Array, Float32Array];
      const stages = PRE_LIMITER.map((stage) => {
        const i = active.indexOf(stage);
        const p = i >= 0 ? (processors[i] as StereoProcessor & Partial<Stats>) : null;
        const notes: string[] = i >= 0 ? [describeStage(stage, chain)] : [];
        if (p?.stats) {
          const st = p.stats();
          notes.push(`gain reduction max ${st.maxGainReductionDb.toFixed(1)} dB, mean ${st.meanGainReductionDb.toFixed(1)} dB`);
        }
        return { stage, bypassed: i < 0, notes };
      });
      this.preLimiter = { key: preKey, signal, stages };
      this.limited = null;
      await this.disk?.cache.put(diskKey, signal, stages);
    }

    const outParams = chain.stages.output;
    const rate = outParams.sampleRateHz ?? fs;
    let preSignal = this.preLimiter.signal;
    if (rate !== fs) {
      const rateKey = `${preKey}|${rate}`;
      if (this.resampled?.key !== rateKey) {
        // Best-quality conversion is slow: keep it on disk too, beside the pre-limiter signal.
        const diskRateKey = this.disk ? this.disk.cache.key(this.disk.inputId, rateKey) : '';
        const hit = this.disk ? await this.disk.cache.get(diskRateKey) : null;
        if (hit) {
          this.resampled = { key: rateKey, signal: hit.signal };
        } else {
          onStage?.('output');
          checkSampleRate(rate, 'output sample rate');
          const [l, r] = await resample(preSignal, fs, rate);
          this.resampled = { key: rateKey, signal: [l, r] };
          await this.disk?.cache.put(diskRateKey, this.resampled.signal, { sampleRate: rate });
        }
      }
      preSignal = this.resampled.signal;
    }
    const dither = { ...outParams, sampleRateHz: null };

    const params = chain.stages.limiter;
    let limited: LimiterResult | null = null;
    const inputKey = `${preKey}|${rate}`;
    if (!params.bypass && this.limiterInput?.key !== inputKey) {
      this.limiterInput = { key: inputKey, input: prepareLimiterInput(preSignal[0], preSignal[1]) };
    }
    const limiterInput = this.limiterInput;
    if (!params.bypass && limiterInput) {
      const limKey = `${inputKey}|${JSON.stringify(params)}`;
      if (this.limited?.key !== limKey) {
        cache.limiter = 'miss';
        onStage?.('limiter');
        const levels = () => (limiterInput.levels ??= {
          lufs: integratedLoudness(preSignal, rate),
          truePeakDbtp: measureTruePeak(preSignal, rate).truePeakDbtp,
        });
        this.limited = { key: limKey, signal: limit(limiterInput.input, rate, params, levels) };
      }
      limited = this.limited.signal;
    }

    onStage?.('output');
    const source: [Float32Array, Float32Array] = limited ? [limited.left, limited.right] : preSignal;
    let out = await renderOutput(source[0], source[1], rate, dither);
    let truePeak = measureTruePeak(out.channels, rate);
    let truePeakDbtp = finiteOrNull(truePeak.truePeakDbtp);
    // Dither adds up to a few LSB: if that lifts a peak over the ceiling, lower the ceiling by the excess and redo.
    for (let retry = 0; limited && truePeakDbtp !== null && truePeakDbtp > params.ceilingDbtp && retry < CEILING_RETRIES; retry++) {
      const ceilingDbtp = limited.report.ceilingUsedDbtp - (truePeakDbtp - params.ceilingDbtp) - 0.001;
      const redo = limitSignal(limiterInput!.input, { ...params, ceilingDbtp, gainDb: limited.report.gainDb }, rate);
      limited = { left: redo.left, right: redo.right, report: { ...limited.report, ceilingUsedDbtp: ceilingDbtp } };
      out = await renderOutput(limited.left, limited.right, rate, dither);
      truePeak = measureTruePeak(out.channels, rate);
      truePeakDbtp = finiteOrNull(truePeak.truePeakDbtp);
    }

    const limiterStage: StageReport = { stage: 'limiter', bypassed: !limited, notes: limited ? [describeStage('limiter', chain)] : [] };
    if (limited) {
      const r = limited.report;
      limiterStage.notes.push(`gain into limiter ${r.gainDb.toFixed(2)} dB, peak gain reduction ${r.maxGainReductionDb.toFixed(1)} dB (mean ${r.meanGainReductionDb.toFixed(1)} dB), ceiling ${r.ceilingUsedDbtp.toFixed(2)} dBTP`);
      if (r.targetLufs !== null && r.targetReached === false) {
        warnings.push(`loudness target ${r.targetLufs.toFixed(1)} LUFS not reached: stopped at ${r.reachedLufs?.toFixed(1) ?? '–'} LUFS to keep peak gain reduction within ${params.maxGainReductionDb} dB (raise limiter.maxGainReductionDb to go further)`);
      }
    }
    const word = out.format.kind === 'float' ? '32-bit float' : `${out.format.bits}-bit PCM${outParams.dither === 'tpdf' ? `, TPDF dither${outParams.noiseShaping === 'shaped' ? ', noise-shaped' : ''}` : ', no dither'}`;
    const conversion = rate !== fs ? `converted from ${fs} Hz (before the limiter), ` : '';
    const outputStage: StageReport = { stage: 'output', bypassed: false, notes: [`${conversion}${word} at ${rate} Hz`] };
    const blocks = kWeightedSubBlocks(out.channels, out.sampleRate, true);
    const integratedLufs = loudnessFromSubBlocks(blocks, [1, 1]).integratedLufs;
    return {
      channels: out.channels as [Float32Array, Float32Array],
      sampleRate: out.sampleRate,
      format: out.format,
      stages: [...this.preLimiter.stages, limiterStage, outputStage],
      limiter: limited?.report ?? null,
      output: { integratedLufs, truePeakDbtp },
      meters: { blocks, truePeak },
      warnings,
      cache,
    };
  }
}

/** One render without keeping anything: the common case of the CLI. */
export function renderChain(audio: StereoAudio, chain: Chain, onStage?: (stage: StageName) => void): Promise<RenderResult> {
  return new RenderSession(audio).render(chain, onStage);
}


/**
 * Only the stages before the limiter, without caching: the signal the limiter would get (before any
 * sample-rate conversion). For measuring a chain's effect on the balance (master/closed-loop.ts).
 */
export function renderPreLimiter(audio: StereoAudio, chain: Chain): [Float32Array, Float32Array] {
  const active = PRE_LIMITER.filter((s) => !isBypassed(chain, s));
  if (active.length === 0) return [audio.left, audio.right];
  return runProcessors(active.map((s) => createStage(s, chain, audio.sampleRate)), audio.left, audio.right);
}
