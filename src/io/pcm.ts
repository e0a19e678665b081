/**
 * Interleaved PCM bytes → per-channel float32, block by block (shared by the WAV and AIFF readers).
 * Integers scale by 1 / 2^(bits-1) of their container, so the most negative code maps to exactly -1.0 and
 * every code of up to 24 bits is exact in float32; 8-bit WAV is unsigned (offset 128), 8-bit AIFF is signed.
 */
export interface PcmLayout {
  kind: 'int' | 'uint' | 'float';
  /** Bytes per sample (the container; valid bits may be fewer, left-justified). */
  bytes: 1 | 2 | 3 | 4 | 8;
  littleEndian: boolean;
  channels: number;
}

export interface NonFinite {
  /** Frame index within the converted block. */
  frame: number;
  channel: number;
  value: number;
}

/**
 * Converts `frames` frames starting at `src[0]` into `out[c][outStart ..]` (one array per channel).
 * Returns the first non-finite float sample of the block, or null.
 */
export function pcmToFloat(
  src: Uint8Array,
  frames: number,
  layout: PcmLayout,
  out: Float32Array[],
  outStart: number,
): NonFinite | null {
  const stride = layout.bytes * layout.channels;
  for (let c = 0; c < layout.channels; c++) {
    const dst = out[c];
    const p0 = c * layout.bytes;
    if (layout.kind === 'float') {
      const bad = layout.bytes === 4
        ? float32(src, p0, stride, frames, layout.littleEndian, dst, outStart)
        : float64(src, p0, stride, frames, layout.littleEndian, dst, outStart);
      if (bad >= 0) return { frame: bad, channel: c, value: dst[outStart + bad] };
      continue;
    }
    switch (layout.bytes) {
      case 1:
        int8(src, p0, stride, frames, layout.kind === 'uint', dst, outStart);
        break;
      case 2:
        int16(src, p0, stride, frames, layout.littleEndian, dst, outStart);
        break;
      case 3:
        int24(src, p0, stride, frames, layout.littleEndian, dst, outStart);
        break;
      case 4:
        int32(src, p0, stride, frames, layout.littleEndian, dst, outStart);
        break;
      default:
        throw new Error(`pcmToFloat: no ${layout.bytes}-byte integer samples`);
    }
  }
  return null;
}

// Byte order is chosen once per block by picking which byte is most significant, so the loops don't branch.

function int8(src: Uint8Array, p: number, stride: number, n: number, unsigned: boolean, dst: Float32Array, o: number) {
  const scale = 1 / 128;
  if (unsigned) {
    for (let i = 0; i < n; i++, p += stride) dst[o + i] = (src[p] - 128) * scale;
  } else {
    for (let i = 0; i < n; i++, p += stride) dst[o + i] = ((src[p] << 24) >> 24) * scale;
  }
}

function int16(src: Uint8Array, p: number, stride: number, n: number, le: boolean, dst: Float32Array, o: number) {
  const scale = 1 / 32768;
  const hi = le ? 1 : 0;
  const lo = le ? 0 : 1;
  for (let i = 0; i < n; i++, p += stride) {
    dst[o + i] = (((src[p + hi] << 24) >> 16) | src[p + lo]) * scale;
  }
}

function int24(src: Uint8Array, p: number, stride: number, n: number, le: boolean, dst: Float32Array, o: number) {
  if (le && n > 1 && p >= 1) return int24le(src, p, stride, n, dst, o);
  if (le && n > 1) {
    // The block's first sample has no byte before it to read as the low byte of a 32-bit word.
    int24Bytes(src, p, stride, 1, true, dst, o);
    return int24le(src, p + stride, stride, n - 1, dst, o + 1);
  }
  int24Bytes(src, p, stride, n, le, dst, o);
}

/**
 * Little-endian 24-bit samples with a byte before each: one unaligned 32-bit load per sample (bytes
 * p−1 … p+2, the sample in the top 24 bits) instead of three byte loads; (s·2^8)·2^−31 = s·2^−23 exactly.
 */
function int24le(src: Uint8Array, p: number, stride: number, n: number, dst: Float32Array, o: number) {
  const scale = 1 / 2147483648;
  const view = new DataView(src.buffer, src.byteOffset, src.byteLength);
  for (let i = 0, q = p - 1; i < n; i++, q += stride) dst[o + i] = (view.getInt32(q, true) & -256) * scale;
}

function int24Bytes(src: Uint8Array, p: number, stride: number, n: number, le: boolean, dst: Float32Array, o: number) {
  const scale = 1 / 8388608;
  const b2 = le ? 2 : 0;
  const b0 = le ? 0 : 2;
  for (let i = 0; i < n; i++, p += stride) {
    dst[o + i] = (((src[p + b2] << 24) >> 8) | (src[p + 1] << 8) | src[p + b0]) * scale;
  }
}

function int32(src: Uint8Array, p: number, stride: number, n: number, le: boolean, dst: Float32Array, o: number) {
  const scale = 1 / 2147483648;
  const b3 = le ? 3 : 0;
  const b2 = le ? 2 : 1;
  const b1 = le ? 1 : 2;
  const b0 = le ? 0 : 3;
  for (let i = 0; i < n; i++, p += stride) {
    dst[o + i] = ((src[p + b3] << 24) | (src[p + b2] << 16) | (src[p + b1] << 8) | src[p + b0]) * scale;
  }
}

const LITTLE_ENDIAN_HOST = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** Returns the index of the first non-finite sample, or -1. */
function float32(src: Uint8Array, p: number, stride: number, n: number, le: boolean, dst: Float32Array, o: number): number {
  let bad = -1;
  if (le === LITTLE_ENDIAN_HOST && (src.byteOffset & 3) === 0) {
    // Native byte order and aligned: read through a Float32Array view, several times faster than a DataView.
    const f = new Float32Array(src.buffer, src.byteOffset, src.byteLength >> 2);
    const step = stride >> 2;
    for (let i = 0, q = p >> 2; i < n; i++, q += step) {
      const v = f[q];
      dst[o + i] = v;
      if (v - v !== 0 && bad < 0) bad = i;
    }
    return bad;
  }
  const view = new DataView(src.buffer, src.byteOffset, src.byteLength);
  for (let i = 0; i < n; i++, p += stride) {
    const v = view.getFloat32(p, le);
    dst[o + i] = v;
    // v - v is NaN exactly when v is NaN or ±Infinity: one test in the hot loop.
    if (v - v !== 0 && bad < 0) bad = i;
  }
  return bad;
}

function float64(src: Uint8Array, p: number, stride: number, n: number, le: boolean, dst: Float32Array, o: number): number {
  const view = new DataView(src.buffer, src.byteOffset, src.byteLength);
  let bad = -1;
  for (let i = 0; i < n; i++, p += stride) {
    // Test after rounding to float32, so a finite double beyond float32 range (→ ±Infinity) is caught too.
    const v = Math.fround(view.getFloat64(p, le));
    dst[o + i] = v;
    if (v - v !== 0 && bad < 0) bad = i;
  }
  return bad;
}
