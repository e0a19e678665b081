/** `refmaster master MIX [--reference REF ...] [--target T] ... -o OUT`: the one command from mix to release files. */
import { writeTextFile } from '../io/atomic.js';
import type { AssistMode } from '../master/assist.js';
import { master, type DeliverableKind } from '../master/master.js';
import type { MatchStrengths } from '../master/plan.js';
import { buildReport, type MasterReport, type TrackFigures } from '../master/report.js';
import { UserError } from '../util/errors.js';
import { fmt, fmtSigned } from './format.js';
import { clearProgress, progress } from './run.js';

export interface MasterCommandOptions {
  reference?: string[];
  weights?: string;
  target?: string;
  loudness?: string;
  ceiling?: string;
  deliver?: string;
  match?: string;
  maxEq?: string;
  maxGlue?: string;
  limiter: boolean;
  output: string;
  chainOut?: string;
  report?: string;
  json?: boolean;
  strict?: boolean;
  title?: string;
  artist?: string;
  isrc?: string;
  assistant?: boolean;
  analytic?: boolean;
  model?: string;
}

function number(text: string | undefined, what: string, min: number, max: number, unit: string): number | undefined {
  if (text === undefined) return undefined;
  const x = Number(text);
  if (!Number.isFinite(x) || x < min || x > max) throw new UserError(`${what} must be a number from ${min} to ${max} ${unit} (got "${text}")`);
  return x;
}

/** "eq=50,width=70" → strengths 0…1, unnamed components at 100 %. */
export function parseStrengths(text: string | undefined): MatchStrengths {
  const s: MatchStrengths = { eq: 1, width: 1, dynamics: 1, loudness: 1 };
  if (!text) return s;
  for (const part of text.split(',')) {
    const [key, value] = part.split('=').map((x) => x.trim());
    if (!(key in s)) throw new UserError(`--match: unknown component "${key}" (use eq, width, dynamics, loudness)`);
    const pct = number(value, `--match ${key}`, 0, 100, '%') as number;
    s[key as keyof MatchStrengths] = pct / 100;
  }
  return s;
}

function parseDeliver(text: string | undefined, target: string | undefined): DeliverableKind[] {
  if (!text) return [target?.toLowerCase() === 'cd' ? 'cd' : 'streaming'];
  const kinds = [...new Set(text.split(',').map((x) => x.trim()))];
  for (const k of kinds) if (k !== 'streaming' && k !== 'cd') throw new UserError(`--deliver: unknown deliverable "${k}" (use streaming, cd)`);
  return kinds as DeliverableKind[];
}

function parseWeights(text: string | undefined, count: number): number[] | undefined {
  if (!text) return undefined;
  const w = text.split(',').map((x) => number(x.trim(), '--weights', 0, 100, '') as number);
  if (w.length !== count) throw new UserError(`--weights has ${w.length} values for ${count} reference(s)`);
  if (w.every((x) => x === 0)) throw new UserError('--weights: at least one weight must be above 0');
  return w;
}

/** --assistant: the model's proposal alone; --analytic: no model; default: combined with references, the gentle chain without. */
export function assistMode(opts: Pick<MasterCommandOptions, 'assistant' | 'analytic'>, references: number): AssistMode {
  if (opts.assistant && opts.analytic) throw new UserError('--assistant and --analytic exclude each other');
  if (opts.assistant) return 'model';
  if (opts.analytic) return 'off';
  return references > 0 ? 'combined' : 'off';
}

function row(label: string, tracks: TrackFigures[], get: (t: TrackFigures) => string): string {
  return `  ${label.padEnd(18)}${tracks.map((t) => get(t).padStart(13)).join('')}`;
}

export function formatSummary(rep: MasterReport): string {
  const out: string[] = [];
  const tracks = [rep.mix, ...rep.references, rep.master];
  const names = ['mix', ...rep.references.map((_, i) => (rep.references.length > 1 ? `ref ${i + 1}` : 'reference')), 'master'];
  out.push(`  ${''.padEnd(18)}${names.map((n) => n.padStart(13)).join('')}`);
  out.push(row('integrated', tracks, (t) => fmt(t.integratedLufs, 1, 'LUFS')));
  out.push(row('short-term max', tracks, (t) => fmt(t.shortTermMaxLufs, 1, 'LUFS')));
  out.push(row('loudness range', tracks, (t) => fmt(t.loudnessRangeLu, 1, 'LU')));
  out.push(row('true peak', tracks, (t) => fmt(t.truePeakDbtp, 2, 'dBTP')));
  out.push(row('PLR', tracks, (t) => fmt(t.plrDb, 1, 'dB')));
  out.push(row('width (side/mid)', tracks, (t) => fmt(t.widthPercent, 0, '%')));
  out.push(row('correlation', tracks, (t) => fmt(t.correlation, 2)));
  out.push(row('mono fold-down', tracks, (t) => fmtSigned(t.monoLoudnessDeltaDb, 1, 'dB')));

  const l = rep.loudness;
  const limiting = l.peakGainReductionDb !== null ? ` with ${fmt(l.peakGainReductionDb, 1, 'dB')} peak limiting` : '';
  out.push('', `Target ${fmt(l.targetLufs, 1, 'LUFS')}, ceiling ${fmt(l.ceilingDbtp, 1, 'dBTP')} (${l.source}): reached ${fmt(l.reachedLufs, 1, 'LUFS')}${limiting}${l.stoppedShort ? ', stopped short to protect the transients' : ''}`);
  out.push('', 'What was done:');
  const tagged = rep.assistant.mode !== 'off';
  if (tagged) out.push(`  (${rep.assistant.mode === 'model' ? 'the assistant model\'s proposal' : 'analytic matching for tone and width, the assistant model for glue and saturation'}; [model] / [match] says which decided)`);
  for (const d of rep.decisions) out.push(`  ${d.stage.padEnd(11)}${tagged ? (d.source === 'model' ? '[model] ' : '[match] ') : ''}${d.setting}: ${d.reason}`);
  if (rep.mixPrep.length > 0) {
    out.push('', 'Mix-prep:');
    for (const w of rep.mixPrep) out.push(`  ${w.code}: ${w.message}${w.effect ? ` Here: ${w.effect}.` : ''}`);
  }
  out.push('', `On playback: ${rep.playback.map((p) => `${p.label} ${fmtSigned(p.gainDb, 1, 'dB')}`).join(', ')}`);
  out.push('', 'Deliverables:');
  for (const d of rep.deliverables) {
    const ok = d.qc.loudnessOk && d.qc.ceilingOk;
    out.push(`  ${d.kind.padEnd(10)}${d.path}: ${d.format}, ${d.sampleRateHz} Hz, ${fmt(d.integratedLufs, 2, 'LUFS')}, true peak ${fmt(d.truePeakDbtp, 2, 'dBTP')}: ${ok ? 'QC passed' : `QC FAILED: ${d.qc.problems.join('; ')}`}`);
  }
  for (const n of rep.notes) out.push(`  note: ${n}`);
  for (const w of rep.warnings) out.push(`  ! ${w}`);
  return `${out.join('\n')}\n`;
}

export async function masterCommand(mix: string, opts: MasterCommandOptions): Promise<number> {
  const references = opts.reference ?? [];
  const strengths = parseStrengths(opts.match);
  const inputs = [mix, ...references];
  const result = await master({
    mix,
    references,
    referenceWeights: parseWeights(opts.weights, references.length),
    target: opts.target,
    loudnessLufs: number(opts.loudness, '--loudness', -30, -5, 'LUFS'),
    ceilingDbtp: number(opts.ceiling, '--ceiling', -6, 0, 'dBTP'),
    deliver: parseDeliver(opts.deliver, opts.target),
    output: opts.output,
    metadata: opts.title || opts.artist || opts.isrc ? { title: opts.title, artist: opts.artist, isrc: opts.isrc } : undefined,
    strengths,
    maxEqDb: number(opts.maxEq, '--max-eq', 0, 12, 'dB') ?? 6,
    maxGlueDb: number(opts.maxGlue, '--max-glue', 0, 12, 'dB') ?? 3,
    limiter: opts.limiter,
    assistant: assistMode(opts, references.length),
    modelPath: opts.model,
    onProgress: (what) => progress(`${what}…`),
  });
  const report = buildReport(result, strengths);
  if (opts.chainOut) await writeTextFile(opts.chainOut, `${JSON.stringify(result.chain, null, 2)}\n`, inputs);
  if (opts.report) await writeTextFile(opts.report, `${JSON.stringify(report, null, 2)}\n`, inputs);
  clearProgress();
  process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatSummary(report));
  if (!report.qcPassed) {
    process.stderr.write(`refmaster: QC failed: ${report.deliverables.flatMap((d) => d.qc.problems.map((p) => `${d.path}: ${p}`)).join('; ')}\n`);
    if (opts.strict) return 3;
  }
  return 0;
}
