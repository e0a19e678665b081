/**
 * `npm run train`: trains the parameter model on the dataset (make-dataset.ts) with TF.js, picks
 * the epoch with the lowest validation loss, exports it to models/assistant.onnx and writes the
 * metrics and a few fixed held-out examples beside it (models/assistant.meta.json) for the model
 * card and the CI test. Everything is seeded: the same data gives the same model.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { FEATURE_VERSION } from '../src/analysis/features.js';
import { modelInput, modelInputNames } from '../src/assistant/inputs.js';
import { MOVE_NAMES, MOVES } from '../src/assistant/params.js';
import { mulberry32 } from '../src/util/random.js';
import type { Example } from './generate.js';
import { mlpToOnnx } from './onnx-export.js';
import { DATASET, REPO } from './sources.js';
import { buildModel, predictTf, toMlpSpec } from './tf-model.js';

export interface TrainOptions {
  hidden: number[];
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  /** Stop when the validation loss has not improved for this many epochs. */
  patience: number;
  /** Weight decay on the kernels (L2, per weight). */
  l2: number;
}

export const DEFAULT_TRAIN: TrainOptions = { hidden: [128, 64], epochs: 300, batchSize: 64, learningRate: 1e-3, seed: 7, patience: 40, l2: 1e-4 };
export const MODEL_PATH = join(REPO, 'models/assistant.onnx');
export const META_PATH = join(REPO, 'models/assistant.meta.json');
/** Held-out examples shipped with the model for the CI test. */
const SHIPPED_EXAMPLES = 6;

interface Matrix { x: Float32Array[]; y: Float32Array[]; examples: Example[] }

function matrix(examples: Example[]): Matrix {
  return { x: examples.map((e) => modelInput(e.mix, e.reference)), y: examples.map((e) => Float32Array.from(e.moves)), examples };
}

/** Mean and standard deviation per input over the training rows (a constant input gets scale 1). */
function standardisation(rows: Float32Array[]): { mean: Float32Array; scale: Float32Array } {
  const F = rows[0].length;
  const mean = new Float32Array(F), scale = new Float32Array(F);
  for (let j = 0; j < F; j++) {
    let s = 0, s2 = 0;
    for (const r of rows) { s += r[j]; s2 += r[j] * r[j]; }
    const m = s / rows.length, v = s2 / rows.length - m * m;
    mean[j] = m;
    scale[j] = v > 1e-8 ? Math.sqrt(v) : 1;
  }
  return { mean, scale };
}

/** Mean absolute error per move in normalised units (0…1 = the move's whole range). */
export function maePerMove(pred: Float32Array[], truth: Float32Array[]): number[] {
  return MOVE_NAMES.map((_, j) => pred.reduce((s, p, i) => s + Math.abs(p[j] - truth[i][j]), 0) / Math.max(1, pred.length));
}

const RATIO = MOVE_NAMES.indexOf('glueRatio'), GLUE = MOVE_NAMES.indexOf('glueReductionDb');

/**
 * Per-example, per-move loss weights: a move counts by how much it can change the sound. The ratio
 * of a compressor that barely works changes nothing audible, so its error counts in proportion to
 * the glue's gain reduction (after the audio-domain losses of Peladeau & Peeters 2023, in the cheap
 * form of a parameter loss weighted by the move's effect).
 */
function moveWeights(y: Float32Array): Float32Array {
  const w = new Float32Array(y.length).fill(1);
  w[RATIO] = 0.1 + y[GLUE];
  return w;
}

function tensors(m: Matrix, mean: Float32Array, scale: Float32Array) {
  const F = mean.length;
  const xs = new Float32Array(m.x.length * F);
  m.x.forEach((r, i) => { for (let j = 0; j < F; j++) xs[i * F + j] = (r[j] - mean[j]) / scale[j]; });
  const ys = new Float32Array(m.y.length * MOVES.length), ws = new Float32Array(ys.length);
  m.y.forEach((r, i) => { ys.set(r, i * MOVES.length); ws.set(moveWeights(r), i * MOVES.length); });
  const shape: [number, number] = [m.y.length, MOVES.length];
  return { x: tf.tensor2d(xs, [m.x.length, F]), y: tf.tensor2d(ys, shape), w: tf.tensor2d(ws, shape) };
}

export async function train(examples: Example[], opts: TrainOptions = DEFAULT_TRAIN, log: (s: string) => void = () => {}) {
  await tf.setBackend('cpu');
  const bySplit = (s: string) => matrix(examples.filter((e) => e.split === s));
  const trainM = bySplit('train'), valM = bySplit('val'), testM = bySplit('test');
  if (trainM.x.length === 0 || valM.x.length === 0) throw new Error('the dataset needs train and val examples');
  const { mean, scale } = standardisation(trainM.x);
  const trainT = tensors(trainM, mean, scale), valT = tensors(valM, mean, scale);
  const model = buildModel({ inputs: mean.length, hidden: opts.hidden, outputs: MOVES.length, seed: opts.seed });
  const optimizer = tf.train.adam(opts.learningRate);
  const rand = mulberry32(opts.seed);
  const n = trainM.x.length;
  let best = { loss: Infinity, epoch: -1, weights: model.getWeights().map((w) => w.clone()) };
  const history: { epoch: number; train: number; val: number }[] = [];
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    // seeded Fisher–Yates: TF.js's own shuffle uses Math.random
    const order = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) { const j = Math.floor(rand() * (i + 1)); [order[i], order[j]] = [order[j], order[i]]; }
    let sum = 0;
    for (let b = 0; b < n; b += opts.batchSize) {
      const idx = tf.tensor1d(order.slice(b, b + opts.batchSize), 'int32');
      const loss = optimizer.minimize(() => tf.tidy(() => {
        const xb = tf.gather(trainT.x, idx), yb = tf.gather(trainT.y, idx), wb = tf.gather(trainT.w, idx);
        const fit = tf.losses.meanSquaredError(yb, model.apply(xb) as tf.Tensor, wb);
        const decay = model.layers.reduce((s, l) => s.add(tf.sum(tf.square(l.getWeights()[0]))), tf.scalar(0));
        return fit.add(decay.mul(opts.l2)) as tf.Scalar;
      }), true) as tf.Scalar;
      sum += loss.dataSync()[0] * idx.shape[0];
      loss.dispose();
      idx.dispose();
    }
    const val = tf.tidy(() => tf.losses.meanSquaredError(valT.y, model.predict(valT.x) as tf.Tensor, valT.w).dataSync()[0]);
    history.push({ epoch, train: sum / n, val });
    if (val < best.loss) {
      best.weights.forEach((w) => w.dispose());
      best = { loss: val, epoch, weights: model.getWeights().map((w) => w.clone()) };
    }
    if (epoch % 10 === 0) log(`epoch ${epoch}: train ${(sum / n).toFixed(4)}, val ${val.toFixed(4)} (best ${best.loss.toFixed(4)} at ${best.epoch})`);
    if (epoch - best.epoch >= opts.patience) break;
  }
  model.setWeights(best.weights);
  const spec = toMlpSpec(model, mean, scale);
  const meanMove = MOVE_NAMES.map((_, j) => trainM.y.reduce((s, r) => s + r[j], 0) / n);
  const evaluate = (m: Matrix) => {
    if (m.x.length === 0) return null;
    const pred = predictTf(model, spec, m.x);
    return { examples: m.x.length, model: maePerMove(pred, m.y), trainMean: maePerMove(m.x.map(() => Float32Array.from(meanMove)), m.y) };
  };
  return { model, spec, bestEpoch: best.epoch, history, metrics: { val: evaluate(valM), test: evaluate(testM) }, testM, counts: { train: n, val: valM.x.length, test: testM.x.length } };
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const i = process.argv.indexOf('--data');
  const dataset = i >= 0 ? process.argv[i + 1] : DATASET;
  const examples = readFileSync(dataset, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Example);
  if (examples.some((e) => e.featureVersion !== FEATURE_VERSION)) throw new Error(`${dataset}: made with another feature version; run make-dataset again`);
  const result = await train(examples, DEFAULT_TRAIN, (s) => process.stderr.write(`${s}\n`));
  const songs = (s: string) => [...new Set(examples.filter((e) => e.split === s).map((e) => e.song))];
  const trainedWith = { date: new Date().toISOString().slice(0, 10), options: DEFAULT_TRAIN, bestEpoch: result.bestEpoch, examples: result.counts, songs: { train: songs('train').length, val: songs('val').length, test: songs('test').length } };
  const bytes = mlpToOnnx(result.spec, {
    'refmaster.featureVersion': String(FEATURE_VERSION),
    'refmaster.inputNames': JSON.stringify(modelInputNames()),
    'refmaster.outputNames': JSON.stringify(MOVE_NAMES),
    'refmaster.trainedWith': JSON.stringify(trainedWith),
  }, 'refmaster assistant: proposes mastering moves from the features of a mix and a reference (see models/README.md)');
  mkdirSync(dirname(MODEL_PATH), { recursive: true });
  writeFileSync(`${MODEL_PATH}.tmp`, bytes);
  renameSync(`${MODEL_PATH}.tmp`, MODEL_PATH);
  // a few held-out examples, spread over the test songs, with TF.js's outputs for the CI test
  const picks = result.testM.examples.filter((_, i, all) => i % Math.max(1, Math.floor(all.length / SHIPPED_EXAMPLES)) === 0).slice(0, SHIPPED_EXAMPLES);
  const shipped = picks.map((e) => ({ song: e.song, index: e.index, mix: e.mix, reference: e.reference, moves: e.moves, tfjs: Array.from(predictTf(result.model, result.spec, [modelInput(e.mix, e.reference)])[0]) }));
  const meta = { ...trainedWith, metrics: result.metrics, moveNames: MOVE_NAMES, history: result.history.filter((h) => h.epoch % 5 === 0), heldOutExamples: shipped, trainSeconds: Math.round((performance.now() - t0) / 1000) };
  writeFileSync(META_PATH, JSON.stringify(meta, null, 1) + '\n');
  const fmt = (v: number[] | undefined) => v?.map((x) => x.toFixed(3)).join(' ') ?? '–';
  process.stderr.write(`best epoch ${result.bestEpoch}; test MAE per move (${MOVE_NAMES.join(' ')}):\n  model ${fmt(result.metrics.test?.model)}\n  mean  ${fmt(result.metrics.test?.trainMean)}\nwrote ${MODEL_PATH} (${bytes.length} bytes) and ${META_PATH}\n`);
}

if (process.argv[1] && import.meta.filename === process.argv[1]) await main();
