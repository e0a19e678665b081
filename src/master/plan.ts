/**
 * Reference matching, analytic (after Matchering's idea, with its gaps closed): from the profiles of
 * the mix and of the (combined) references, choose every setting of a mastering chain and say why.
 *
 * - Tone: the matching EQ's mid curve is the smoothed difference of the 1/3-octave balances
 *   (reference − mix, both relative to their loudness), times the EQ strength, within ±maxEqDb, never
 *   boosting below 30 Hz. A reference's empty top (a lossy encoder's low-pass) is not copied: the
 *   curve holds its last measured value above it.
 * - Width: the side curve is the mid curve plus the smoothed difference of side-to-mid per band, times
 *   the width strength: tone and width are matched independently, band by band; the imager keeps
 *   everything below monoBelowHz mono whatever the reference does.
 * - Dynamics: glue compression (ratio 1.5–2:1, slow attack, auto release) set by the gain reduction
 *   it should do on the loud passages: 1 dB by default, more (up to maxGlueDb) when the mix's loudness
 *   range exceeds the reference's, in proportion to the dynamics strength.
 * - Loudness and peak: the limiter's target and ceiling (decided by the caller, see master.ts).
 */
import { defaultChain } from '../chain/defaults.js';
import type { Chain, CompressorParams, StageName } from '../chain/spec.js';
import { balanceModel, fixedResponses, loudnessShift, type BalanceModel } from './balance-model.js';
import { fitCurves, type CurveBounds, type FitTargets, type FittedCurves } from './fit.js';
import type { MatchProfile } from './profile.js';
import { dbToPower, powerToDb } from '../util/db.js';

export interface MatchStrengths {
  /** 0…1 each. */
  eq: number;
  width: number;
  dynamics: number;
  loudness: number;
}

export interface Decision {
  stage: StageName;
  /** What was set, with units ("−1.4 dB at 250 Hz"). */
  setting: string;
  /** Why, in plain words. */
  reason: string;
  /** Who decided: the analytic matcher or the trained model (master/assist.ts). */
  source?: 'analytic' | 'model';
}

export interface PlanOptions {
  reference: MatchProfile | null;
  strengths: MatchStrengths;
  /** Largest matching-EQ correction, dB (mid, and side relative to mid). */
  maxEqDb: number;
  /** Largest glue gain reduction on the loud passages, dB. */
  maxGlueDb: number;
  limiter: { targetLufs: number | null; ceilingDbtp: number; maxGainReductionDb: number; bypass: boolean };
  /** Finds the compressor threshold that gives a mean gain reduction (dB) on the mix's loud passages. */
  glueThreshold: (params: CompressorParams, reductionDb: number) => number;
  sampleRate: number;
}

export interface Plan {
  chain: Chain;
  decisions: Decision[];
  notes: string[];
  /** The fitted matching design (absent without a reference or with tone not matched): what closed-loop.ts corrects. */
  design?: MatchDesign;
}

/** What the matching curves were fitted with (fit.ts), and the result. */
export interface MatchDesign {
  model: BalanceModel;
  targets: FitTargets;
  bounds: CurveBounds;
  levelDb: number;
  maxEqDb: number;
  result: FittedCurves;
}

/** No tonal boost below this: sub-bass boosts eat headroom and excite nothing a listener wants. */
const NO_BOOST_BELOW_HZ = 30;
/** A band this far (dB) below the one beneath it, above 10 kHz, is a lossy encoder's cut-off, not music. */
const CUTOFF_DROP_DB = 10;
/** Side this far below mid (dB) is too little to widen: boosting it would lift noise and artefacts. */
const SIDE_TOO_QUIET_DB = -30;
/** Largest side gain, dB. */
const MAX_SIDE_DB = 12;
/** Side is fitted to its target from here up (the analyser's bass split): below, the imager's mono crossover rules. */
export const SIDE_TARGET_HZ = 150;
/** The top of the bands the balance is compared on (the 16 kHz band). */
const COMPARED_UP_TO_HZ = 16500;
const DEFAULT_GLUE_DB = 1;
/** A shortfall of a band held at the limit below this is not worth a line in the report, dB. */
const HELD_WORTH_SAYING_DB = 1;
const SMOOTHING = [0.25, 0.5, 0.25];

const fmt = (x: number, digits = 1) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(digits)}`;
const hz = (f: number) => (f >= 1000 ? `${+(f / 1000).toFixed(1)} kHz` : `${Math.round(f)} Hz`);

function region(f: number): string {
  if (f < 60) return 'sub-bass';
  if (f < 250) return 'bass';
  if (f < 500) return 'low-mid';
  if (f < 2000) return 'midrange';
  if (f < 5000) return 'upper-mid';
  if (f < 10000) return 'presence';
  return 'air';
}

/** Bands from the first cut-off (a drop of CUTOFF_DROP_DB above 10 kHz) upwards become null. */
export function dropCutoff(db: (number | null)[], bandsHz: number[]): (number | null)[] {
  const out = db.slice();
  for (let i = 1; i < out.length; i++) {
    const prev = out[i - 1];
    if (bandsHz[i] > 10000 && (out[i] === null || (prev !== null && (out[i] as number) < prev - CUTOFF_DROP_DB))) {
      for (let j = i; j < out.length; j++) out[j] = null;
      break;
    }
  }
  return out;
}

/** Fills nulls: linear inside, held flat at the ends; all-null gives zeros. */
export function fillGaps(values: (number | null)[]): number[] {
  const known = values.map((v, i) => (v === null ? -1 : i)).filter((i) => i >= 0);
  if (known.length === 0) return values.map(() => 0);
  return values.map((v, i) => {
    if (v !== null) return v;
    const after = known.find((k) => k > i);
    const before = [...known].reverse().find((k) => k < i);
    if (before === undefined) return values[after as number] as number;
    if (after === undefined) return values[before] as number;
    const t = (i - before) / (after - before);
    return (values[before] as number) * (1 - t) + (values[after] as number) * t;
  });
}

/** 1/3-octave-wide smoothing of a per-band curve (edges replicated). */
export function smooth(values: number[]): number[] {
  const n = values.length;
  return values.map((_, i) => SMOOTHING.reduce((s, w, k) => s + w * values[Math.min(n - 1, Math.max(0, i + k - 1))], 0));
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/** Per band: a − b where both are known, else null. */
function difference(a: (number | null)[], b: (number | null)[]): (number | null)[] {
  return a.map((v, i) => (v === null || b[i] === null ? null : v - (b[i] as number)));
}

/** The matching EQ's mid and side gains (dB) at the profile's band centres: the wanted change, bounded (first-order design). */
export function matchCurves(mix: MatchProfile, ref: MatchProfile, strengths: MatchStrengths, maxEqDb: number, monoBelowHz: number) {
  const bandsHz = mix.bandsHz;
  const { tone, spread, widthMatched } = wantedChange(mix, ref, strengths);
  const mid = tone.map((d, i) => clamp(strengths.eq * d, -maxEqDb, bandsHz[i] < NO_BOOST_BELOW_HZ ? 0 : maxEqDb));
  const side = mid.map((m, i) => {
    if (bandsHz[i] < monoBelowHz) return m;
    const w = clamp(strengths.width * spread[i], -maxEqDb, sideTooQuiet(mix, i) ? 0 : maxEqDb);
    return clamp(m + w, -MAX_SIDE_DB, MAX_SIDE_DB);
  });
  return { mid, side, widthMatched };
}

/** The smoothed differences of mid balance (tone) and of side-to-mid (spread) the references ask for, per band, and the raw (unsmoothed) mid and side differences. */
function wantedChange(mix: MatchProfile, ref: MatchProfile, strengths: MatchStrengths) {
  const bandsHz = mix.bandsHz;
  const refMid = dropCutoff(ref.midDb, bandsHz), mixMid = dropCutoff(mix.midDb, bandsHz);
  const refSide = dropCutoff(ref.sideDb, bandsHz), mixSide = dropCutoff(mix.sideDb, bandsHz);
  const rawMid = fillGaps(difference(refMid, mixMid));
  const tone = smooth(rawMid);
  const widthMatched = !mix.mono && !ref.mono && strengths.width > 0;
  const spread = widthMatched
    ? smooth(fillGaps(difference(difference(refSide, refMid), difference(mixSide, mixMid))))
    : bandsHz.map(() => 0);
  return { tone, spread, widthMatched, rawMid, rawSide: fillGaps(difference(refSide, mixSide)) };
}

function sideTooQuiet(mix: MatchProfile, i: number): boolean {
  const s = mix.sideDb[i], m = mix.midDb[i];
  return s === null || m === null || s - m < SIDE_TOO_QUIET_DB;
}

/** The wanted balance changes as fit targets, and the limits as bounds (fit.ts). */
export function matchTargets(mix: MatchProfile, ref: MatchProfile, strengths: MatchStrengths, maxEqDb: number, monoBelowHz: number) {
  const bandsHz = mix.bandsHz;
  const { tone, spread, widthMatched, rawMid, rawSide } = wantedChange(mix, ref, strengths);
  const refCut = { mid: dropCutoff(ref.midDb, bandsHz), side: dropCutoff(ref.sideDb, bandsHz) };
  const targets: FitTargets = {
    mid: tone.map((d) => strengths.eq * d),
    side: tone.map((d, i) => strengths.eq * d + strengths.width * spread[i]),
    midTarget: bandsHz.map((f) => f >= NO_BOOST_BELOW_HZ && f <= COMPARED_UP_TO_HZ),
    sideTarget: bandsHz.map((f) => widthMatched && f >= SIDE_TARGET_HZ),
  };
  if (widthMatched) {
    // Side/mid energy above the bass split, over the bands both tracks have (a lossy top left out).
    const bands = bandsHz.map((f, i) => f >= SIDE_TARGET_HZ && refCut.mid[i] !== null && refCut.side[i] !== null && mix.midDb[i] !== null && mix.sideDb[i] !== null);
    const ratio = (mid: (number | null)[], side: (number | null)[]) => {
      let m = 0, s = 0;
      bands.forEach((on, i) => { if (on) { m += dbToPower(mid[i] as number); s += dbToPower(side[i] as number); } });
      return m > 0 && s > 0 ? powerToDb(s / m) : null;
    };
    const mixRatio = ratio(mix.midDb, mix.sideDb), refRatio = ratio(refCut.mid, refCut.side);
    if (mixRatio !== null && refRatio !== null) targets.width = { bands, ratioDb: mixRatio + strengths.width * (refRatio - mixRatio) };
  }
  const bounds: CurveBounds = {
    midLo: bandsHz.map(() => -maxEqDb),
    midHi: bandsHz.map((f) => (f < NO_BOOST_BELOW_HZ ? 0 : maxEqDb)),
    midHiRelative: bandsHz.map((f) => f < NO_BOOST_BELOW_HZ),
    sideRelLo: bandsHz.map(() => -maxEqDb),
    sideRelHi: bandsHz.map((_, i) => (sideTooQuiet(mix, i) ? 0 : maxEqDb)),
    sideAbs: MAX_SIDE_DB,
    sideFollowsMid: bandsHz.map((f) => !widthMatched || f < monoBelowHz),
  };
  return { targets, bounds, widthMatched, rawMid, rawSide };
}

/**
 * The matching curves the chain gets: fitted (fit.ts) so that the master's predicted balance, after
 * the loudness normalisation and the chain's fixed high-pass and mono bass, meets the wanted change
 * wherever the bounds allow; the first-order design when tone is not matched.
 */
export function designCurves(mix: MatchProfile, ref: MatchProfile, strengths: MatchStrengths, maxEqDb: number, chain: Chain, sampleRate: number) {
  const { targets, bounds, widthMatched, rawMid, rawSide } = matchTargets(mix, ref, strengths, maxEqDb, chain.stages.imager.monoBelowHz);
  if (strengths.eq === 0) return { ...matchCurves(mix, ref, strengths, maxEqDb, chain.stages.imager.monoBelowHz), offsetDb: 0, fit: null };
  const model = balanceModel(mix.bandsHz, mix.midDb, mix.sideDb, sampleRate, fixedResponses(mix.bandsHz, chain.stages.eq, chain.stages.imager));
  // The model's level: the loudness change that turns the mix's balance into the reference's exactly.
  const levelDb = loudnessShift(model, rawMid.map((d, i) => strengths.eq * d - model.fixedMidDb[i]), rawSide.map((d, i) => strengths.eq * d - model.fixedSideDb[i]));
  const fit = fitCurves(model, targets, bounds, smooth, levelDb, maxEqDb);
  const design: MatchDesign = { result: fit, model, targets, bounds, levelDb, maxEqDb };
  return { mid: fit.mid, side: fit.side, widthMatched, offsetDb: fit.offsetDb, fit: design };
}

/** Words for the largest corrections of a curve (at most `count`, each at least 1 dB). */
function describeCurve(bandsHz: number[], gains: number[], what: string, count: number): Decision[] {
  return gains
    .map((g, i) => ({ g, f: bandsHz[i] }))
    .filter(({ g, f }) => Math.abs(g) >= 1 && f >= NO_BOOST_BELOW_HZ) // below, the high-pass speaks for itself
    .sort((a, b) => Math.abs(b.g) - Math.abs(a.g))
    .slice(0, count)
    .sort((a, b) => a.f - b.f)
    .map(({ g, f }) => ({
      stage: 'matchEq' as const,
      setting: `${what} ${fmt(g)} dB at ${hz(f)}`,
      reason: g < 0 ? `${region(f)} build-up compared with the references` : `${region(f)} lacking compared with the references`,
    }));
}

/** Puts the curves into the chain's matching EQ, at the bands safely below Nyquist, rounded to 0.01 dB. */
export function setCurves(chain: Chain, bandsHz: number[], mid: number[], side: number[], sampleRate: number): void {
  const eq = chain.stages.matchEq;
  const keep = bandsHz.map((f) => f < 0.45 * sampleRate);
  const round = (x: number) => Math.round(x * 100) / 100;
  eq.frequenciesHz = bandsHz.filter((_, i) => keep[i]).map(round);
  eq.midGainsDb = mid.filter((_, i) => keep[i]).map(round);
  eq.sideGainsDb = side.filter((_, i) => keep[i]).map(round);
}

/**
 * The matching EQ's tone decisions. Each correction is told against the curve's typical level (its
 * median over 30 Hz–16 kHz), which the limiter's loudness target takes back: what a listener hears as
 * more or less of a band. Bands held at the ±maxEq limit short of what the references ask get a line
 * of their own, with the predicted shortfall.
 */
export function describeMatching(chain: Chain, design: MatchDesign | undefined, maxEqDb: number, toneMatched: boolean): Decision[] {
  const eq = chain.stages.matchEq;
  const typical = medianOf(eq.midGainsDb.filter((_, i) => eq.frequenciesHz[i] >= NO_BOOST_BELOW_HZ && eq.frequenciesHz[i] <= COMPARED_UP_TO_HZ));
  const out = describeCurve(eq.frequenciesHz, eq.midGainsDb.map((g) => g - typical), 'mid', 4);
  if (toneMatched && out.length === 0) {
    out.push({ stage: 'matchEq', setting: 'mid curve within ±1 dB', reason: 'the mix is already close to the references\' tonal balance' });
  }
  if (design) {
    const { targets, result } = design;
    const short = design.model.bandsHz
      .map((f, i) => ({ f, miss: targets.mid[i] - result.predicted.mid[i], held: Math.abs(Math.abs(result.mid[i]) - maxEqDb) < 0.005 }))
      .filter(({ f, miss, held }) => held && Math.abs(miss) >= HELD_WORTH_SAYING_DB && f >= NO_BOOST_BELOW_HZ && f <= COMPARED_UP_TO_HZ);
    if (short.length > 0) {
      const worst = short.reduce((a, b) => (Math.abs(b.miss) > Math.abs(a.miss) ? b : a));
      const range = `${hz(short[0].f)}${short.length > 1 ? `–${hz(short[short.length - 1].f)}` : ''}`;
      out.push({
        stage: 'matchEq',
        setting: `${short.length} band${short.length > 1 ? 's' : ''} (${range}) held at the ±${maxEqDb} dB limit`,
        reason: `the references ask for more; the master stays up to ${Math.abs(worst.miss).toFixed(1)} dB short of them (at ${hz(worst.f)}), and the curve is offset ${fmt(result.offsetDb)} dB so that this does not shift the other bands after loudness normalisation`,
      });
    }
  }
  return out;
}

function medianOf(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b), m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function planChain(mix: MatchProfile, options: PlanOptions): Plan {
  const chain = defaultChain();
  const s = chain.stages;
  const decisions: Decision[] = [];
  const notes: string[] = [];
  const ref = options.reference;
  let fitted: MatchDesign | undefined;

  decisions.push({ stage: 'eq', setting: `high-pass ${s.eq.highpassHz} Hz, ${s.eq.highpassSlopeDbPerOct} dB/oct`, reason: 'removes subsonic rumble and DC that only cost headroom' });
  s.saturation.bypass = true;
  s.multiband.bypass = true;
  s.character.bypass = true;

  if (ref) {
    const design = designCurves(mix, ref, options.strengths, options.maxEqDb, chain, options.sampleRate);
    fitted = design.fit ?? undefined;
    const widthMatched = design.widthMatched;
    s.matchEq.bypass = !(options.strengths.eq > 0 || widthMatched);
    setCurves(chain, mix.bandsHz, design.mid, design.side, options.sampleRate);
    if (!s.matchEq.bypass) decisions.push(...describeMatching(chain, design.fit ?? undefined, options.maxEqDb, options.strengths.eq > 0));
    if (widthMatched) {
      const change = Math.sqrt(ref.width / Math.max(mix.width, 1e-9));
      decisions.push({
        stage: 'matchEq',
        setting: `side relative to mid: ${fmt(20 * Math.log10(Math.min(4, Math.max(0.25, change))))} dB overall`,
        reason: `the mix's side/mid energy is ${(mix.width * 100).toFixed(0)} %, the references' ${(ref.width * 100).toFixed(0)} %`,
      });
    } else if (mix.mono || ref.mono) {
      notes.push(`width not matched: ${mix.mono ? 'the mix' : 'the reference'} is mono`);
    }
  } else {
    s.matchEq.bypass = true;
  }
  decisions.push({ stage: 'imager', setting: `mono below ${s.imager.monoBelowHz} Hz`, reason: 'keeps the bass centred and mono-compatible on club systems and phone speakers' });

  // Glue: default 1 dB; more when the mix swings more than the references.
  let glueDb = DEFAULT_GLUE_DB;
  let glueReason = 'light glue to hold the mix together without changing its dynamics';
  if (ref && options.strengths.dynamics > 0) {
    const excess = mix.loudnessRangeLu - ref.loudnessRangeLu;
    if (excess > 1) {
      glueDb = clamp(DEFAULT_GLUE_DB + 0.5 * excess * options.strengths.dynamics, DEFAULT_GLUE_DB, options.maxGlueDb);
      glueReason = `the mix's loudness range is ${mix.loudnessRangeLu.toFixed(1)} LU, the references' ${ref.loudnessRangeLu.toFixed(1)} LU`;
    } else {
      glueReason = `the mix's loudness range (${mix.loudnessRangeLu.toFixed(1)} LU) is already within 1 LU of the references' (${ref.loudnessRangeLu.toFixed(1)} LU): light glue only`;
    }
  }
  const comp = s.compressor;
  comp.ratio = glueDb > 2 ? 2 : 1.5;
  comp.attackMs = 30;
  comp.releaseMs = 300;
  comp.autoRelease = true;
  comp.thresholdDb = options.glueThreshold(comp, glueDb);
  decisions.push({ stage: 'compressor', setting: `${comp.ratio}:1 from ${comp.thresholdDb.toFixed(1)} dBFS, attack ${comp.attackMs} ms, auto release, about ${glueDb.toFixed(1)} dB gain reduction on the loud passages`, reason: glueReason });

  const lim = s.limiter;
  lim.bypass = options.limiter.bypass;
  lim.ceilingDbtp = options.limiter.ceilingDbtp;
  lim.targetLufs = options.limiter.targetLufs;
  lim.maxGainReductionDb = options.limiter.maxGainReductionDb;
  if (lim.bypass) {
    s.output.format = 'float32';
    notes.push('limiter off (--no-limiter): 32-bit float output at the pre-limiter level, for finishing elsewhere');
  }
  return { chain, decisions, notes, design: fitted };
}
