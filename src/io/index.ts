export { decodeBytes, decodeFile } from './decode.js';
export { encodeWav, writeWavFile, type WavSampleFormat } from './wav-encode.js';
export { MAX_SAMPLE_RATE, MIN_SAMPLE_RATE, type SourceInfo, type StereoAudio } from './types.js';
