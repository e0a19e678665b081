/** Hand-made ONNX models whose output is known exactly, to test the assistant without the trained one. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FEATURE_VERSION } from '../../src/analysis/features.js';
import { modelInputNames } from '../../src/assistant/inputs.js';
import { MOVE_NAMES, toUnit, type Moves } from '../../src/assistant/params.js';
import { mlpToOnnx } from '../../training/onnx-export.js';

const dir = mkdtempSync(join(tmpdir(), 'refmaster-model-'));
let count = 0;

/**
 * A model that proposes `moves` whatever its input: a zero kernel and the bias logit(u), so its
 * sigmoid gives u = the moves normalised. `meta` overrides the metadata (to test refusals).
 */
export function constantModel(moves: Moves, meta: Record<string, string> = {}): string {
  const F = modelInputNames().length, P = MOVE_NAMES.length;
  const u = toUnit(moves);
  const bias = Float32Array.from(u, (x) => Math.log(x / (1 - x)));
  const spec = {
    inputMean: new Float32Array(F),
    inputScale: new Float32Array(F).fill(1),
    layers: [{ inputs: F, outputs: P, kernel: new Float32Array(F * P), bias, activation: 'sigmoid' as const }],
  };
  const path = join(dir, `constant${count++}.onnx`);
  writeFileSync(path, mlpToOnnx(spec, {
    'refmaster.featureVersion': String(FEATURE_VERSION),
    'refmaster.inputNames': JSON.stringify(modelInputNames()),
    'refmaster.outputNames': JSON.stringify(MOVE_NAMES),
    ...meta,
  }));
  return path;
}
