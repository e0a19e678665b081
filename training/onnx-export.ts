/**
 * Writes an MlpSpec as an ONNX model (opset 13) with the ONNX protobuf definitions from npm
 * (onnx-proto), so inference needs only onnxruntime-node. The graph is
 *   features [N, F] → Sub(mean) → Div(scale) → (MatMul → Add → activation)* → params [N, P]
 * and the model's metadata_props carry what the loader must check (feature version, names).
 */
import onnxProto from 'onnx-proto';
import { checkMlp, type MlpSpec } from '../src/assistant/mlp.js';
import { ONNX_INPUT, ONNX_OUTPUT } from '../src/assistant/onnx-model.js';

const { onnx } = onnxProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const OPSET = 13;

function tensor(name: string, dims: number[], values: Float32Array): InstanceType<typeof onnx.TensorProto> {
  // raw_data is little-endian float32, the layout of a Float32Array on every platform Node runs on
  return onnx.TensorProto.create({ name, dims, dataType: FLOAT, rawData: new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength)) });
}

function valueInfo(name: string, width: number) {
  return onnx.ValueInfoProto.create({
    name,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({
        elemType: FLOAT,
        shape: onnx.TensorShapeProto.create({ dim: [onnx.TensorShapeProto.Dimension.create({ dimParam: 'N' }), onnx.TensorShapeProto.Dimension.create({ dimValue: width })] }),
      }),
    }),
  });
}

export function mlpToOnnx(spec: MlpSpec, metadata: Record<string, string>, docString = ''): Uint8Array {
  checkMlp(spec);
  const F = spec.inputMean.length;
  const initializer = [tensor('input_mean', [F], spec.inputMean), tensor('input_scale', [F], spec.inputScale)];
  const node = [
    onnx.NodeProto.create({ opType: 'Sub', input: [ONNX_INPUT, 'input_mean'], output: ['centred'], name: 'standardise_sub' }),
    onnx.NodeProto.create({ opType: 'Div', input: ['centred', 'input_scale'], output: ['h0'], name: 'standardise_div' }),
  ];
  let current = 'h0';
  for (const [i, layer] of spec.layers.entries()) {
    const last = i === spec.layers.length - 1;
    initializer.push(tensor(`W${i}`, [layer.inputs, layer.outputs], layer.kernel), tensor(`b${i}`, [layer.outputs], layer.bias));
    node.push(onnx.NodeProto.create({ opType: 'MatMul', input: [current, `W${i}`], output: [`mm${i}`], name: `dense${i}_matmul` }));
    const pre = layer.activation === 'linear' ? (last ? ONNX_OUTPUT : `h${i + 1}`) : `z${i}`;
    node.push(onnx.NodeProto.create({ opType: 'Add', input: [`mm${i}`, `b${i}`], output: [pre], name: `dense${i}_bias` }));
    const out = last ? ONNX_OUTPUT : `h${i + 1}`;
    if (layer.activation === 'relu') node.push(onnx.NodeProto.create({ opType: 'Relu', input: [pre], output: [out], name: `dense${i}_relu` }));
    if (layer.activation === 'sigmoid') node.push(onnx.NodeProto.create({ opType: 'Sigmoid', input: [pre], output: [out], name: `dense${i}_sigmoid` }));
    current = out;
  }
  const P = spec.layers[spec.layers.length - 1].outputs;
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'refmaster',
    opsetImport: [onnx.OperatorSetIdProto.create({ domain: '', version: OPSET })],
    docString,
    graph: onnx.GraphProto.create({ name: 'refmaster_assistant', node, initializer, input: [valueInfo(ONNX_INPUT, F)], output: [valueInfo(ONNX_OUTPUT, P)] }),
    metadataProps: Object.entries(metadata).map(([key, value]) => onnx.StringStringEntryProto.create({ key, value })),
  });
  return onnx.ModelProto.encode(model).finish();
}
