/**
 * One `master()` run in a fresh process for eval-match.ts, so its time and peak RSS are its own.
 * argv: MIX REF OUT STRENGTHS_JSON. Prints one JSON line: time, peak RSS and the decisions the
 * evaluation needs (aimed loudness, limiter figures, the matching-EQ curves).
 */
import { master } from '../../src/master/master.js';
import type { MatchStrengths } from '../../src/master/plan.js';

const [mix, ref, output, strengthsJson] = process.argv.slice(2);
const strengths = JSON.parse(strengthsJson) as MatchStrengths;
const t0 = performance.now();
const r = await master({ mix, references: [ref], deliver: ['streaming'], output, strengths, maxEqDb: 6, maxGlueDb: 3, limiter: true });
const ms = performance.now() - t0;
const d = r.deliverables[0];
const lim = r.render.limiter;
const eq = r.chain.stages.matchEq;
process.stdout.write(`${JSON.stringify({
  ms,
  maxRssMb: process.resourceUsage().maxRSS / 1024,
  targetLufs: r.loudness.targetLufs,
  aimedLufs: d.aimedLufs,
  writtenLufs: d.integratedLufs,
  writtenTruePeakDbtp: d.truePeakDbtp,
  qc: d.qc,
  limiter: lim ? { gainDb: lim.gainDb, maxGainReductionDb: lim.maxGainReductionDb, targetReached: lim.targetReached, reachedLufs: lim.reachedLufs } : null,
  glue: r.chain.stages.compressor.bypass ? null : { thresholdDb: r.chain.stages.compressor.thresholdDb, ratio: r.chain.stages.compressor.ratio },
  matchEq: eq.bypass ? null : { frequenciesHz: eq.frequenciesHz, midGainsDb: eq.midGainsDb, sideGainsDb: eq.sideGainsDb },
  masterProfileLufs: r.masterProfile.integratedLufs,
  warnings: r.warnings,
})}\n`);
