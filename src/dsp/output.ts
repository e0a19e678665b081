/**
 * The output stage: sample-rate conversion when the chain asks for another rate, then, for PCM
 * formats, dither and quantisation to the file's word length. It works on the whole signal (the
 * resampler does), after the block-wise chain.
 */
import type { OutputParams } from '../chain/spec.js';
import type { WavSampleFormat } from '../io/wav-encode.js';
import { ditherQuantize, type PcmBits } from './dither.js';
import { checkSampleRate, resample } from './resample.js';

export interface RenderedOutput {
  channels: Float32Array[];
  sampleRate: number;
  format: WavSampleFormat;
}

export function outputFormat(params: Pick<OutputParams, 'format'>): WavSampleFormat {
  switch (params.format) {
    case 'pcm16':
      return { kind: 'pcm', bits: 16 };
    case 'pcm24':
      return { kind: 'pcm', bits: 24 };
    case 'float32':
      return { kind: 'float', bits: 32 };
  }
}

/**
 * Converts to `params.sampleRateHz` (null keeps `sampleRate`), then dithers (seeded TPDF, optionally
 * noise-shaped) and quantises for pcm16/pcm24; float32 is passed through unquantised. PCM samples come
 * back as floats on encodeWav's integer grid, so writing them with the returned format is lossless.
 * The inputs are never modified; with nothing to do (same rate, float32) they are returned as they are.
 * Same input, parameters and seed → the same bits.
 */
export async function renderOutput(left: Float32Array, right: Float32Array, sampleRate: number, params: OutputParams): Promise<RenderedOutput> {
  checkSampleRate(sampleRate, 'input sample rate');
  const toRate = params.sampleRateHz ?? sampleRate;
  const format = outputFormat(params);
  const converted = toRate !== sampleRate;
  const channels = converted ? await resample([left, right], sampleRate, toRate) : [left, right];
  if (format.kind === 'float') return { channels, sampleRate: toRate, format };
  const quantized = ditherQuantize(
    channels,
    { bits: format.bits as PcmBits, dither: params.dither, noiseShaping: params.noiseShaping, seed: params.ditherSeed },
    { inPlace: converted }, // the resampler's arrays are ours to overwrite; the caller's are not
  );
  return { channels: quantized, sampleRate: toRate, format };
}
