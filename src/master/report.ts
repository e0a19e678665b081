/**
 * The master report: JSON with stable keys (units in the names) and a readable summary. Mix,
 * references and master side by side, every decision with its reason, mix-prep warnings with what
 * they mean for this master, the playback gain each platform would apply, and each deliverable's QC.
 */
import type { Chain } from '../chain/spec.js';
import { VERSION } from '../util/version.js';
import type { Deliverable, LoudnessDecision, MasterResult } from './master.js';
import type { TrackFigures } from './measure.js';
import type { Decision, MatchStrengths } from './plan.js';
import { STREAMING_PLATFORMS, TARGETS, playbackGainDb } from './targets.js';

export type { TrackFigures };

export interface MasterReport {
  refmaster: { version: string; report: 'master' };
  mix: TrackFigures;
  references: TrackFigures[];
  master: TrackFigures;
  loudness: LoudnessDecision & { reachedLufs: number | null; stoppedShort: boolean; peakGainReductionDb: number | null };
  matching: null | {
    strengths: MatchStrengths;
    bandsHz: number[];
    /** Active-part balance relative to loudness, minus the combined references', per 1/3-octave band (dB). */
    mixMidVsReferenceDb: (number | null)[];
    masterMidVsReferenceDb: (number | null)[];
    mixSideVsReferenceDb: (number | null)[];
    masterSideVsReferenceDb: (number | null)[];
  };
  decisions: Decision[];
  mixPrep: { code: string; message: string; effect: string | null }[];
  playback: { platform: string; label: string; gainDb: number }[];
  deliverables: Deliverable[];
  qcPassed: boolean;
  warnings: string[];
  notes: string[];
  chain: Chain;
  /** The trained model's part: mode off (not used), model (its proposal alone) or combined; its moves. */
  assistant: MasterResult['assistant'];
}

const EFFECTS: Record<string, string> = {
  PEAK_TOO_HOT: 'no harm to this master (the chain works in floating point), but a mix with headroom is safer',
  CLIPPING: 'the clipped peaks stay in the master: the limiter cannot restore them',
  INTERSAMPLE_OVERS: 'the limiter brings every true peak under the ceiling',
  DC_OFFSET: 'the high-pass filter removes it',
  LOSSY_SOURCE: 'the master inherits the codec\'s artefacts and missing top octave',
  ALREADY_LIMITED: 'the limiter has little room left: loudness targets may stop short, and the glue stays light',
  LEADING_SILENCE: 'kept as it is: trim it in your editor if it is not intended',
  TRAILING_SILENCE: 'kept as it is: trim it in your editor if it is not intended',
};

const minus = (a: (number | null)[], b: (number | null)[]) => a.map((x, i) => (x === null || b[i] === null ? null : x - (b[i] as number)));

export function buildReport(r: MasterResult, strengths: MatchStrengths): MasterReport {
  const lim = r.render.limiter;
  const ref = r.referenceProfile;
  const master = r.master;
  return {
    refmaster: { version: VERSION, report: 'master' },
    mix: r.mix,
    references: r.references,
    master,
    loudness: {
      ...r.loudness,
      reachedLufs: r.render.output.integratedLufs,
      stoppedShort: lim?.targetReached === false,
      peakGainReductionDb: lim?.maxGainReductionDb ?? null,
    },
    matching: ref
      ? {
          strengths,
          bandsHz: r.mixProfile.bandsHz,
          mixMidVsReferenceDb: minus(r.mixProfile.midDb, ref.midDb),
          masterMidVsReferenceDb: minus(r.masterProfile.midDb, ref.midDb),
          mixSideVsReferenceDb: minus(r.mixProfile.sideDb, ref.sideDb),
          masterSideVsReferenceDb: minus(r.masterProfile.sideDb, ref.sideDb),
        }
      : null,
    decisions: r.decisions,
    mixPrep: r.mixWarnings.map((w) => ({ code: w.code, message: w.message, effect: EFFECTS[w.code] ?? null })),
    playback: STREAMING_PLATFORMS.map((name) => ({
      platform: name,
      label: TARGETS[name].label,
      gainDb: master.integratedLufs === null || master.truePeakDbtp === null ? 0 : playbackGainDb(TARGETS[name], master.integratedLufs, master.truePeakDbtp),
    })),
    deliverables: r.deliverables,
    qcPassed: r.deliverables.every((d) => d.qc.loudnessOk && d.qc.ceilingOk),
    warnings: r.warnings,
    notes: r.notes,
    chain: r.chain,
    assistant: r.assistant,
  };
}
