/**
 * The assistant: the model's proposal for a mix, given the features of references or of a target
 * profile, with one plain-language reason per move drawn from the same features the model saw.
 */
import { FEATURE_VERSION, FEATURES } from '../analysis/features.js';
import { UserError } from '../util/errors.js';
import { shippedFile } from '../util/paths.js';
import { meanFeatures } from './excerpts.js';
import { modelInput, modelInputNames } from './inputs.js';
import { loadModel, type LoadedModel } from './onnx-model.js';
import { AIR_HZ, fromUnit, LOW_MID_HZ, LOW_SHELF_HZ, MOVE_NAMES, PRESENCE_HZ, type MoveName, type Moves } from './params.js';

export const DEFAULT_MODEL_PATH = shippedFile('models/assistant.onnx');

export interface MoveReason {
  move: MoveName;
  value: number;
  /** What is set, with units ("glue 1.6:1, about 1.5 dB gain reduction"). */
  setting: string;
  /** Why, from the features ("the mix's loudness range is 4.1 LU more than the reference's"). */
  reason: string;
  /** False when the move is small enough to leave out. */
  active: boolean;
}

export interface Suggestion {
  moves: Moves;
  reasons: MoveReason[];
  model: string;
}

/** Loads the model and checks it was trained on this analyzer's features and this parameter space. */
export async function loadAssistantModel(path = DEFAULT_MODEL_PATH): Promise<LoadedModel> {
  const model = await loadModel(path);
  const { info } = model;
  if (info.featureVersion !== FEATURE_VERSION) throw new UserError(`${path}: the model was trained on feature version ${info.featureVersion}, this analyzer gives version ${FEATURE_VERSION}`);
  if (info.inputNames.join() !== modelInputNames().join()) throw new UserError(`${path}: the model's inputs are not this analyzer's features`);
  if (info.outputNames.join() !== MOVE_NAMES.join()) throw new UserError(`${path}: the model proposes ${info.outputNames.join(', ')}, this refmaster knows ${MOVE_NAMES.join(', ')}`);
  return model;
}

/**
 * The moves for a mix given as the features of its excerpts (excerpts.ts): the model runs on each
 * excerpt against the reference and its outputs are averaged (in [0, 1]), so one odd excerpt moves
 * the proposal by its share only. Reasons are told from the excerpts' mean.
 */
export async function suggest(model: LoadedModel, mixRows: number[][], reference: number[]): Promise<Suggestion> {
  for (const [what, v] of [['mix', mixRows.flat()], ['reference', reference]] as const) {
    if (v.length === 0 || v.some((x) => !Number.isFinite(x))) throw new UserError(`the ${what}'s features are not all finite: the model has nothing to go on`);
  }
  const outputs = await model.run(mixRows.map((row) => modelInput(row, reference)));
  const mean = outputs[0].map((_, j) => outputs.reduce((s, y) => s + y[j], 0) / outputs.length);
  const moves = fromUnit(mean);
  return { moves, reasons: explain(moves, meanFeatures(mixRows), reference), model: model.path };
}

const index = new Map(FEATURES.map((f, i) => [f.name, i]));
const get = (v: number[], name: string) => v[index.get(name) as number];
const sign = (x: number, d = 1) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(d)}`;

/** Mean level difference (reference − mix, dB re loudness) of the mid bands in [lo, hi] Hz. */
function bandDifference(mix: number[], ref: number[], lo: number, hi: number): number {
  const names = FEATURES.map((f) => f.name).filter((n) => {
    const m = /^spectrum\.midDb\.(\d+)Hz$/.exec(n);
    return m && +m[1] >= lo && +m[1] <= hi;
  });
  const d = names.map((n) => get(ref, n) - get(mix, n)).filter((x) => Math.abs(x) < 60); // fill values mark empty bands
  return d.length ? d.reduce((a, b) => a + b, 0) / d.length : 0;
}

/** Mean side-to-mid level (dB) of the bands from 315 Hz up, where the width move acts. */
function sideOverMid(v: number[]): number {
  const d = FEATURES.map((f) => /^spectrum\.midDb\.(\d+)Hz$/.exec(f.name))
    .filter((m): m is RegExpExecArray => m !== null && +m[1] >= 315 && +m[1] <= 16000)
    .map((m) => get(v, `spectrum.sideDb.${m[1]}Hz`) - get(v, m[0]))
    .filter((x) => Math.abs(x) < 60);
  return d.length ? d.reduce((a, b) => a + b, 0) / d.length : 0;
}

function toneReason(what: string, d: number): string {
  if (Math.abs(d) < 0.5) return `the ${what} is already close to the reference's (${sign(d)} dB)`;
  return `the reference has ${Math.abs(d).toFixed(1)} dB ${d > 0 ? 'more' : 'less'} ${what} than the mix, relative to loudness`;
}

export function explain(moves: Moves, mix: number[], ref: number[]): MoveReason[] {
  const lra = get(mix, 'loudness.rangeLu') - get(ref, 'loudness.rangeLu');
  const crest = get(mix, 'dynamics.crestDb') - get(ref, 'dynamics.crestDb');
  const width = sideOverMid(ref) - sideOverMid(mix);
  const out: MoveReason[] = [];
  const add = (move: MoveName, active: boolean, setting: string, reason: string) => out.push({ move, value: moves[move], setting, reason, active });
  add('lowShelfDb', Math.abs(moves.lowShelfDb) >= 0.3, `low shelf ${sign(moves.lowShelfDb)} dB at ${LOW_SHELF_HZ} Hz`, toneReason('bass (50–160 Hz)', bandDifference(mix, ref, 50, 160)));
  add('lowMidDb', Math.abs(moves.lowMidDb) >= 0.3, `${sign(moves.lowMidDb)} dB at ${LOW_MID_HZ} Hz`, toneReason('low-mid (200–400 Hz)', bandDifference(mix, ref, 200, 400)));
  add('presenceDb', Math.abs(moves.presenceDb) >= 0.3, `${sign(moves.presenceDb)} dB at ${PRESENCE_HZ / 1000} kHz`, toneReason('presence (2–5 kHz)', bandDifference(mix, ref, 2000, 5000)));
  add('airDb', Math.abs(moves.airDb) >= 0.3, `air shelf ${sign(moves.airDb)} dB at ${AIR_HZ / 1000} kHz`, toneReason('air (8–16 kHz)', bandDifference(mix, ref, 8000, 16000)));
  const glue = moves.glueReductionDb >= 0.3;
  add('glueReductionDb', glue, glue ? `glue ${moves.glueRatio.toFixed(2)}:1, about ${moves.glueReductionDb.toFixed(1)} dB gain reduction on the loud passages` : 'no glue compression',
    Math.abs(lra) < 0.5 ? `the mix's loudness range is already the reference's (${sign(lra)} LU)` : `the mix's short-term loudness swings ${Math.abs(lra).toFixed(1)} LU ${lra > 0 ? 'more' : 'less'} than the reference's`);
  add('glueRatio', glue, `ratio ${moves.glueRatio.toFixed(2)}:1`, 'part of the glue setting');
  add('widthPercent', Math.abs(moves.widthPercent - 100) >= 3, `width ${Math.round(moves.widthPercent)} % above 300 Hz (bass below 120 Hz stays mono)`,
    Math.abs(width) < 0.5 ? `the stereo width above 300 Hz is already close to the reference's (${sign(width)} dB side/mid)` : `above 300 Hz the reference's side is ${Math.abs(width).toFixed(1)} dB ${width > 0 ? 'stronger' : 'weaker'} relative to its mid than the mix's`);
  add('saturationDb', moves.saturationDb >= 0.3, `tape saturation, ${moves.saturationDb.toFixed(1)} dB drive`,
    `the mix's crest factor is ${Math.abs(crest).toFixed(1)} dB ${crest > 0 ? 'higher' : 'lower'} than the reference's`);
  return out;
}
