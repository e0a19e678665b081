/**
 * The parameter model's architecture, shared by training (TF.js), export (ONNX) and the tests: a
 * standardised input followed by dense layers. Keeping it this small (a few 10k weights) keeps
 * inference far under a millisecond and the ONNX file under a megabyte.
 */
export type Activation = 'relu' | 'sigmoid' | 'linear';

export interface DenseLayer {
  inputs: number;
  outputs: number;
  /** Row-major [inputs][outputs], as TF.js stores a Dense kernel. */
  kernel: Float32Array;
  bias: Float32Array;
  activation: Activation;
}

export interface MlpSpec {
  /** x' = (x − inputMean) / inputScale, per feature, before the first layer. */
  inputMean: Float32Array;
  inputScale: Float32Array;
  layers: DenseLayer[];
}

/** Checks the shapes chain together; the exporter and the loader both rely on it. */
export function checkMlp(spec: MlpSpec): void {
  const n = spec.inputMean.length;
  if (spec.inputScale.length !== n) throw new Error(`mlp: inputScale has ${spec.inputScale.length} values for ${n} inputs`);
  let width = n;
  for (const [i, l] of spec.layers.entries()) {
    if (l.inputs !== width) throw new Error(`mlp: layer ${i} takes ${l.inputs} inputs, the previous gives ${width}`);
    if (l.kernel.length !== l.inputs * l.outputs || l.bias.length !== l.outputs) throw new Error(`mlp: layer ${i} has wrong weight sizes`);
    width = l.outputs;
  }
}
