import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/assistant/onnx-model.js';
import { mlpToOnnx } from '../../training/onnx-export.js';
import { buildModel, predictTf, toMlpSpec } from '../../training/tf-model.js';
import { seededNoise } from '../helpers/signals.js';

const dir = mkdtempSync(join(tmpdir(), 'refmaster-onnx-'));

function exported(seed: number) {
  const F = 12, P = 5;
  const model = buildModel({ inputs: F, hidden: [16, 8], outputs: P, seed });
  // a standardisation far from identity, so a mistake in its sign or order shows
  const mean = Float32Array.from({ length: F }, (_, j) => -20 + 3 * j);
  const scale = Float32Array.from({ length: F }, (_, j) => 0.5 + j);
  const spec = toMlpSpec(model, mean, scale);
  const path = join(dir, `m${seed}.onnx`);
  const metadata = { 'refmaster.featureVersion': '7', 'refmaster.inputNames': JSON.stringify(Array.from({ length: F }, (_, j) => `f${j}`)), 'refmaster.outputNames': JSON.stringify(Array.from({ length: P }, (_, j) => `p${j}`)) };
  writeFileSync(path, mlpToOnnx(spec, metadata));
  return { model, spec, path, F, P };
}

describe('ONNX export', () => {
  it('onnxruntime-node gives what TF.js gives on the same inputs, within 1e-4', async () => {
    await tf.setBackend('cpu');
    const { model, spec, path, F } = exported(3);
    const noise = seededNoise(64 * F, 1, 11);
    const rows = Array.from({ length: 64 }, (_, i) => Float32Array.from(noise.subarray(i * F, (i + 1) * F), (v, j) => spec.inputMean[j] + 4 * v * spec.inputScale[j]));
    const expected = predictTf(model, spec, rows);
    const loaded = await loadModel(path);
    const got = await loaded.run(rows);
    let worst = 0, spread = 0;
    for (const [i, r] of got.entries()) {
      for (const [j, v] of r.entries()) {
        worst = Math.max(worst, Math.abs(v - expected[i][j]));
        spread = Math.max(spread, Math.abs(v - 0.5));
      }
    }
    expect(worst).toBeLessThan(1e-4);
    // the outputs vary (the comparison is not of constants): sigmoid outputs away from 0.5
    expect(spread).toBeGreaterThan(0.05);
  });

  it('reads the metadata back and refuses a file that is not a model, in one line naming it', async () => {
    const { path } = exported(4);
    const loaded = await loadModel(path);
    expect(loaded.info.featureVersion).toBe(7);
    expect(loaded.info.outputNames).toEqual(['p0', 'p1', 'p2', 'p3', 'p4']);
    const bad = join(dir, 'bad.onnx');
    writeFileSync(bad, 'this is not a model');
    await expect(loadModel(bad)).rejects.toThrow(new RegExp(`^${bad.replace(/[.\\/]/g, '\\$&')}: `));
    await expect(loadModel(join(dir, 'missing.onnx'))).rejects.toThrow(/missing\.onnx: cannot read the model \(ENOENT\)/);
  });
});
