/**
 * The closed loop of the matching design: render the stages before the limiter once with the fitted
 * curves, measure the balance change they make with the same profile code, and fit again with what
 * the prediction (balance-model.ts) missed taken out of the targets: the glue compressor's and the
 * imager's effect on the balance, the FIR's realisation of the curve, the model's loudness error.
 * Bounded by the same limits, so the second fit moves only within them.
 *
 * What the prediction missed, per band: δ = measured change − predicted change (both on the same
 * audio, the prediction from that audio's own profile). Its median over the free target bands is the
 * model's level (it replaces the level estimated from the references); the rest is shape: it moves
 * the targets (t − δ), so that the second fit's prediction plus δ lands on t.
 *
 * Cost: a track up to WHOLE_TRACK_S is rendered whole; a longer one in WINDOWS windows of WINDOW_S
 * spread evenly over it (each with PRE_ROLL_S before, so the compressor and the FIR have settled,
 * and POST_ROLL_S after, for the FIR's look-ahead), joined and rendered in one pass: about 30 s of
 * audio whatever the track's length (0.6–0.7 s for a 5-minute track on the shared, loaded 2-core machine).
 */
import { renderPreLimiter } from '../chain/render.js';
import type { Chain } from '../chain/spec.js';
import type { StereoAudio } from '../io/types.js';
import { AudioFileError } from '../util/errors.js';
import { balanceModel } from './balance-model.js';
import { fitCurves, predictChange, type FitTargets } from './fit.js';
import { describeMatching, dropCutoff, fillGaps, setCurves, smooth, type MatchDesign, type Plan } from './plan.js';
import { measureProfile } from './profile.js';

export const WHOLE_TRACK_S = 45;
const WINDOWS = 4;
const WINDOW_S = 5;
const PRE_ROLL_S = 1;
const POST_ROLL_S = 0.5;

/** The balance change from levels `a` to levels `b`, smoothed, as plan.ts computes the wanted change. */
function change(a: (number | null)[], b: (number | null)[], bandsHz: number[]): number[] {
  const from = dropCutoff(a, bandsHz), to = dropCutoff(b, bandsHz);
  return smooth(fillGaps(to.map((v, i) => (v === null || from[i] === null ? null : v - (from[i] as number)))));
}

function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b), m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** [render from, measure from, measure to, render to) in samples: the whole track, or the windows. */
export function loopWindows(length: number, sampleRate: number): [number, number, number, number][] {
  if (length <= WHOLE_TRACK_S * sampleRate) return [[0, 0, length, length]];
  const size = Math.round(WINDOW_S * sampleRate), pre = Math.round(PRE_ROLL_S * sampleRate), post = Math.round(POST_ROLL_S * sampleRate);
  return Array.from({ length: WINDOWS }, (_, k) => {
    const start = Math.round(((k + 0.5) * length) / WINDOWS - size / 2);
    return [Math.max(0, start - pre), start, start + size, Math.min(length, start + size + post)];
  });
}

export interface Miss {
  mid: number[];
  side: number[];
}

/**
 * δ = measured − predicted balance change of `chain` (whose curves are `gains`) over the mix, averaged
 * over the loop's windows; null when no window holds music.
 */
export function measureMiss(mixAudio: StereoAudio, chain: Chain, design: MatchDesign, gains: { mid: number[]; side: number[] }): Miss | null {
  const bandsHz = design.model.bandsHz, fs = mixAudio.sampleRate;
  const fixed = { mid: design.model.fixedMidDb, side: design.model.fixedSideDb };
  const sum = { mid: bandsHz.map(() => 0), side: bandsHz.map(() => 0) };
  let count = 0;
  // The windows, each with its rolls, joined and rendered in one pass: a join lies inside the next
  // window's pre-roll, where the compressor and the FIR have a second to settle before measuring.
  const windows = loopWindows(mixAudio.left.length, fs);
  const total = windows.reduce((n, [from, , , to]) => n + to - from, 0);
  const joined = { left: new Float32Array(total), right: new Float32Array(total) };
  const at: number[] = [];
  let pos = 0;
  for (const [from, , , to] of windows) {
    at.push(pos);
    joined.left.set(mixAudio.left.subarray(from, to), pos);
    joined.right.set(mixAudio.right.subarray(from, to), pos);
    pos += to - from;
  }
  const [l, r] = renderPreLimiter({ ...mixAudio, ...joined }, chain);
  windows.forEach(([from, start, end], k) => {
    const core = (a: Float32Array) => a.subarray(at[k] + start - from, at[k] + end - from);
    let before, after;
    try {
      before = measureProfile({ ...mixAudio, left: core(joined.left), right: core(joined.right) }, { truePeak: false });
      after = measureProfile({ ...mixAudio, left: core(l), right: core(r) }, { truePeak: false });
    } catch (e) {
      if (e instanceof AudioFileError) return; // a silent window: nothing to measure
      throw e;
    }
    const predicted = predictChange(balanceModel(bandsHz, before.midDb, before.sideDb, fs, fixed), gains, smooth, 0);
    const gotMid = change(before.midDb, after.midDb, bandsHz), gotSide = change(before.sideDb, after.sideDb, bandsHz);
    bandsHz.forEach((_, i) => {
      sum.mid[i] += gotMid[i] - predicted.mid[i];
      sum.side[i] += gotSide[i] - predicted.side[i];
    });
    count++;
  });
  return count > 0 ? { mid: sum.mid.map((x) => x / count), side: sum.side.map((x) => x / count) } : null;
}

/** The second fit from what the prediction missed (see the file comment). Pure. */
export function refit(design: MatchDesign, miss: Miss): MatchDesign {
  const { model, targets, bounds, result } = design;
  const levelDb = median(miss.mid.filter((_, i) => targets.midTarget[i] && result.midFree[i]));
  const moved: FitTargets = {
    ...targets,
    mid: targets.mid.map((t, i) => t - (miss.mid[i] - levelDb)),
    side: targets.side.map((t, i) => (targets.sideTarget[i] ? t - (miss.side[i] - levelDb) : t)),
  };
  return { ...design, targets: moved, levelDb, result: fitCurves(model, moved, bounds, smooth, levelDb, design.maxEqDb) };
}

/**
 * Renders `plan`'s chain up to the limiter over the mix (or its windows), measures it, and puts the
 * second fit into the plan's chain and its matching-EQ decisions (in place). Nothing happens without
 * a fitted design.
 */
export function closeMatchingLoop(plan: Plan, mixAudio: StereoAudio): void {
  const design = plan.design;
  if (!design || plan.chain.stages.matchEq.bypass) return;
  const miss = measureMiss(mixAudio, plan.chain, design, design.result);
  if (!miss) return;
  const next = refit(design, miss);
  setCurves(plan.chain, design.model.bandsHz, next.result.mid, next.result.side, mixAudio.sampleRate);
  const tone = plan.decisions.filter((d) => d.stage === 'matchEq' && !d.setting.startsWith('side relative to mid'));
  const at = plan.decisions.indexOf(tone[0]);
  const kept = plan.decisions.filter((d) => !tone.includes(d));
  kept.splice(at >= 0 ? at : kept.length, 0, ...describeMatching(plan.chain, next, design.maxEqDb, true));
  plan.decisions.splice(0, plan.decisions.length, ...kept);
  plan.design = next;
}
