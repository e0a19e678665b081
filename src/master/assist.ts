/**
 * The assistant inside `refmaster master`: the model's proposal replaces (mode "model") or joins
 * (mode "combined": the analytic matcher's fine EQ and width curves, the model's glue and
 * saturation) the analytic plan. Every decision says where it came from. When the model cannot be
 * used, the analytic plan stands and a warning says why: that is always a safe master.
 */
import { applyMoves, type ApplyContext } from '../assistant/params.js';
import { meanFeatures } from '../assistant/excerpts.js';
import { DEFAULT_MODEL_PATH, loadAssistantModel, suggest, type MoveReason, type Suggestion } from '../assistant/suggest.js';
import { loadStyleProfile, profileAsReference } from '../assistant/target-profile.js';
import { UserError } from '../util/errors.js';
import type { Decision, Plan } from './plan.js';

export type AssistMode = 'off' | 'model' | 'combined';

export interface AssistInput {
  mode: AssistMode;
  modelPath?: string;
  /** The glue threshold search on the mix's loud passages, the one the analytic plan used. */
  glueThreshold: ApplyContext['glueThreshold'];
  /** Features of the mix's excerpts, and of each reference (the mean of its excerpts); see excerpts.ts. */
  mixFeatures: number[][];
  referenceFeatures: number[][];
  referenceWeights?: number[];
  plan: Plan;
}

export interface Assisted {
  plan: Plan;
  warnings: string[];
  suggestion: Suggestion | null;
  /** The mode that was applied (off when the model could not be used). */
  mode: AssistMode;
}

const STAGE_OF: Record<string, Decision['stage']> = {
  lowShelfDb: 'eq', lowMidDb: 'eq', presenceDb: 'eq', airDb: 'character', glueReductionDb: 'compressor', widthPercent: 'imager', saturationDb: 'saturation',
};

function modelDecisions(reasons: MoveReason[], moves: readonly string[]): Decision[] {
  return reasons
    .filter((r) => r.active && moves.includes(r.move) && r.move !== 'glueRatio')
    .map((r) => ({ stage: STAGE_OF[r.move], setting: r.setting, reason: r.reason, source: 'model' as const }));
}

export async function assist(input: AssistInput): Promise<Assisted> {
  const analytic = (plan: Plan): Plan => ({ ...plan, decisions: plan.decisions.map((d) => ({ ...d, source: d.source ?? 'analytic' })) });
  if (input.mode === 'off') return { plan: analytic(input.plan), warnings: [], suggestion: null, mode: 'off' };
  const lim = input.plan.chain.stages.limiter;
  let suggestion: Suggestion;
  try {
    const model = await loadAssistantModel(input.modelPath ?? DEFAULT_MODEL_PATH);
    const reference = input.referenceFeatures.length > 0
      ? meanFeatures(input.referenceFeatures, input.referenceWeights)
      : profileAsReference(loadStyleProfile(), lim.targetLufs ?? -14, lim.ceilingDbtp);
    suggestion = await suggest(model, input.mixFeatures, reference);
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    return { plan: analytic(input.plan), warnings: [`assistant not used: ${e.message}; the analytic plan was used instead`], suggestion: null, mode: 'off' };
  }
  const ctx = { glueThreshold: input.glueThreshold };
  const base = analytic(input.plan);
  if (input.mode === 'combined') {
    const chain = applyMoves(base.chain, suggestion.moves, ctx, 'dynamics');
    const decisions = [...base.decisions.filter((d) => d.stage !== 'compressor'), ...modelDecisions(suggestion.reasons, ['glueReductionDb', 'saturationDb'])];
    if (chain.stages.compressor.bypass) decisions.push({ stage: 'compressor', setting: 'no glue compression', reason: suggestion.reasons.find((r) => r.move === 'glueReductionDb')?.reason ?? '', source: 'model' });
    return { plan: { ...base, chain, decisions }, warnings: [], suggestion, mode: 'combined' };
  }
  const start = structuredClone(base.chain);
  start.stages.matchEq.bypass = true;
  const chain = applyMoves(start, suggestion.moves, ctx, 'all');
  const kept = base.decisions.filter((d) => d.stage === 'eq' || d.stage === 'imager' || d.stage === 'limiter');
  return { plan: { ...base, chain, decisions: [...kept, ...modelDecisions(suggestion.reasons, Object.keys(STAGE_OF))] }, warnings: [], suggestion, mode: 'model' };
}
