/** In-memory StereoAudio for tests that hand signals straight to the analysis or the renderer (no file). */
import type { StereoAudio } from '../../src/io/types.js';

/** `left`/`right` at `sampleRate`, described as if decoded from a 32-bit float stereo WAV at `path`. */
export function floatWavAudio(left: Float32Array, right: Float32Array, sampleRate: number, path = 'test.wav'): StereoAudio {
  return {
    left,
    right,
    sampleRate,
    source: { path, container: 'wav', codec: 'pcm_f32le', bitDepth: 32, sampleRate, channels: 2, lossy: false, bitrateKbps: null },
  };
}
