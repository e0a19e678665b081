/**
 * Loads the parameter model (an ONNX file written by training/onnx-export.ts) with onnxruntime-node
 * and runs it. The file describes itself in its metadata_props (read with onnx-proto, since the
 * runtime does not expose them): the feature version it was trained on and the names of its inputs
 * and outputs, so a model that does not fit this analyzer is refused before it is run.
 */
import { readFile } from 'node:fs/promises';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { UserError } from '../util/errors.js';

export const ONNX_INPUT = 'features';
export const ONNX_OUTPUT = 'params';

export interface ModelInfo {
  featureVersion: number;
  inputNames: string[];
  outputNames: string[];
  /** Free-form facts from training (date, data, seed), shown by `suggest --json`. */
  trainedWith: Record<string, unknown>;
}

export interface LoadedModel {
  path: string;
  info: ModelInfo;
  /** Runs a batch: one row of inputNames.length features per example, one row of outputNames.length values in [0, 1] back. */
  run(rows: Float32Array[]): Promise<Float32Array[]>;
}

function metadata(bytes: Uint8Array, path: string): ModelInfo {
  let model;
  try {
    model = onnxProto.onnx.ModelProto.decode(bytes);
  } catch {
    throw new UserError(`${path}: not an ONNX model (it does not parse as ModelProto)`);
  }
  const props = new Map(model.metadataProps.map((p) => [p.key ?? '', p.value ?? '']));
  const json = (key: string) => {
    const v = props.get(key);
    if (v === undefined) throw new UserError(`${path}: not a refmaster model (metadata "${key}" is missing)`);
    try {
      return JSON.parse(v) as unknown;
    } catch {
      throw new UserError(`${path}: metadata "${key}" is not valid JSON`);
    }
  };
  const featureVersion = json('refmaster.featureVersion');
  const inputNames = json('refmaster.inputNames');
  const outputNames = json('refmaster.outputNames');
  const isNames = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');
  if (typeof featureVersion !== 'number' || !isNames(inputNames) || !isNames(outputNames)) throw new UserError(`${path}: refmaster metadata has the wrong types`);
  const trainedWith = props.has('refmaster.trainedWith') ? (json('refmaster.trainedWith') as Record<string, unknown>) : {};
  return { featureVersion, inputNames, outputNames, trainedWith };
}

export async function loadModel(path: string): Promise<LoadedModel> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (e) {
    throw new UserError(`${path}: cannot read the model (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const info = metadata(bytes, path);
  let session: ort.InferenceSession;
  try {
    // one thread: inference is tiny, and renders are single-threaded by design
    session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
  } catch (e) {
    throw new UserError(`${path}: onnxruntime cannot load the model (${(e as Error).message.split('\n')[0]})`);
  }
  const F = info.inputNames.length, P = info.outputNames.length;
  return {
    path,
    info,
    async run(rows) {
      const data = new Float32Array(rows.length * F);
      for (const [i, r] of rows.entries()) {
        if (r.length !== F) throw new Error(`model input has ${r.length} values, the model takes ${F}`);
        data.set(r, i * F);
      }
      const out = await session.run({ [ONNX_INPUT]: new ort.Tensor('float32', data, [rows.length, F]) });
      const y = out[ONNX_OUTPUT].data as Float32Array;
      if (y.length !== rows.length * P) throw new UserError(`${path}: the model gives ${y.length / rows.length} outputs, its metadata names ${P}`);
      return rows.map((_, i) => y.slice(i * P, (i + 1) * P));
    },
  };
}
