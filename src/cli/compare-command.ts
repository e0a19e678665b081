/** `refmaster compare A B [--json] [--previews DIR]` */
import { analyzeAudio, type AnalysisReport } from '../analysis/analyze.js';
import { compareReports, type Comparison, type FileSummary, type MetricPair } from '../compare/compare.js';
import { ensurePreviewDir, planPreviews, PREVIEW_CEILING_DBFS, previewPaths, writePreview, type PreviewPlan } from '../compare/previews.js';
import { decodeFile } from '../io/decode.js';
import type { StereoAudio } from '../io/types.js';
import { fmt, fmtHz, fmtSigned } from './format.js';
import { clearProgress, progress, reportError } from './run.js';

export interface CompareCommandOptions {
  json?: boolean;
  /** Directory for the loudness-matched previews (created if missing). */
  previews?: string;
  debug?: boolean;
}

export interface PreviewReport extends PreviewPlan {
  ceilingDbfs: number;
  files: {
    source: string;
    path: string;
    gainDb: number;
    sampleRate: number;
    /** The preview's peaks: the source's plus the gain. */
    samplePeakDbfs: number | null;
    truePeakDbtp: number | null;
  }[];
}

const BANDS_PER_LINE = 11;

function describe(f: FileSummary): string {
  const depth = f.bitDepth !== null ? ` ${f.bitDepth}-bit` : '';
  return `${f.codec}${depth}, ${fmt(f.sampleRate / 1000, 1)} kHz, ${f.channels === 1 ? 'mono' : 'stereo'}, ${fmt(f.durationS, 1)} s`;
}

/** Rows of cells, two spaces apart: the first `left` columns left-aligned, the others right-aligned (numbers). */
function columns(rows: string[][], opts: { left?: number; uniform?: boolean } = {}): string {
  const left = opts.left ?? 1;
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  // Uniform: every numeric column as wide as the widest, for grids.
  if (opts.uniform) widths.fill(Math.max(...widths.slice(left)), left);
  const line = (r: string[]) => r.map((cell, c) => (c < left ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  return rows.map((r) => `  ${line(r)}`.trimEnd()).join('\n');
}

function metricRow(label: string, m: MetricPair, decimals: number, unit: string, diffUnit: string, signed = false): string[] {
  const value = signed ? fmtSigned : fmt;
  return [label, value(m.a, decimals, unit), value(m.b, decimals, unit), fmtSigned(m.diff, decimals, diffUnit)];
}

function spectrumGrid(c: Comparison): string {
  const cells = (values: (number | null)[], from: number, to: number) => values.slice(from, to).map((v) => fmtSigned(v, 1));
  const rows: string[][] = [];
  const n = c.spectrum.bandsHz.length;
  for (let from = 0; from < n; from += BANDS_PER_LINE) {
    const to = Math.min(n, from + BANDS_PER_LINE);
    rows.push(['Hz', ...c.spectrum.nominalHz.slice(from, to).map(fmtHz)]);
    rows.push(['mid', ...cells(c.spectrum.midDiffDb, from, to)]);
    rows.push(['side', ...cells(c.spectrum.sideDiffDb, from, to)]);
  }
  // Pad short last lines so one column layout serves all lines.
  const width = Math.max(...rows.map((r) => r.length));
  for (const r of rows) while (r.length < width) r.push('');
  return columns(rows, { uniform: true });
}

export function formatComparison(c: Comparison): string {
  const m = c.metrics;
  const table = columns([
    ['', 'A', 'B', 'B − A'],
    metricRow('Integrated', m.integratedLufs, 1, 'LUFS', 'LU'),
    metricRow('Loudness range', m.loudnessRangeLu, 1, 'LU', 'LU'),
    metricRow('True peak', m.truePeakDbtp, 2, 'dBTP', 'dB'),
    metricRow('PLR', m.plrDb, 1, 'dB', 'dB'),
    metricRow('Width (side/mid)', m.widthDb, 1, 'dB', 'dB'),
    metricRow('Correlation', m.correlation, 2, '', ''),
    metricRow('Mono fold-down', m.monoLoudnessDeltaDb, 1, 'dB', 'dB', true),
  ]);
  const spectrum = c.spectrum.comparable
    ? `Spectrum at equal loudness, B − A per 1/3 octave (dB):\n${spectrumGrid(c)}`
    : 'Spectrum: not comparable at equal loudness (see notes)';
  const notes = c.notes.map((n) => `  note: ${n}\n`).join('');
  return `A  ${c.a.file}  (${describe(c.a)})\nB  ${c.b.file}  (${describe(c.b)})\n\n${table}\n\n${spectrum}\n${notes}`;
}

export function formatPreviews(p: PreviewReport): string {
  const why = p.loweredForPeaks
    ? `lowered from ${fmt(p.requestedLufs, 1, 'LUFS')} so that no sample goes above ${fmt(p.ceilingDbfs, 0, 'dBFS')}`
    : `the quieter file's loudness`;
  const rows = p.files.map((f, i) => [
    i === 0 ? 'A' : 'B',
    f.path,
    `gain ${fmtSigned(f.gainDb, 2, 'dB')}`,
    `peak ${fmt(f.samplePeakDbfs, 2, 'dBFS')}`,
    `true peak ${fmt(f.truePeakDbtp, 2, 'dBTP')}`,
    `${fmt(f.sampleRate / 1000, 1)} kHz`,
  ]);
  return `Loudness-matched previews at ${fmt(p.targetLufs, 1, 'LUFS')} (${why}); gain only, 24-bit WAV, each at its own sample rate:\n${columns(rows, { left: 2 })}\n`;
}

async function analyzeOne(file: string, index: number, keepAudio: boolean): Promise<{ report: AnalysisReport; audio: StereoAudio | null }> {
  progress(`analyzing ${file} (${index}/2)…`);
  const audio = await decodeFile(file);
  const report = analyzeAudio(audio);
  clearProgress();
  return { report, audio: keepAudio ? audio : null };
}

async function makePreviews(a: string, b: string, dir: string, ra: AnalysisReport, rb: AnalysisReport, audio: [StereoAudio, StereoAudio]): Promise<PreviewReport> {
  const plan = planPreviews(ra, rb);
  await ensurePreviewDir(dir);
  const paths = previewPaths(a, b, dir);
  const reports = [ra, rb];
  const files: PreviewReport['files'] = [];
  for (let i = 0; i < 2; i++) {
    progress(`writing ${paths[i]}…`);
    await writePreview(audio[i], plan.gainsDb[i], paths[i], [a, b]);
    clearProgress();
    const shift = (db: number | null) => (db === null ? null : db + plan.gainsDb[i]);
    files.push({
      source: reports[i].file,
      path: paths[i],
      gainDb: plan.gainsDb[i],
      sampleRate: reports[i].sampleRate,
      samplePeakDbfs: shift(reports[i].peak.samplePeakDbfs),
      truePeakDbtp: shift(reports[i].peak.truePeakDbtp),
    });
  }
  return { ...plan, ceilingDbfs: PREVIEW_CEILING_DBFS, files };
}

export async function compareCommand(a: string, b: string, opts: CompareCommandOptions): Promise<number> {
  const keep = opts.previews !== undefined;
  let ra: AnalysisReport, rb: AnalysisReport;
  let audio: [StereoAudio, StereoAudio] | null = null;
  try {
    const first = await analyzeOne(a, 1, keep);
    const second = await analyzeOne(b, 2, keep);
    ra = first.report;
    rb = second.report;
    if (keep) audio = [first.audio as StereoAudio, second.audio as StereoAudio];
  } catch (err) {
    clearProgress();
    return reportError(err, opts.debug ?? false);
  }

  const comparison = compareReports(ra, rb);
  if (!opts.json) process.stdout.write(formatComparison(comparison));

  let previews: PreviewReport | null = null;
  let exitCode = 0;
  if (audio && opts.previews !== undefined) {
    try {
      previews = await makePreviews(a, b, opts.previews, ra, rb, audio);
      if (!opts.json) process.stdout.write(`\n${formatPreviews(previews)}`);
    } catch (err) {
      clearProgress();
      exitCode = reportError(err, opts.debug ?? false);
    }
  }
  if (opts.json) process.stdout.write(`${JSON.stringify(previews ? { ...comparison, previews } : comparison, null, 2)}\n`);
  return exitCode;
}
