/**
 * `npm run eval:model`: the honest evaluation of the assistant model on the held-out (test) songs.
 *
 * 1. Parameter error: on synthetic pairs of the test songs (excerpt A as the mix; excerpt B, a few
 *    seconds away, rendered with known random moves as the reference, as in training but with
 *    another seed), the
 *    normalised MAE per move of the model, against predicting the training mean.
 * 2. Match error after rendering (what a user hears), for the unprocessed mix, the gentle default
 *    chain (high-pass, light glue, limiter to the reference's loudness: `master --match
 *    eq=0,width=0,dynamics=0 --analytic`), the analytic matcher (`--analytic`), the model alone
 *    (`--assistant`) and the combination (the default): on the synthetic pairs and on real pairs (each
 *    test-split mix with each test-split released track). Metrics as eval:match's, on the active-part
 *    profiles: mid and side (≥ 150 Hz) RMS band error of the smoothed balances after loudness
 *    normalisation, |ΔL|, |ΔPLR|, |ΔLRA| (short-term loudness spread), width error above 150 Hz, true-peak
 *    overs of −1 dBTP.
 * Results go to models/eval-model.json and a Markdown table on stdout (pasted into models/README.md).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { excerptFeatures, meanFeatures } from '../src/assistant/excerpts.js';
import { measureLoudness } from '../src/analysis/loudness.js';
import { RenderSession } from '../src/chain/render.js';
import { loadAssistantModel, suggest } from '../src/assistant/suggest.js';
import { MOVE_NAMES, MOVES, neutralMoves, toUnit } from '../src/assistant/params.js';
import { decodeFile } from '../src/io/decode.js';
import type { StereoAudio } from '../src/io/types.js';
import { writeWavFile } from '../src/io/wav-encode.js';
import type { AssistMode } from '../src/master/assist.js';
import { master } from '../src/master/master.js';
import { fillGaps, smooth, type MatchStrengths } from '../src/master/plan.js';
import { measureProfile, widthAbove, type MatchProfile } from '../src/master/profile.js';
import { mulberry32 } from '../src/util/random.js';
import { DEFAULT_GENERATE, drawMoves, NEUTRAL_CHANCE, trainingChain } from './generate.js';
import { loadSources, MANIFEST, REPO } from './sources.js';

const EXCERPT_S = 15;
const PAIRS_PER_SONG = 3;
const MAX_REAL_PAIRS = 24;
const EVAL_SEED = 99991;
const SIDE_FROM_HZ = 150;
const CEILING_DBTP = -1;

type Candidate = 'mix' | 'gentle' | 'analytic' | 'model' | 'combined';
const CANDIDATES: Candidate[] = ['mix', 'gentle', 'analytic', 'model', 'combined'];
const RUN: Record<Exclude<Candidate, 'mix'>, { assistant: AssistMode; strengths: MatchStrengths }> = {
  gentle: { assistant: 'off', strengths: { eq: 0, width: 0, dynamics: 0, loudness: 1 } },
  analytic: { assistant: 'off', strengths: { eq: 1, width: 1, dynamics: 1, loudness: 1 } },
  model: { assistant: 'model', strengths: { eq: 1, width: 1, dynamics: 1, loudness: 1 } },
  combined: { assistant: 'combined', strengths: { eq: 1, width: 1, dynamics: 1, loudness: 1 } },
};

export interface PairMetrics { midRmsDb: number; sideRmsDb: number; dLufs: number; dPlrDb: number; dLraLu: number; widthErrPct: number; truePeakDbtp: number }

const curve = (db: (number | null)[]) => smooth(fillGaps(db));
const rms = (xs: number[]) => Math.sqrt(xs.reduce((s, x) => s + x * x, 0) / Math.max(1, xs.length));

export function pairMetrics(track: MatchProfile, ref: MatchProfile): PairMetrics {
  const range = ref.bandsHz.map((f, i) => (f >= 29 && f <= 16500 ? i : -1)).filter((i) => i >= 0);
  const tm = curve(track.midDb), rm = curve(ref.midDb), ts = curve(track.sideDb), rs = curve(ref.sideDb);
  const refWidth = widthAbove(ref, SIDE_FROM_HZ);
  return {
    midRmsDb: rms(range.map((i) => tm[i] - rm[i])),
    sideRmsDb: rms(range.filter((i) => ref.bandsHz[i] >= SIDE_FROM_HZ).map((i) => ts[i] - rs[i])),
    dLufs: track.integratedLufs - ref.integratedLufs,
    dPlrDb: track.plrDb - ref.plrDb,
    dLraLu: track.loudnessRangeLu - ref.loudnessRangeLu,
    widthErrPct: refWidth > 0 ? 100 * (widthAbove(track, SIDE_FROM_HZ) / refWidth - 1) : 0,
    truePeakDbtp: track.truePeakDbtp,
  };
}

interface Pair { name: string; kind: 'synthetic' | 'real'; mix: string; reference: string; moves?: number[] }

function excerpt(a: StereoAudio, start: number, n: number): StereoAudio {
  return { ...a, left: a.left.slice(start, start + n), right: a.right.slice(start, start + n) };
}

async function buildPairs(dir: string, manifest: string): Promise<Pair[]> {
  const test = loadSources(manifest).filter((s) => s.split === 'test');
  const pairs: Pair[] = [];
  for (const song of test) {
    const audio = await decodeFile(song.path);
    const n = Math.round(EXCERPT_S * audio.sampleRate), total = audio.left.length;
    if (total < n + audio.sampleRate) continue;
    const rand = mulberry32(EVAL_SEED + pairs.length);
    for (let k = 0; k < PAIRS_PER_SONG; k++) {
      // the training protocol (generate.ts): B a few seconds from A, so the parameters are recoverable
      const a = Math.floor(rand() * (total - n));
      const b = Math.min(total - n, Math.max(0, a + Math.round((2 * rand() - 1) * DEFAULT_GENERATE.maxShiftS * audio.sampleRate)));
      const mix = excerpt(audio, a, n), src = excerpt(audio, b, n);
      const lufs = measureLoudness([src.left, src.right], src.sampleRate).integratedLufs;
      if (lufs === null) continue;
      const moves = drawMoves(rand);
      const r = await new RenderSession(src).render(trainingChain(src, moves, lufs + 1 + rand() * 6));
      const name = `${song.id}#${k}`;
      const mixPath = join(dir, `${name}-mix.wav`), refPath = join(dir, `${name}-ref.wav`);
      await writeWavFile(mixPath, [mix.left, mix.right], mix.sampleRate, { kind: 'float', bits: 32 });
      await writeWavFile(refPath, r.channels, r.sampleRate, { kind: 'float', bits: 32 });
      pairs.push({ name, kind: 'synthetic', mix: mixPath, reference: refPath, moves: Array.from(toUnit(moves)) });
    }
  }
  const mixes = test.filter((s) => s.kind === 'mix'), released = test.filter((s) => s.kind === 'mastered');
  for (const m of mixes) for (const r of released) {
    if (pairs.filter((p) => p.kind === 'real').length < MAX_REAL_PAIRS) pairs.push({ name: `${m.id}×${r.id}`, kind: 'real', mix: m.path, reference: r.path });
  }
  return pairs;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

async function main(): Promise<void> {
  const t0 = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'refmaster-eval-model-'));
  const model = await loadAssistantModel();
  const m = process.argv.indexOf('--manifest');
  const pairs = await buildPairs(dir, m >= 0 ? process.argv[m + 1] : MANIFEST);
  process.stderr.write(`${pairs.length} pairs (${pairs.filter((p) => p.kind === 'synthetic').length} synthetic, ${pairs.filter((p) => p.kind === 'real').length} real)\n`);
  const results: { pair: Pair; metrics: Record<Candidate, PairMetrics>; predicted?: number[] }[] = [];
  for (const pair of pairs) {
    const ref = measureProfile(await decodeFile(pair.reference));
    const mixAudio = await decodeFile(pair.mix);
    const metrics = { mix: pairMetrics(measureProfile(mixAudio), ref) } as Record<Candidate, PairMetrics>;
    for (const c of CANDIDATES.slice(1) as Exclude<Candidate, 'mix'>[]) {
      const out = join(dir, `${pair.name.replace(/[^\w#×.-]/g, '_')}-${c}.wav`);
      const r = await master({ mix: pair.mix, references: [pair.reference], deliver: ['streaming'], output: out, strengths: RUN[c].strengths, maxEqDb: 6, maxGlueDb: 3, limiter: true, assistant: RUN[c].assistant });
      metrics[c] = pairMetrics(r.masterProfile, ref);
      rmSync(out);
    }
    let predicted: number[] | undefined;
    if (pair.moves) {
      // as master does: the features of the excerpts the model was trained on
      const refFeatures = meanFeatures(excerptFeatures(await decodeFile(pair.reference)));
      const s = await suggest(model, excerptFeatures(mixAudio), refFeatures);
      predicted = Array.from(toUnit(s.moves));
    }
    results.push({ pair, metrics, predicted });
    process.stderr.write(`  ${pair.name}: mid ${CANDIDATES.map((c) => metrics[c].midRmsDb.toFixed(2)).join(' / ')} dB\n`);
  }
  rmSync(dir, { recursive: true, force: true });

  const lines: string[] = [];
  const synthetic = results.filter((r) => r.predicted);
  // the mean of the training draws (uniform over the range, or neutral): the best constant guess
  const neutral = toUnit(neutralMoves());
  const trainMean = MOVES.map((_, j) => (1 - NEUTRAL_CHANCE) * 0.5 + NEUTRAL_CHANCE * neutral[j]);
  lines.push(`## Parameter error on ${synthetic.length} held-out synthetic pairs (normalised MAE: 1 = the move's whole range)`, '', '| move | range | model MAE | predicting the mean | model MAE in units | learned? |', '|---|---|---|---|---|---|');
  MOVES.forEach((m, j) => {
    const mae = mean(synthetic.map((r) => Math.abs((r.predicted as number[])[j] - (r.pair.moves as number[])[j])));
    const base = mean(synthetic.map((r) => Math.abs(trainMean[j] - (r.pair.moves as number[])[j])));
    const verdict = mae < 0.6 * base ? 'yes' : mae < 0.9 * base ? 'partly' : 'no';
    lines.push(`| ${m.name} | ${m.min}…${m.max} ${m.unit} | ${mae.toFixed(3)} | ${base.toFixed(3)} | ${(mae * (m.max - m.min)).toFixed(2)} ${m.unit} | ${verdict} |`);
  });
  for (const kind of ['synthetic', 'real'] as const) {
    const rs = results.filter((r) => r.pair.kind === kind);
    if (rs.length === 0) continue;
    lines.push('', `## Match error after rendering, ${kind} pairs (${rs.length}), mean over pairs`, '', `| metric | ${CANDIDATES.join(' | ')} |`, `|---|${CANDIDATES.map(() => '---').join('|')}|`);
    const row = (label: string, get: (m: PairMetrics) => number, digits = 2) => lines.push(`| ${label} | ${CANDIDATES.map((c) => mean(rs.map((r) => get(r.metrics[c]))).toFixed(digits)).join(' | ')} |`);
    row('mid RMS band error, dB', (m) => m.midRmsDb);
    row('side ≥150 Hz RMS band error, dB', (m) => m.sideRmsDb);
    row('|ΔL|, LU', (m) => Math.abs(m.dLufs));
    row('|ΔPLR|, dB', (m) => Math.abs(m.dPlrDb));
    row('|ΔLRA|, LU', (m) => Math.abs(m.dLraLu));
    row('|width error| >150 Hz, %', (m) => Math.abs(m.widthErrPct), 1);
    lines.push(`| true peak > −1 dBTP (pairs) | ${CANDIDATES.map((c) => rs.filter((r) => r.metrics[c].truePeakDbtp > CEILING_DBTP + 1e-9).length).join(' | ')} |`);
  }
  const text = lines.join('\n');
  process.stdout.write(`${text}\n\n(${pairs.length} pairs in ${((performance.now() - t0) / 1000).toFixed(0)} s)\n`);
  writeFileSync(join(REPO, 'models/eval-model.json'), `${JSON.stringify({ date: new Date().toISOString().slice(0, 10), moveNames: MOVE_NAMES, results }, null, 1)}\n`);
  writeFileSync(join(REPO, 'models/eval-model.md'), `${text}\n`);
}

await main();
