/**
 * `npm run eval:match`: the reference-matching evaluation (a benchmark, not a test). Every corpus mix
 * (mix01…06) is mastered towards every corpus reference (ref01…06) and four tracks are measured
 * against the reference on the same metrics: the mix as it is, refmaster's master, a loudness-only
 * baseline (refmaster with --match eq=0,width=0,dynamics=0: same chain, no tonal, width or dynamics
 * matching) and, when available, Matchering's master. Then refmaster and Matchering are timed side by
 * side on one 3.5-minute pair, and refmaster alone on a 5-minute mix.
 *
 * Metrics (all from measureProfile: active parts, band levels relative to the integrated loudness, so
 * the spectral errors are after loudness normalisation; both curves smoothed with plan.ts
 * smooth(fillGaps(…)) before subtracting):
 *   mid RMS   RMS over the 1/3-octave bands 31.5 Hz–16 kHz of (track mid − reference mid), dB
 *   side RMS  the same for side over the bands ≥ 160 Hz; side below 150 Hz is reported apart
 *             (refmaster makes the bass mono on purpose)
 *   max, >1.5 the largest band error and the number of bands off by more than 1.5 dB; "in limits"
 *             counts only bands whose needed correction refmaster's limits allow (±6 dB, no boost
 *             below 30 Hz, no widening of a side that is too quiet, no copying of a reference's
 *             lossy cut-off); "shape" also removes the level shift that clamped bands cause
 *             through the loudness normalisation
 *   ΔL        integrated loudness − the reference's, and − the loudness the render aimed at (the
 *             reference's, or where refmaster's limiter stopped short to protect transients)
 *   ΔPLR, ΔLRA, width error (side/mid energy ratio, relative, %: overall and above 150 Hz; the bar
 *             is the one above 150 Hz, since refmaster keeps the bass below 120 Hz mono on purpose:
 *             the overall figure, the same side/mid energy `analyze` reports as Width, stays beside it
 *             so the cost of the mono bass is visible), true peak
 *   (src/analysis/truepeak.ts) with overs counted above −1 dBTP (refmaster's ceiling) and 0 dBTP,
 *   time per master end to end (decode, analysis, render, write, QC) and peak RSS, each master in a
 *   fresh process. A diagnostic table shows how closely refmaster's master realises its designed
 *   matching-EQ curve (refmaster − loudness-only, minus the design).
 *
 * Matchering side by side (optional, nothing of it lives in this repo): put the matchering package
 * (2.0.x sources) in a folder outside the repo, install its dependencies from Debian
 * (`apt-get install python3-numpy python3-scipy python3-soundfile python3-resampy python3-statsmodels`)
 * and run with
 *   MATCHERING_PYTHON=/usr/bin/python3 MATCHERING_PATH=/path/to/folder-holding-matchering npm run eval:match
 * Without both variables (or if `import matchering` fails) Matchering is skipped and the reason printed.
 *
 * Options: --pairs N (the first N pairs), --quick (the 6 pairs mixNN × refNN, one speed run each),
 * --no-speed, --out FILE (JSON, default eval-output/eval-match.json), --keep (keep the rendered files).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultChain } from '../../src/chain/load.js';
import { decodeFile } from '../../src/io/decode.js';
import { dropCutoff, fillGaps, matchCurves, smooth, type MatchStrengths } from '../../src/master/plan.js';
import { measureProfile, widthAbove, type MatchProfile } from '../../src/master/profile.js';
import { CORPUS as HELPER_CORPUS } from '../helpers/corpus.js';
import { median, tiledWav } from './util.js';

const here = dirname(fileURLToPath(import.meta.url));
const REPO = join(here, '../../..');
const CLI = join(REPO, 'dist/src/cli/main.js');
const CHILD = join(here, 'eval-master-child.js');
// helpers/corpus.ts resolves `../shared/corpus` from test/helpers; compiled into dist/test/helpers it
// lands one level short, so fall back to the path beside the repo.
const CORPUS = existsSync(HELPER_CORPUS) ? HELPER_CORPUS : join(REPO, '../shared/corpus');

/** The issue's bars. */
const BAND_TOL_DB = 1.5;
const LOUDNESS_TOL_LU = 0.2;
const WIDTH_TOL_PCT = 10;
const CEILING_DBTP = -1;
/** refmaster's defaults (master-command.ts), for the "limits allow" mask. */
const MAX_EQ_DB = 6;
const MONO_BELOW_HZ = defaultChain().stages.imager.monoBelowHz;
const SIDE_SPLIT_HZ = 150;
const FULL: MatchStrengths = { eq: 1, width: 1, dynamics: 1, loudness: 1 };
const LOUDNESS_ONLY: MatchStrengths = { eq: 0, width: 0, dynamics: 0, loudness: 1 };

type Candidate = 'mix' | 'refmaster' | 'loudness-only' | 'matchering';
const CANDIDATES: Candidate[] = ['mix', 'refmaster', 'loudness-only', 'matchering'];

interface Metrics {
  lufs: number;
  truePeakDbtp: number;
  midRmsDb: number;
  midMaxDb: number;
  midMaxHz: number;
  midOver: number;
  midOverInLimits: number;
  /** The same after removing the median error of those bands: tonal shape only, without the level shift that clamped bands cause through the loudness normalisation. */
  midOverInLimitsShape: number;
  sideRmsDb: number;
  sideMaxDb: number;
  sideOver: number;
  sideOverInLimits: number;
  sideLowRmsDb: number;
  dLufsRef: number;
  dLufsAimed: number | null;
  dPlrDb: number;
  dLraLu: number;
  widthErrPct: number;
  width150ErrPct: number;
  overMinus1: boolean;
  over0: boolean;
  /** Time of the mastering call itself / of the whole process (start-up and imports included), ms. */
  ms: number | null;
  wallMs: number | null;
  maxRssMb: number | null;
  midErrDb: number[];
  sideErrDb: number[];
}

/** eval-master-child.ts's JSON line (the fields read here; the rest is kept for the JSON file). */
interface ChildReport {
  ms: number;
  maxRssMb: number;
  aimedLufs: number | null;
  matchEq: { frequenciesHz: number[]; midGainsDb: number[]; sideGainsDb: number[] } | null;
  [key: string]: unknown;
}

interface PairResult {
  pair: string;
  mix: string;
  reference: string;
  midClampedHz: number[];
  sideClampedHz: number[];
  tracks: Partial<Record<Candidate, Metrics>>;
  /** What eval-master-child.ts reported for refmaster's master (decisions, limiter, matching EQ). */
  refmaster?: ChildReport;
  failures: Partial<Record<Candidate, string>>;
}

// ---------------------------------------------------------------- options

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(name);
const option = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const QUICK = flag('--quick');
const MAX_PAIRS = option('--pairs') !== undefined ? Number(option('--pairs')) : Infinity;
const SPEED = !flag('--no-speed');
const KEEP = flag('--keep');
const OUT = resolve(option('--out') ?? join(REPO, 'eval-output/eval-match.json'));
const SPEED_RUNS = QUICK ? 1 : 3;

// ---------------------------------------------------------------- measuring

const profiles = new Map<string, MatchProfile>();
async function profileOf(path: string, cache = true): Promise<MatchProfile> {
  const hit = profiles.get(path);
  if (hit) return hit;
  const p = measureProfile(await decodeFile(path));
  if (cache) profiles.set(path, p);
  return p;
}

/** Indices of the 1/3-octave bands 31.5 Hz…16 kHz (exact centres, so a little slack). */
function bandRange(bandsHz: number[]): number[] {
  return bandsHz.map((f, i) => (f >= 29 && f <= 16500 ? i : -1)).filter((i) => i >= 0);
}

const curve = (db: (number | null)[]) => smooth(fillGaps(db));
const rms = (xs: number[]) => (xs.length ? Math.sqrt(xs.reduce((s, x) => s + x * x, 0) / xs.length) : 0);

/**
 * Bands where refmaster's limits keep it from the full correction, by the first-order design
 * (plan.ts matchCurves: the smoothed difference, clamped), not by the curve refmaster actually fits:
 * the mask must not move with the method it judges. The mid change it would need
 * (smoothed, lossy cut-off held, as plan.ts computes it) beyond ±MAX_EQ_DB or a boost below 30 Hz;
 * side bands whose clamped curve differs from the unclamped one (±6 dB, ±12 dB overall, no widening
 * of a side more than 30 dB under mid); and bands whose smoothed reference level a lossy cut-off
 * (20 kHz band) moves, since refmaster holds the level below a cut-off rather than copying it.
 */
function clampMask(mix: MatchProfile, ref: MatchProfile): { mid: boolean[]; side: boolean[] } {
  const bands = mix.bandsHz;
  const refMid = dropCutoff(ref.midDb, bands), mixMid = dropCutoff(mix.midDb, bands);
  const diff = (a: (number | null)[], b: (number | null)[]) => a.map((v, i) => (v === null || b[i] === null ? null : v - (b[i] as number)));
  const idealMid = curve(diff(refMid, mixMid));
  const spread = curve(diff(diff(dropCutoff(ref.sideDb, bands), refMid), diff(dropCutoff(mix.sideDb, bands), mixMid)));
  const applied = matchCurves(mix, ref, FULL, MAX_EQ_DB, MONO_BELOW_HZ);
  // A reference's lossy cut-off is held, not copied (plan.ts): bands whose smoothed target it moves are beyond the design too.
  const held = (db: (number | null)[]) => {
    const plain = curve(db), cut = curve(dropCutoff(db, bands));
    return plain.map((x, i) => Math.abs(cut[i] - x) > 0.05);
  };
  const midCut = held(ref.midDb), sideCut = held(ref.sideDb);
  const mid = idealMid.map((d, i) => Math.abs(applied.mid[i] - d) > 0.05 || midCut[i]);
  const side = bands.map((f, i) => {
    if (f < MONO_BELOW_HZ || mix.mono || ref.mono) return false;
    return Math.abs(applied.side[i] - (idealMid[i] + spread[i])) > 0.05 || sideCut[i];
  });
  return { mid, side };
}

function metrics(track: MatchProfile, ref: MatchProfile, mask: { mid: boolean[]; side: boolean[] }, aimedLufs: number | null): Metrics {
  const range = bandRange(ref.bandsHz);
  const tMid = curve(track.midDb), rMid = curve(ref.midDb), tSide = curve(track.sideDb), rSide = curve(ref.sideDb);
  const midErr = range.map((i) => tMid[i] - rMid[i]);
  const sideErr = range.map((i) => tSide[i] - rSide[i]);
  const hz = range.map((i) => ref.bandsHz[i]);
  const high = range.map((i, k) => (ref.bandsHz[i] >= SIDE_SPLIT_HZ ? k : -1)).filter((k) => k >= 0);
  const low = range.map((i, k) => (ref.bandsHz[i] < SIDE_SPLIT_HZ ? k : -1)).filter((k) => k >= 0);
  let midMax = 0, midMaxHz = 0;
  midErr.forEach((e, k) => { if (Math.abs(e) > Math.abs(midMax)) { midMax = e; midMaxHz = hz[k]; } });
  const sideHigh = high.map((k) => sideErr[k]);
  const width150 = widthAbove(track, SIDE_SPLIT_HZ), refWidth150 = widthAbove(ref, SIDE_SPLIT_HZ);
  const inLimits = midErr.filter((_, k) => !mask.mid[range[k]]);
  const inLimitsOffset = inLimits.length ? median(inLimits) : 0;
  return {
    lufs: track.integratedLufs,
    truePeakDbtp: track.truePeakDbtp,
    midRmsDb: rms(midErr),
    midMaxDb: midMax,
    midMaxHz,
    midOver: midErr.filter((e) => Math.abs(e) > BAND_TOL_DB).length,
    midOverInLimits: inLimits.filter((e) => Math.abs(e) > BAND_TOL_DB).length,
    midOverInLimitsShape: inLimits.filter((e) => Math.abs(e - inLimitsOffset) > BAND_TOL_DB).length,
    sideRmsDb: rms(sideHigh),
    sideMaxDb: sideHigh.reduce((m, e) => (Math.abs(e) > Math.abs(m) ? e : m), 0),
    sideOver: sideHigh.filter((e) => Math.abs(e) > BAND_TOL_DB).length,
    sideOverInLimits: high.filter((k) => Math.abs(sideErr[k]) > BAND_TOL_DB && !mask.side[range[k]]).length,
    sideLowRmsDb: rms(low.map((k) => sideErr[k])),
    dLufsRef: track.integratedLufs - ref.integratedLufs,
    dLufsAimed: aimedLufs === null ? null : track.integratedLufs - aimedLufs,
    dPlrDb: track.plrDb - ref.plrDb,
    dLraLu: track.loudnessRangeLu - ref.loudnessRangeLu,
    widthErrPct: ref.width > 0 ? 100 * (track.width / ref.width - 1) : 0,
    width150ErrPct: refWidth150 > 0 ? 100 * (width150 / refWidth150 - 1) : 0,
    overMinus1: track.truePeakDbtp > CEILING_DBTP,
    over0: track.truePeakDbtp > 0,
    ms: null,
    wallMs: null,
    maxRssMb: null,
    midErrDb: midErr.map((e) => Math.round(e * 100) / 100),
    sideErrDb: sideErr.map((e) => Math.round(e * 100) / 100),
  };
}

// ---------------------------------------------------------------- running the masters

interface ChildRun { ok: boolean; wallMs: number; stdout: string; error: string }

function run(cmd: string, args: string[], env?: NodeJS.ProcessEnv): ChildRun {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: env ?? process.env, maxBuffer: 64 << 20, timeout: 600_000 });
  const wallMs = performance.now() - t0;
  const ok = r.status === 0;
  const error = ok ? '' : (r.error?.message ?? r.stderr.trim().split('\n').slice(-3).join(' | ')) || `exit ${r.status}`;
  return { ok, wallMs, stdout: r.stdout ?? '', error };
}

function lastJson(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}

function masterRefmaster(mix: string, ref: string, out: string, strengths: MatchStrengths) {
  const r = run(process.execPath, [CHILD, mix, ref, out, JSON.stringify(strengths)]);
  if (!r.ok) throw new Error(r.error);
  return { ...(lastJson(r.stdout) as ChildReport), wallMs: r.wallMs };
}

const MG_SNIPPET = `
import sys, time, json, resource
t0 = time.perf_counter()
import matchering as mg
t1 = time.perf_counter()
mg.process(target=sys.argv[1], reference=sys.argv[2], results=[mg.pcm24(sys.argv[3])])
t2 = time.perf_counter()
print(json.dumps({"importS": t1 - t0, "processS": t2 - t1, "maxRssMb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "version": mg.__version__}))
`;

const MG_PYTHON = process.env.MATCHERING_PYTHON;
const MG_PATH = process.env.MATCHERING_PATH;
const mgEnv = (): NodeJS.ProcessEnv => ({ ...process.env, PYTHONPATH: [MG_PATH, process.env.PYTHONPATH].filter(Boolean).join(':') });

/** Why Matchering cannot run here, or null when it can. */
function matcheringProblem(): string | null {
  if (!MG_PYTHON || !MG_PATH) return 'MATCHERING_PYTHON and MATCHERING_PATH are not both set (see the comment at the top of test/bench/eval-match.ts)';
  const r = run(MG_PYTHON, ['-c', 'import matchering'], mgEnv());
  return r.ok ? null : `\`${MG_PYTHON} -c "import matchering"\` with PYTHONPATH=${MG_PATH} failed: ${r.error}`;
}

function masterMatchering(mix: string, ref: string, out: string) {
  const r = run(MG_PYTHON as string, ['-c', MG_SNIPPET, mix, ref, out], mgEnv());
  if (!r.ok) throw new Error(r.error);
  const j = lastJson(r.stdout) as { importS: number; processS: number; maxRssMb: number; version: string };
  return { ...j, wallMs: r.wallMs };
}

// ---------------------------------------------------------------- statistics and tables

const f = (x: number | null | undefined, digits = 2) => (x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(digits));
const sf = (x: number | null | undefined, digits = 2) => (x === null || x === undefined || !Number.isFinite(x) ? '–' : `${x >= 0 ? '+' : ''}${x.toFixed(digits)}`);

interface MetricDef {
  label: string;
  get: (m: Metrics) => number | null;
  digits: number;
}

/** Aggregated as mean / median / worst of the absolute values (signed errors: worst is the largest |error|). */
const AGGREGATE: MetricDef[] = [
  { label: 'mid RMS band error, dB', get: (m) => m.midRmsDb, digits: 2 },
  { label: 'mid max |band error|, dB', get: (m) => m.midMaxDb, digits: 2 },
  { label: 'mid bands > 1.5 dB (of 28)', get: (m) => m.midOver, digits: 1 },
  { label: 'mid bands > 1.5 dB within limits', get: (m) => m.midOverInLimits, digits: 1 },
  { label: '… the same, level offset removed (shape)', get: (m) => m.midOverInLimitsShape, digits: 1 },
  { label: 'side ≥150 Hz RMS band error, dB', get: (m) => m.sideRmsDb, digits: 2 },
  { label: 'side ≥150 Hz max |band error|, dB', get: (m) => m.sideMaxDb, digits: 2 },
  { label: 'side bands ≥150 Hz > 1.5 dB (of 21)', get: (m) => m.sideOver, digits: 1 },
  { label: 'side ≥150 Hz > 1.5 dB within limits', get: (m) => m.sideOverInLimits, digits: 1 },
  { label: 'side <150 Hz RMS band error, dB', get: (m) => m.sideLowRmsDb, digits: 2 },
  { label: '|ΔL| vs reference, LU', get: (m) => m.dLufsRef, digits: 2 },
  { label: '|ΔL| vs aimed, LU', get: (m) => m.dLufsAimed, digits: 2 },
  { label: '|ΔPLR|, dB', get: (m) => m.dPlrDb, digits: 2 },
  { label: '|ΔLRA|, LU', get: (m) => m.dLraLu, digits: 2 },
  { label: '|width error|, % (all bands, the bass made mono on purpose included)', get: (m) => m.widthErrPct, digits: 1 },
  { label: '|width error| >150 Hz, % (above the mono crossover)', get: (m) => m.width150ErrPct, digits: 1 },
  { label: 'time per master (call), s', get: (m) => (m.ms === null ? null : m.ms / 1000), digits: 2 },
  { label: 'time per master (process), s', get: (m) => (m.wallMs === null ? null : m.wallMs / 1000), digits: 2 },
  { label: 'peak RSS, MB', get: (m) => m.maxRssMb, digits: 0 },
];

interface Agg { n: number; mean: number; median: number; worst: number; worstPair: string }

function aggregate(results: PairResult[], c: Candidate, def: MetricDef): Agg | null {
  const vals: { v: number; pair: string; signed: number }[] = [];
  for (const r of results) {
    const m = r.tracks[c];
    const v = m ? def.get(m) : null;
    if (v !== null && Number.isFinite(v)) vals.push({ v: Math.abs(v), signed: v, pair: r.pair });
  }
  if (vals.length === 0) return null;
  const worst = vals.reduce((a, b) => (b.v > a.v ? b : a));
  return { n: vals.length, mean: vals.reduce((s, x) => s + x.v, 0) / vals.length, median: median(vals.map((x) => x.v)), worst: worst.signed, worstPair: worst.pair };
}

function count(results: PairResult[], c: Candidate, pass: (m: Metrics) => boolean): string {
  const ms = results.map((r) => r.tracks[c]).filter((m): m is Metrics => m !== undefined);
  return ms.length ? `${ms.filter(pass).length}/${ms.length}` : '–';
}

function perPairTable(results: PairResult[], present: Candidate[]): string {
  const out: string[] = [];
  out.push('| pair | track | mid RMS | mid max (Hz) | mid >1.5 (in lim) | side≥150 RMS | side≥150 >1.5 (in lim) | side<150 RMS | ΔL ref | ΔL aimed | ΔPLR | ΔLRA | width % | width>150 % | TP dBTP | time s | RSS MB |');
  out.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    for (const c of present) {
      const m = r.tracks[c];
      if (!m) {
        if (r.failures[c]) out.push(`| ${r.pair} | ${c} | failed: ${r.failures[c]} |`);
        continue;
      }
      out.push(`| ${r.pair} | ${c} | ${f(m.midRmsDb)} | ${sf(m.midMaxDb, 1)} (${Math.round(m.midMaxHz)}) | ${m.midOver} (${m.midOverInLimits}) | ${f(m.sideRmsDb)} | ${m.sideOver} (${m.sideOverInLimits}) | ${f(m.sideLowRmsDb, 1)} | ${sf(m.dLufsRef)} | ${sf(m.dLufsAimed)} | ${sf(m.dPlrDb, 1)} | ${sf(m.dLraLu, 1)} | ${sf(m.widthErrPct, 0)} | ${sf(m.width150ErrPct, 0)} | ${f(m.truePeakDbtp)}${m.over0 ? ' !!' : m.overMinus1 ? ' !' : ''} | ${f(m.ms === null ? null : m.ms / 1000)} | ${f(m.maxRssMb, 0)} |`);
    }
  }
  return out.join('\n');
}

function aggregateTable(results: PairResult[], present: Candidate[]): string {
  const out: string[] = [];
  out.push(`| metric (mean / median / worst) | ${present.join(' | ')} | refmaster beats mix | refmaster beats Matchering |`);
  out.push(`|---|${present.map(() => '---').join('|')}|---|---|`);
  for (const def of AGGREGATE) {
    const aggs = present.map((c) => aggregate(results, c, def));
    const cells = aggs.map((a) => (a ? `${f(a.mean, def.digits)} / ${f(a.median, def.digits)} / ${sf(a.worst, def.digits)} (${a.worstPair})` : '–'));
    const rm = aggs[present.indexOf('refmaster')];
    // Lower is better for every aggregated figure (they are absolute errors, counts, seconds, MB).
    const vs = (c: Candidate) => {
      const i = present.indexOf(c);
      const o = i >= 0 ? aggs[i] : null;
      if (!rm || !o) return '–';
      return rm.mean < o.mean - 1e-9 ? 'yes' : rm.mean <= o.mean + 1e-9 ? 'tie' : 'NO';
    };
    out.push(`| ${def.label} | ${cells.join(' | ')} | ${vs('mix')} | ${vs('matchering')} |`);
  }
  const row = (label: string, pass: (m: Metrics) => boolean) => `| ${label} | ${present.map((c) => count(results, c, pass)).join(' | ')} | | |`;
  out.push(row('true peak > −1 dBTP (pairs)', (m) => m.overMinus1));
  out.push(row('true peak > 0 dBTP (pairs)', (m) => m.over0));
  out.push(row(`bar: |ΔL vs aimed| ≤ ${LOUDNESS_TOL_LU} LU (pairs)`, (m) => m.dLufsAimed !== null && Math.abs(m.dLufsAimed) <= LOUDNESS_TOL_LU));
  out.push(row(`bar: |ΔL vs reference| ≤ ${LOUDNESS_TOL_LU} LU (pairs)`, (m) => Math.abs(m.dLufsRef) <= LOUDNESS_TOL_LU));
  out.push(row(`bar: every mid band within ${BAND_TOL_DB} dB (pairs)`, (m) => m.midOver === 0));
  out.push(row(`bar: every mid band within ${BAND_TOL_DB} dB where limits allow (pairs)`, (m) => m.midOverInLimits === 0));
  out.push(row(`bar: every side band ≥150 Hz within ${BAND_TOL_DB} dB where limits allow (pairs)`, (m) => m.sideOverInLimits === 0));
  out.push(row(`|width error| ≤ ${WIDTH_TOL_PCT} %, all bands (no bar: the bass below 120 Hz is mono on purpose) (pairs)`, (m) => Math.abs(m.widthErrPct) <= WIDTH_TOL_PCT));
  out.push(row(`bar: |width error >150 Hz| ≤ ${WIDTH_TOL_PCT} % (where limits allow: above the mono crossover) (pairs)`, (m) => Math.abs(m.width150ErrPct) <= WIDTH_TOL_PCT));
  return out.join('\n');
}

/** Mean signed error per band over the pairs, for seeing which bands a method misses systematically. */
function bandTable(results: PairResult[], present: Candidate[], bandsHz: number[]): string {
  const range = bandRange(bandsHz);
  const out: string[] = [];
  out.push(`| band Hz | ${present.map((c) => `${c} mid mean (mean abs)`).join(' | ')} | ${present.map((c) => `${c} side`).join(' | ')} |`);
  out.push(`|---|${present.map(() => '---').join('|')}|${present.map(() => '---').join('|')}|`);
  range.forEach((bandIndex, k) => {
    const cells = (side: boolean) => present.map((c) => {
      const errs = results.map((r) => r.tracks[c]).filter((m): m is Metrics => !!m).map((m) => (side ? m.sideErrDb[k] : m.midErrDb[k]));
      if (!errs.length) return '–';
      return `${sf(errs.reduce((s, e) => s + e, 0) / errs.length, 1)} (${f(errs.reduce((s, e) => s + Math.abs(e), 0) / errs.length, 1)})`;
    });
    out.push(`| ${Math.round(bandsHz[bandIndex])} | ${cells(false).join(' | ')} | ${cells(true).join(' | ')} |`);
  });
  return out.join('\n');
}

/**
 * How closely the master realises refmaster's designed mid curve: (refmaster − loudness-only) band
 * errors minus the designed matching-EQ gain, per pair with its median removed (the loudness
 * normalisation shifts every band alike). The two renders share the chain but for the matching EQ
 * and the amount of glue, so what remains is the EQ's realisation plus glue and limiter colouring.
 */
function realisationTable(results: PairResult[], bandsHz: number[]): string | null {
  const range = bandRange(bandsHz);
  const sums = range.map(() => 0), abs = range.map(() => 0);
  let n = 0;
  for (const r of results) {
    const rm = r.tracks.refmaster, lo = r.tracks['loudness-only'];
    const eq = r.refmaster?.matchEq;
    if (!rm || !lo || !eq) continue;
    const designed = range.map((i) => {
      const k = eq.frequenciesHz.findIndex((fq) => Math.abs(fq / bandsHz[i] - 1) < 0.01);
      return k >= 0 ? eq.midGainsDb[k] : 0;
    });
    const miss = range.map((_, k) => rm.midErrDb[k] - lo.midErrDb[k] - designed[k]);
    const offset = median(miss);
    miss.forEach((d, k) => { sums[k] += d - offset; abs[k] += Math.abs(d - offset); });
    n++;
  }
  if (n === 0) return null;
  const out = ['| band Hz | ' + range.map((i) => Math.round(bandsHz[i])).join(' | ') + ' |', `|---|${range.map(() => '---').join('|')}|`];
  out.push('| mean, dB | ' + sums.map((x) => sf(x / n, 1)).join(' | ') + ' |');
  out.push('| mean abs, dB | ' + abs.map((x) => f(x / n, 1)).join(' | ') + ' |');
  return out.join('\n');
}

// ---------------------------------------------------------------- speed

const TASKSET = existsSync('/usr/bin/taskset') ? '/usr/bin/taskset' : null;
const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

/** The CLI end to end, pinned to one core if asked and taskset exists; peak RSS from GNU time when it exists. */
function cliMaster(mix: string, ref: string, out: string, timeFile: string, pin: boolean): { wallMs: number; maxRssMb: number | null } {
  let cmd = process.execPath;
  let args = [CLI, 'master', mix, '-r', ref, '-o', out];
  if (pin && TASKSET) { args = ['-c', '0', cmd, ...args]; cmd = TASKSET; }
  if (GNU_TIME) { args = ['-f', '%M', '-o', timeFile, cmd, ...args]; cmd = GNU_TIME; }
  const r = run(cmd, args);
  if (!r.ok) throw new Error(`refmaster master failed: ${r.error}`);
  let maxRssMb: number | null = null;
  if (GNU_TIME) {
    const kb = Number(readLast(timeFile));
    if (Number.isFinite(kb)) maxRssMb = kb / 1024;
  }
  return { wallMs: r.wallMs, maxRssMb };
}

function readLast(path: string): string {
  const text = spawnSync('tail', ['-n', '1', path], { encoding: 'utf8' }).stdout ?? '';
  return text.trim();
}

interface SpeedReport {
  pair: { mix: string; reference: string; seconds: number };
  runs: number;
  refmasterCliMs: number[];
  refmasterRssMb: number | null;
  matcheringProcessMs: number[] | null;
  matcheringWallMs: number[] | null;
  matcheringRssMb: number | null;
  fiveMinute: { mixSeconds: number; referenceSeconds: number; cliMs: number[]; rssMb: number | null };
  loadAverage: number[];
  pinnedToOneCore: boolean;
}

async function speed(dir: string, mgOk: boolean): Promise<SpeedReport> {
  const mixSrc = join(CORPUS, 'mix01_lmms_progressive_house.flac'), refSrc = join(CORPUS, 'ref02_nexuiz_stairs.flac');
  const mix210 = join(dir, 'speed-mix-210s.wav'), ref210 = join(dir, 'speed-ref-210s.wav'), mix300 = join(dir, 'speed-mix-300s.wav');
  await tiledWav(mixSrc, 210, mix210);
  await tiledWav(refSrc, 210, ref210);
  await tiledWav(mixSrc, 300, mix300);
  const timeFile = join(dir, 'time.txt');
  const rmMs: number[] = [], mgProc: number[] = [], mgWall: number[] = [];
  let rmRss: number | null = null, mgRss: number | null = null;
  for (let i = 0; i < SPEED_RUNS; i++) {
    // Interleaved, so both see the same machine load; neither pinned, as a user would run them.
    const r = cliMaster(mix210, ref210, join(dir, 'speed-refmaster.wav'), timeFile, false);
    rmMs.push(r.wallMs);
    rmRss = Math.max(rmRss ?? 0, r.maxRssMb ?? 0) || null;
    if (mgOk) {
      const m = masterMatchering(mix210, ref210, join(dir, 'speed-matchering.wav'));
      mgProc.push(m.processS * 1000);
      mgWall.push(m.wallMs);
      mgRss = Math.max(mgRss ?? 0, m.maxRssMb);
    }
  }
  const fiveMs: number[] = [];
  let fiveRss: number | null = null;
  for (let i = 0; i < SPEED_RUNS; i++) {
    const r = cliMaster(mix300, ref210, join(dir, 'speed-refmaster-300.wav'), timeFile, true);
    fiveMs.push(r.wallMs);
    fiveRss = Math.max(fiveRss ?? 0, r.maxRssMb ?? 0) || null;
  }
  return {
    pair: { mix: basename(mixSrc), reference: basename(refSrc), seconds: 210 },
    runs: SPEED_RUNS,
    refmasterCliMs: rmMs,
    refmasterRssMb: rmRss,
    matcheringProcessMs: mgOk ? mgProc : null,
    matcheringWallMs: mgOk ? mgWall : null,
    matcheringRssMb: mgOk ? mgRss : null,
    fiveMinute: { mixSeconds: 300, referenceSeconds: 210, cliMs: fiveMs, rssMb: fiveRss },
    loadAverage: loadavg(),
    pinnedToOneCore: TASKSET !== null,
  };
}

function speedText(s: SpeedReport): string {
  const rm = median(s.refmasterCliMs) / 1000;
  const out: string[] = [];
  out.push(`Speed, one ${s.pair.seconds / 60}-minute pair (${s.pair.mix} and ${s.pair.reference} tiled to ${s.pair.seconds} s, 24-bit WAV), median of ${s.runs}, interleaved in this run:`);
  out.push('| master | median s | runs s | peak RSS MB |');
  out.push('|---|---|---|---|');
  out.push(`| refmaster CLI end to end (node start-up included) | ${rm.toFixed(2)} | ${s.refmasterCliMs.map((x) => (x / 1000).toFixed(2)).join(', ')} | ${f(s.refmasterRssMb, 0)} |`);
  if (s.matcheringWallMs && s.matcheringProcessMs) {
    const mgW = median(s.matcheringWallMs) / 1000, mgP = median(s.matcheringProcessMs) / 1000;
    out.push(`| Matchering, python process end to end (imports included) | ${mgW.toFixed(2)} | ${s.matcheringWallMs.map((x) => (x / 1000).toFixed(2)).join(', ')} | ${f(s.matcheringRssMb, 0)} |`);
    out.push(`| Matchering, mg.process() only | ${mgP.toFixed(2)} | ${s.matcheringProcessMs.map((x) => (x / 1000).toFixed(2)).join(', ')} | |`);
    out.push('', `Matchering's whole process takes ${(mgW / rm).toFixed(2)}x refmaster's time, mg.process() alone ${(mgP / rm).toFixed(2)}x (bar: refmaster ≥ 3x faster, i.e. ≥ 3.00x here).`);
  } else {
    out.push('', 'Matchering: skipped (see above).');
  }
  const fm = s.fiveMinute;
  out.push('', `5-minute mix (${fm.mixSeconds} s, tiled ${s.pair.mix}) with the ${fm.referenceSeconds} s reference, refmaster CLI end to end${s.pinnedToOneCore ? ' on one core' : ''}: median ${(median(fm.cliMs) / 1000).toFixed(2)} s (runs ${fm.cliMs.map((x) => (x / 1000).toFixed(2)).join(', ')}; bar < 3 s), peak RSS ${f(fm.rssMb, 0)} MB.`);
  out.push('', `Load average after the speed runs (the machine is shared): ${s.loadAverage.map((x) => x.toFixed(2)).join(', ')}.`);
  return out.join('\n');
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  if (!existsSync(CORPUS)) {
    console.log(`eval:match: the corpus (${CORPUS}) is absent: nothing to evaluate`);
    return;
  }
  const files = readdirSync(CORPUS).filter((x) => x.endsWith('.flac')).sort();
  const mixes = files.filter((x) => x.startsWith('mix')).map((x) => join(CORPUS, x));
  const refs = files.filter((x) => x.startsWith('ref')).map((x) => join(CORPUS, x));
  let pairs = QUICK ? mixes.map((m, i) => [m, refs[i % refs.length]] as const) : mixes.flatMap((m) => refs.map((r) => [m, r] as const));
  pairs = pairs.slice(0, Math.min(pairs.length, MAX_PAIRS));

  const mgProblem = matcheringProblem();
  const mgOk = mgProblem === null;
  console.log(mgOk ? `Matchering: ${MG_PYTHON} with PYTHONPATH=${MG_PATH}` : `Matchering skipped: ${mgProblem}`);
  const present = CANDIDATES.filter((c) => c !== 'matchering' || mgOk);

  const dir = mkdtempSync(join(tmpdir(), 'refmaster-eval-match-'));
  const results: PairResult[] = [];
  const t0 = performance.now();
  const load0 = loadavg();
  try {
    for (const [mix, ref] of pairs) {
      const id = `${basename(mix).slice(0, 5)}×${basename(ref).slice(0, 5)}`;
      const mixP = await profileOf(mix), refP = await profileOf(ref);
      const mask = clampMask(mixP, refP);
      const r: PairResult = {
        pair: id, mix: basename(mix), reference: basename(ref),
        midClampedHz: mixP.bandsHz.filter((_, i) => mask.mid[i]).map(Math.round),
        sideClampedHz: mixP.bandsHz.filter((_, i) => mask.side[i]).map(Math.round),
        tracks: {}, failures: {},
      };
      r.tracks.mix = metrics(mixP, refP, mask, null);
      for (const [c, strengths] of [['refmaster', FULL], ['loudness-only', LOUDNESS_ONLY]] as const) {
        const out = join(dir, `${id}-${c}.wav`);
        try {
          const child = masterRefmaster(mix, ref, out, strengths);
          const m = metrics(await profileOf(out, false), refP, mask, child.aimedLufs);
          m.ms = child.ms; m.wallMs = child.wallMs; m.maxRssMb = child.maxRssMb;
          r.tracks[c] = m;
          if (c === 'refmaster') r.refmaster = child;
        } catch (e) {
          r.failures[c] = (e as Error).message;
        }
      }
      if (mgOk) {
        const out = join(dir, `${id}-matchering.wav`);
        try {
          const child = masterMatchering(mix, ref, out);
          // Matchering aims at the reference's level (mid RMS of the loudest pieces, not LUFS).
          const m = metrics(await profileOf(out, false), refP, mask, refP.integratedLufs);
          m.ms = child.processS * 1000; m.wallMs = child.wallMs; m.maxRssMb = child.maxRssMb;
          r.tracks.matchering = m;
        } catch (e) {
          r.failures.matchering = (e as Error).message;
        }
      }
      results.push(r);
      const rm = r.tracks.refmaster;
      process.stderr.write(`${id}: refmaster mid ${f(rm?.midRmsDb)} dB, ΔL ${sf(rm?.dLufsRef)} LU, TP ${f(rm?.truePeakDbtp)}${r.tracks.matchering ? `; matchering mid ${f(r.tracks.matchering.midRmsDb)} dB, ΔL ${sf(r.tracks.matchering.dLufsRef)} LU` : ''}${Object.keys(r.failures).length ? `; failed: ${Object.keys(r.failures).join(', ')}` : ''}\n`);
    }
    const pairsS = (performance.now() - t0) / 1000;
    const speedReport = SPEED ? await speed(dir, mgOk) : null;

    const bandsHz = results.length ? (await profileOf(pairs[0][1])).bandsHz : [];
    const text: string[] = [];
    text.push(`# refmaster reference-matching evaluation: ${results.length} pairs (${pairs.length === mixes.length * refs.length ? 'every mix × every reference' : QUICK ? 'quick: mixNN × refNN' : 'first pairs'}), ${pairsS.toFixed(0)} s`);
    text.push('', `Load average at the start: ${load0.map((x) => x.toFixed(2)).join(', ')} (2 cores, shared: times are indicative).`);
    text.push('', 'Tracks: mix = the unprocessed mix; refmaster = `master` at 100 %; loudness-only = `master --match eq=0,width=0,dynamics=0`; matchering = mg.process(target, reference, pcm24).');
    text.push('Band errors: smoothed 1/3-octave balances (re integrated loudness, active parts) of the track minus the reference\'s, 31.5 Hz–16 kHz; "in lim" counts only bands whose correction refmaster\'s limits allow. TP marks: ! > −1 dBTP, !! > 0 dBTP.');
    text.push('', '## Aggregate', '', aggregateTable(results, present));
    text.push('', '## Mean band error over the pairs, dB (signed mean and mean of |error|)', '', bandTable(results, present, bandsHz));
    const realised = realisationTable(results, bandsHz);
    if (realised) text.push('', '## refmaster: realised minus designed matching-EQ (mid), median offset removed per pair', '', realised);
    text.push('', '## Per pair', '', perPairTable(results, present));
    const clamped = results.filter((r) => r.midClampedHz.length || r.sideClampedHz.length).map((r) => `${r.pair}: mid ${r.midClampedHz.join(', ') || '–'}; side ${r.sideClampedHz.join(', ') || '–'}`);
    text.push('', `## Bands beyond refmaster's limits (±${MAX_EQ_DB} dB, Hz)`, '', clamped.length ? clamped.join('\n') : 'none');
    if (speedReport) text.push('', '## Speed', '', speedText(speedReport));
    const failures = results.flatMap((r) => Object.entries(r.failures).map(([c, e]) => `${r.pair} ${c}: ${e}`));
    if (failures.length) text.push('', '## Failures', '', failures.join('\n'));
    if (!mgOk) text.push('', `Matchering skipped: ${mgProblem}`);
    console.log(text.join('\n'));

    mkdirSync(dirname(OUT), { recursive: true });
    writeFileSync(OUT, `${JSON.stringify({ pairs: results, speed: speedReport, matchering: mgOk ? { python: MG_PYTHON, path: MG_PATH } : { skipped: mgProblem }, bandsHz: bandRange(bandsHz).map((i) => bandsHz[i]) }, null, 1)}\n`);
    console.log(`\nJSON: ${OUT}${KEEP ? `\nrendered files kept in ${dir}` : ''}`);
  } finally {
    if (!KEEP) rmSync(dir, { recursive: true, force: true });
  }
}

await main();
