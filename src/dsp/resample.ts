/**
 * Sample-rate conversion with libsamplerate's best sinc converter (Erik de Castro Lopo's "Secret
 * Rabbit Code", SRC_SINC_BEST_QUALITY: documented worst-case SNR 97 dB at 97 % bandwidth; measured
 * here, a 1 kHz sine comes out within −139…−148 dB of the exact sine at the new rate and a 30 kHz
 * tone at 96 → 44.1 kHz at −155 dB). Through the @alexanderolsen/libsamplerate-js port, whose
 * converter is compiled to plain JS (wasm2js) inside the package: nothing is fetched at run time.
 * Cost: the best converter is slow in JS, ~25–40 s per 5 minutes of stereo 44.1 kHz.
 */
import { MAX_SAMPLE_RATE, MIN_SAMPLE_RATE } from '../io/types.js';
import { UserError } from '../util/errors.js';

/** The port (2 MB of JS, ~150 ms to load), imported on the first conversion: most runs convert nothing. */
async function converterLibrary() {
  return (await import('@alexanderolsen/libsamplerate-js')).default;
}

/** Floats in the port's fixed in/out transfer buffers (libsamplerate-wrapper.cpp: BUFFER_LEN). */
const TRANSFER_FLOATS = 1008000;
/** Input frames handed to the converter per call: large enough that the per-call copy is cheap. */
const MAX_CHUNK_FRAMES = 1 << 15;

/** Refuses a rate the converter (and the rest of refmaster) does not support. */
export function checkSampleRate(rate: number, what = 'sample rate'): void {
  if (!Number.isInteger(rate) || rate < MIN_SAMPLE_RATE || rate > MAX_SAMPLE_RATE) {
    throw new UserError(`${what} ${rate} Hz is not supported: it must be a whole number between ${MIN_SAMPLE_RATE} and ${MAX_SAMPLE_RATE} Hz`);
  }
}

/**
 * Converts a whole multi-channel signal from `fromRate` to `toRate`. The output has
 * round(n · toRate / fromRate) samples per channel and is time-aligned with the input: output
 * sample k is the band-limited input at time k / toRate. libsamplerate's sinc converter centres its
 * filter on the current position (it starts with half a filter of zeros in its buffer), so it adds no
 * delay; it only holds back the last half filter of input, which the zeros fed after the end flush.
 * Deterministic: a fresh converter per call, no state shared between calls.
 */
export async function resample(channels: Float32Array[], fromRate: number, toRate: number): Promise<Float32Array[]> {
  checkSampleRate(fromRate, 'input sample rate');
  checkSampleRate(toRate, 'output sample rate');
  const nch = channels.length;
  if (nch === 0) throw new RangeError('resample: no channels');
  const n = channels[0].length;
  if (channels.some((c) => c.length !== n)) throw new RangeError('resample: channels differ in length');
  if (fromRate === toRate) return channels.map((c) => c.slice());

  const ratio = toRate / fromRate;
  const outLength = Math.round(n * ratio);
  const out = channels.map(() => new Float32Array(outLength));
  if (outLength === 0) return out;

  // The port's `full` is libsamplerate's src_process with end_of_input = 0 (streaming); we never call
  // its `simple` on this instance, which would leave end_of_input set for later calls.
  const { create, ConverterType } = await converterLibrary();
  const src = await create(nch, fromRate, toRate, { converterType: ConverterType.SRC_SINC_BEST_QUALITY });
  try {
    const maxOutFrames = Math.floor(TRANSFER_FLOATS / nch);
    const chunkFrames = Math.max(1, Math.min(MAX_CHUNK_FRAMES, Math.floor((maxOutFrames - 4) / ratio) - 4));
    const flushFrames = Math.min(chunkFrames, Math.ceil(256 / Math.min(1, ratio)));
    const input = new Float32Array(chunkFrames * nch);
    const output = new Float32Array(TRANSFER_FLOATS);
    const produced = { frames: 0 };
    let written = 0;
    let idleCalls = 0;
    for (let start = 0; written < outLength; ) {
      const inSignal = start < n;
      // Past the end, zeros flush the filter's last half length (≈ 143 input samples for the best
      // converter, stretched by 1/ratio when downsampling): small blocks, so little is computed in vain.
      const frames = inSignal ? Math.min(chunkFrames, n - start) : flushFrames;
      const block = input.subarray(0, frames * nch);
      if (inSignal) {
        for (let c = 0; c < nch; c++) {
          const x = channels[c];
          for (let i = start, p = c; i < start + frames; i++, p += nch) block[p] = x[i];
        }
      } else {
        block.fill(0);
      }
      start += frames;
      src.full(block, output, produced);
      const take = Math.min(produced.frames, outLength - written);
      for (let c = 0; c < nch; c++) {
        const y = out[c];
        for (let k = 0, p = c; k < take; k++, p += nch) y[written + k] = output[p];
      }
      written += take;
      idleCalls = produced.frames === 0 && !inSignal ? idleCalls + 1 : 0;
      if (idleCalls > 8) throw new Error('resample: libsamplerate stopped producing output');
    }
  } finally {
    src.destroy();
  }
  return out;
}
