/**
 * The assistant's chain: the master's gentle base (corrective high-pass, mono bass, true-peak
 * limiter to the delivery loudness and ceiling) with the model's moves written into it.
 */
import { defaultChain } from '../chain/load.js';
import type { Chain } from '../chain/spec.js';
import type { StereoAudio } from '../io/types.js';
import { loudExcerpts, thresholdForReduction } from '../master/glue.js';
import { applyMoves, type ApplyContext, type Moves } from './params.js';

export interface LoudnessSettings {
  targetLufs: number | null;
  ceilingDbtp: number;
  maxGainReductionDb: number;
}

/** The base every model proposal starts from: nothing but the high-pass, mono bass and the limiter. */
export function assistantBase(loudness: LoudnessSettings): Chain {
  const chain = defaultChain();
  const s = chain.stages;
  s.matchEq.bypass = true;
  s.multiband.bypass = true;
  s.saturation.bypass = true;
  s.character.bypass = true;
  s.limiter.ceilingDbtp = loudness.ceilingDbtp;
  s.limiter.targetLufs = loudness.targetLufs;
  s.limiter.maxGainReductionDb = loudness.maxGainReductionDb;
  return chain;
}

/** Glue thresholds are searched on the mix's own loud passages (master/glue.ts), as in training. */
export function glueContext(audio: StereoAudio, momentaryLufs?: Float64Array): ApplyContext {
  let excerpts: ReturnType<typeof loudExcerpts> | null = null;
  return { glueThreshold: (p, db) => thresholdForReduction((excerpts ??= loudExcerpts(audio, momentaryLufs)), p, audio.sampleRate, db) };
}

/** `momentaryLufs`: the mix's momentary loudness when the caller has measured it (saves a K-weighting pass). */
export function assistantChain(audio: StereoAudio, moves: Moves, loudness: LoudnessSettings, momentaryLufs?: Float64Array): Chain {
  return applyMoves(assistantBase(loudness), moves, glueContext(audio, momentaryLufs));
}
