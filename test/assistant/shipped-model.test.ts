import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { modelInput } from '../../src/assistant/inputs.js';
import { MOVE_NAMES } from '../../src/assistant/params.js';
import { DEFAULT_MODEL_PATH, loadAssistantModel } from '../../src/assistant/suggest.js';
import { shippedFile } from '../../src/util/paths.js';

interface Meta { heldOutExamples: { song: string; mix: number[]; reference: number[]; moves: number[]; tfjs: number[] }[]; moveNames: string[] }
const meta = JSON.parse(readFileSync(shippedFile('models/assistant.meta.json'), 'utf8')) as Meta;

describe('the shipped model', () => {
  it('loads with onnxruntime-node, fits this analyzer, and gives TF.js\'s predictions on the held-out examples within 1e-4', async () => {
    const model = await loadAssistantModel(DEFAULT_MODEL_PATH);
    expect(meta.moveNames).toEqual(MOVE_NAMES);
    expect(meta.heldOutExamples.length).toBeGreaterThanOrEqual(4);
    const got = await model.run(meta.heldOutExamples.map((e) => modelInput(e.mix, e.reference)));
    for (const [i, e] of meta.heldOutExamples.entries()) {
      for (const [j, v] of got[i].entries()) {
        expect(Math.abs(v - e.tfjs[j])).toBeLessThan(1e-4);
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
      }
    }
  });
});
