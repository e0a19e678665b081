/**
 * The parameter model in TensorFlow.js (@tensorflow/tfjs, any backend: tfjs-node cannot install
 * here), and its conversion to the MlpSpec that onnx-export.ts writes. Initialisation is seeded so
 * that training is repeatable.
 */
import * as tf from '@tensorflow/tfjs';
import type { Activation, MlpSpec } from '../src/assistant/mlp.js';

export interface ModelShape {
  inputs: number;
  hidden: number[];
  outputs: number;
  seed: number;
}

export function buildModel(shape: ModelShape): tf.Sequential {
  const model = tf.sequential();
  const widths = [...shape.hidden, shape.outputs];
  for (const [i, units] of widths.entries()) {
    const last = i === widths.length - 1;
    model.add(
      tf.layers.dense({
        units,
        inputShape: i === 0 ? [shape.inputs] : undefined,
        // sigmoid outputs are the normalised parameters: every proposal is inside the schema's ranges
        activation: last ? 'sigmoid' : 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed: shape.seed + i }),
        biasInitializer: 'zeros',
      }),
    );
  }
  return model;
}

/** The weights as plain arrays, with the input standardisation the model was trained behind. */
export function toMlpSpec(model: tf.Sequential, inputMean: Float32Array, inputScale: Float32Array): MlpSpec {
  return {
    inputMean,
    inputScale,
    layers: model.layers.map((layer) => {
      const [kernel, bias] = layer.getWeights();
      const [inputs, outputs] = kernel.shape as [number, number];
      const activation = (layer.getConfig().activation as string) as Activation;
      return { inputs, outputs, kernel: new Float32Array(kernel.dataSync()), bias: new Float32Array(bias.dataSync()), activation };
    }),
  };
}

/** TF.js's own prediction on standardised inputs, for the export parity check. */
export function predictTf(model: tf.Sequential, spec: MlpSpec, rows: Float32Array[]): Float32Array[] {
  const F = spec.inputMean.length;
  return tf.tidy(() => {
    const x = tf.tensor2d(rows.flatMap((r) => Array.from(r, (v, j) => (v - spec.inputMean[j]) / spec.inputScale[j])), [rows.length, F]);
    const y = (model.predict(x) as tf.Tensor2D).arraySync();
    return y.map((r) => Float32Array.from(r));
  });
}
