/**
 * `refmaster master`: from a finished mix to release-ready files. Decodes and measures the mix and
 * the references (measure.ts: each meter once per track), decides the loudness and ceiling (target
 * table, references, or the user), plans the chain (plan.ts), renders each deliverable through one
 * RenderSession (the stages before the limiter run once), writes the files atomically, checks every
 * written file (QC), and returns the report with every decision and its reason.
 *
 * QC measures what was written without decoding it again: the renderer's output is already on the
 * file's integer grid (dither.ts) and its meters ran on those samples; the encoder counts the samples
 * it had to change, and only if there is one is the file decoded and measured.
 */
import { measureLoudness } from '../analysis/loudness.js';
import { measureTruePeak } from '../analysis/truepeak.js';
import { RenderSession, type RenderResult } from '../chain/render.js';
import type { Chain, CompressorParams } from '../chain/spec.js';
import { refuseInputs } from '../io/atomic.js';
import { decodeFile } from '../io/decode.js';
import { validateReleaseTags } from '../io/metadata.js';
import type { ReleaseTags, StereoAudio } from '../io/types.js';
import type { Warning } from '../analysis/warnings.js';
import { writeWavFile } from '../io/wav-encode.js';
import { AudioFileError, UserError } from '../util/errors.js';
import { excerptFeatures, meanFeatures } from '../assistant/excerpts.js';
import type { Moves } from '../assistant/params.js';
import { assist, type AssistMode } from './assist.js';
import { closeMatchingLoop } from './closed-loop.js';
import { thresholdForReduction, loudExcerpts } from './glue.js';
import { planChain, type Decision, type MatchStrengths } from './plan.js';
import { measureTrack, type TrackFigures } from './measure.js';
import { combineProfiles, type MatchProfile } from './profile.js';
import { TARGETS, targetByName, type DeliveryTarget } from './targets.js';

export type DeliverableKind = 'streaming' | 'cd';

export interface MasterOptions {
  mix: string;
  references: string[];
  /** One weight per reference (default 1 each). */
  referenceWeights?: number[];
  target?: string;
  loudnessLufs?: number;
  ceilingDbtp?: number;
  deliver: DeliverableKind[];
  /** Path of the first deliverable; others get a suffix (see deliverablePath). */
  output: string;
  /** Title, artist, ISRC embedded in every deliverable (validated before any work). */
  metadata?: ReleaseTags;
  strengths: MatchStrengths;
  maxEqDb: number;
  maxGlueDb: number;
  limiter: boolean;
  /** The trained model's part (assist.ts): off (analytic only), model (its proposal alone) or combined. */
  assistant?: AssistMode;
  /** ONNX model file (default models/assistant.onnx). */
  modelPath?: string;
  onProgress?: (what: string) => void;
}

export interface LoudnessDecision {
  targetLufs: number | null;
  ceilingDbtp: number;
  /** Where the figures came from, in words ("references", "--target spotify", "--loudness"). */
  source: string;
  /** The most peak gain reduction the limiter may use for the target, dB. */
  maxGainReductionDb: number;
  explicit: boolean;
}

export interface Deliverable {
  kind: DeliverableKind;
  path: string;
  sampleRateHz: number;
  format: string;
  /** Measured on the written file. */
  integratedLufs: number | null;
  truePeakDbtp: number | null;
  /** The loudness the render aimed at (the target, or what the limiting limit allowed). */
  aimedLufs: number | null;
  qc: { loudnessOk: boolean; ceilingOk: boolean; problems: string[] };
}

export interface MasterResult {
  mix: TrackFigures;
  references: TrackFigures[];
  master: TrackFigures;
  /** The mix's mix-prep warnings (analyzeAudio's). */
  mixWarnings: Warning[];
  mixProfile: MatchProfile;
  referenceProfile: MatchProfile | null;
  masterProfile: MatchProfile;
  loudness: LoudnessDecision;
  chain: Chain;
  decisions: Decision[];
  notes: string[];
  warnings: string[];
  render: Omit<RenderResult, 'channels' | 'meters'>;
  deliverables: Deliverable[];
  /** What the model proposed and how it was used (mode off: not used). */
  assistant: { mode: AssistMode; moves: Moves | null; model: string | null };
}

/** Shortest mix or reference that gives a meaningful loudness range and balance. */
export const MIN_DURATION_S = 3;
/** QC tolerance on a deliverable's loudness, LU. */
export const QC_LOUDNESS_LU = 0.5;
/** Peak gain reduction allowed to reach an explicit --loudness (the schema's maximum). */
const EXPLICIT_MAX_GAIN_REDUCTION_DB = 20;
const DEFAULT_MAX_GAIN_REDUCTION_DB = 4;

async function load(path: string, what: string): Promise<StereoAudio> {
  const audio = await decodeFile(path);
  const seconds = audio.left.length / audio.sampleRate;
  if (seconds < MIN_DURATION_S) throw new AudioFileError(path, `${what} is ${seconds.toFixed(1)} s long; at least ${MIN_DURATION_S} s are needed`);
  return audio;
}

/** Loudness and ceiling: --loudness/--ceiling, else --target, else the references, else Spotify's. */
export function decideLoudness(opts: Pick<MasterOptions, 'target' | 'loudnessLufs' | 'ceilingDbtp' | 'strengths'>, mix: MatchProfile, ref: MatchProfile | null): LoudnessDecision {
  const target: DeliveryTarget | null = opts.target ? targetByName(opts.target) : null;
  const ceilingDbtp = opts.ceilingDbtp ?? target?.ceilingDbtp ?? TARGETS.spotify.ceilingDbtp;
  if (opts.loudnessLufs !== undefined) {
    return { targetLufs: opts.loudnessLufs, ceilingDbtp, source: '--loudness', maxGainReductionDb: EXPLICIT_MAX_GAIN_REDUCTION_DB, explicit: true };
  }
  if (target) return { targetLufs: target.integratedLufs, ceilingDbtp, source: `--target ${target.name}`, maxGainReductionDb: DEFAULT_MAX_GAIN_REDUCTION_DB, explicit: false };
  if (ref) {
    const lufs = mix.integratedLufs + opts.strengths.loudness * (ref.integratedLufs - mix.integratedLufs);
    return { targetLufs: Math.round(lufs * 10) / 10, ceilingDbtp, source: 'references', maxGainReductionDb: DEFAULT_MAX_GAIN_REDUCTION_DB, explicit: false };
  }
  return { targetLufs: TARGETS.spotify.integratedLufs, ceilingDbtp, source: 'default (Spotify)', maxGainReductionDb: DEFAULT_MAX_GAIN_REDUCTION_DB, explicit: false };
}


/** The first deliverable takes `output` as it is; the others add "-cd" etc. before the extension. */
export function deliverablePath(output: string, kind: DeliverableKind, first: boolean): string {
  if (first) return output;
  const dot = output.toLowerCase().endsWith('.wav') ? output.length - 4 : output.length;
  return `${output.slice(0, dot)}-${kind}${output.slice(dot)}`;
}

function deliverableChain(chain: Chain, kind: DeliverableKind, mixRate: number): Chain {
  if (chain.stages.limiter.bypass || kind === 'streaming') return chain;
  const cd = TARGETS.cd.format;
  return {
    ...chain,
    stages: { ...chain.stages, output: { ...chain.stages.output, format: 'pcm16', dither: 'tpdf', sampleRateHz: mixRate === cd.sampleRateHz ? null : cd.sampleRateHz } },
  };
}

export async function master(opts: MasterOptions): Promise<MasterResult> {
  const step = opts.onProgress ?? (() => {});
  // Everything that can be refused is refused before the long work starts.
  const metadata = opts.metadata ? validateReleaseTags(opts.metadata) : undefined;
  if (opts.target) targetByName(opts.target);
  for (const [i, kind] of opts.deliver.entries()) await refuseInputs(deliverablePath(opts.output, kind, i === 0), [opts.mix, ...opts.references]);
  if (opts.referenceWeights && opts.referenceWeights.length !== opts.references.length) {
    throw new UserError(`--weights has ${opts.referenceWeights.length} values for ${opts.references.length} reference(s)`);
  }
  step(`decoding ${opts.mix}`);
  const mixAudio = await load(opts.mix, 'the mix');
  step('analysing the mix');
  const mix = measureTrack(mixAudio, { mixPrep: true });
  const mixProfile = mix.profile;

  const refFigures: TrackFigures[] = [];
  const refProfiles: MatchProfile[] = [];
  const refAudios: StereoAudio[] = [];
  for (const path of opts.references) {
    step(`decoding reference ${path}`);
    const audio = await load(path, 'the reference');
    refAudios.push(audio);
    step(`analysing reference ${path}`);
    const ref = measureTrack(audio, { mixPrep: false });
    refFigures.push(ref.figures);
    refProfiles.push(ref.profile);
  }
  const reference = refProfiles.length > 0 ? combineProfiles(refProfiles, opts.referenceWeights) : null;

  const loudness = decideLoudness(opts, mixProfile, reference);
  const notes: string[] = [];
  const warnings: string[] = [];
  if (reference && loudness.source !== 'references' && loudness.targetLufs !== null && reference.integratedLufs > loudness.targetLufs + 0.5) {
    notes.push(`the references are ${(reference.integratedLufs - loudness.targetLufs).toFixed(1)} LU louder than the target (${reference.integratedLufs.toFixed(1)} vs ${loudness.targetLufs.toFixed(1)} LUFS): the master follows the target`);
  }

  step('planning the chain');
  const excerpts = loudExcerpts(mixAudio, mix.loudness.momentaryLufs);
  const glueThreshold = (params: CompressorParams, reductionDb: number) => thresholdForReduction(excerpts, params, mixAudio.sampleRate, reductionDb);
  const analyticPlan = planChain(mixProfile, {
    reference,
    strengths: opts.strengths,
    maxEqDb: opts.maxEqDb,
    maxGlueDb: opts.maxGlueDb,
    limiter: { targetLufs: loudness.targetLufs, ceilingDbtp: loudness.ceilingDbtp, maxGainReductionDb: loudness.maxGainReductionDb, bypass: !opts.limiter },
    glueThreshold,
    sampleRate: mixAudio.sampleRate,
  });
  const mode = opts.assistant ?? 'off';
  if (mode !== 'off') step('asking the assistant model');
  const assisted = await assist({
    mode, modelPath: opts.modelPath, glueThreshold, mixFeatures: mode === 'off' ? [] : excerptFeatures(mixAudio),
    referenceFeatures: mode === 'off' ? [] : refAudios.map((a) => meanFeatures(excerptFeatures(a))), referenceWeights: opts.referenceWeights, plan: analyticPlan,
  });
  const plan = assisted.plan;
  warnings.push(...assisted.warnings);
  notes.push(...plan.notes);
  if (reference) {
    // after the assistant: the loop measures the chain as it will run, the model's glue included
    step('measuring the matching');
    closeMatchingLoop(plan, mixAudio);
  }
  for (const d of plan.decisions) d.source ??= 'analytic'; // the loop's new matching decisions too

  const session = new RenderSession(mixAudio);
  const deliverables: Deliverable[] = [];
  let first: RenderResult | null = null;
  for (const [i, kind] of opts.deliver.entries()) {
    const chain = deliverableChain(plan.chain, kind, mixAudio.sampleRate);
    const result = await session.render(chain, (stage) => step(`rendering ${kind} master: ${stage}`));
    const path = deliverablePath(opts.output, kind, i === 0);
    step(`writing ${path}`);
    const written = await writeWavFile(path, result.channels, result.sampleRate, result.format, { inputs: [opts.mix, ...opts.references], metadata });
    step(`checking ${path}`);
    deliverables.push(await checkDeliverable(path, kind, result, chain, written.changedSamples === 0));
    first ??= result;
    // The renderer's advice names a chain parameter; here the option is --loudness.
    const advice = result.warnings.map((w) => w.replace(/\(raise limiter\.maxGainReductionDb to go further\)/, '(use --loudness to insist, at the cost of more limiting)'));
    warnings.push(...advice.filter((w) => !warnings.includes(w)));
  }
  if (!first) throw new UserError('nothing to deliver (use --deliver streaming,cd)');

  const lim = first.limiter;
  if (lim && loudness.explicit && lim.maxGainReductionDb > DEFAULT_MAX_GAIN_REDUCTION_DB) {
    warnings.push(`reaching ${loudness.targetLufs} LUFS took ${lim.maxGainReductionDb.toFixed(1)} dB of peak limiting (more than the ${DEFAULT_MAX_GAIN_REDUCTION_DB} dB that keeps transients intact)`);
  }

  step('measuring the master');
  const { channels, meters, ...render } = first;
  const masterAudio: StereoAudio = {
    left: channels[0], right: channels[1], sampleRate: first.sampleRate,
    source: { ...mixAudio.source, path: deliverables[0].path, container: 'wav', lossy: false, bitrateKbps: null },
  };
  const masterTrack = measureTrack(masterAudio, { mixPrep: false, meters });
  return {
    mix: mix.figures,
    references: refFigures,
    master: masterTrack.figures,
    mixWarnings: mix.warnings,
    mixProfile,
    referenceProfile: reference,
    masterProfile: masterTrack.profile,
    loudness,
    chain: plan.chain,
    decisions: plan.decisions,
    notes,
    warnings,
    render,
    deliverables,
    assistant: { mode: assisted.mode, moves: assisted.suggestion?.moves ?? null, model: assisted.suggestion?.model ?? null },
  };
}

/**
 * Measures the written file and checks it against what the render aimed at. `exact`: the file holds
 * exactly the render's samples (the encoder changed none), so the renderer's meters measured it;
 * otherwise it is decoded and measured.
 */
async function checkDeliverable(path: string, kind: DeliverableKind, result: RenderResult, chain: Chain, exact: boolean): Promise<Deliverable> {
  let integratedLufs: number | null, tp: number, sampleRateHz: number;
  if (exact) {
    integratedLufs = result.output.integratedLufs;
    tp = result.meters.truePeak.truePeakDbtp;
    sampleRateHz = result.sampleRate;
  } else {
    const written = await decodeFile(path);
    integratedLufs = measureLoudness([written.left, written.right], written.sampleRate).integratedLufs;
    tp = measureTruePeak([written.left, written.right], written.sampleRate).truePeakDbtp;
    sampleRateHz = written.sampleRate;
  }
  const truePeakDbtp = Number.isFinite(tp) ? tp : null;
  const lim = chain.stages.limiter;
  const aimedLufs = lim.bypass || !result.limiter ? null : result.limiter.targetReached === false ? result.limiter.reachedLufs : lim.targetLufs;
  const problems: string[] = [];
  const loudnessOk = aimedLufs === null || (integratedLufs !== null && Math.abs(integratedLufs - aimedLufs) <= QC_LOUDNESS_LU);
  if (!loudnessOk) problems.push(`loudness ${integratedLufs?.toFixed(2) ?? '–'} LUFS misses ${aimedLufs?.toFixed(1)} LUFS by more than ${QC_LOUDNESS_LU} LU`);
  const ceilingOk = lim.bypass || truePeakDbtp === null || truePeakDbtp <= lim.ceilingDbtp;
  if (!ceilingOk) problems.push(`true peak ${truePeakDbtp?.toFixed(2)} dBTP exceeds the ${lim.ceilingDbtp} dBTP ceiling`);
  const bits = result.format.kind === 'float' ? '32-bit float' : `${result.format.bits}-bit PCM`;
  return { kind, path, sampleRateHz, format: bits, integratedLufs, truePeakDbtp, aimedLufs, qc: { loudnessOk, ceilingOk, problems } };
}
