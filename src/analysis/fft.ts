/**
 * Thin typed wrapper around fft.js (radix-4, in-place tables, works on typed arrays).
 * Spectra are interleaved complex arrays: [re0, im0, re1, im1, …], length 2·size.
 * Forward transform convention: X[k] = Σ x[n]·e^(−2πi·kn/N), no scaling.
 */
import FFTImpl from 'fft.js';

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n >= 2 && (n & (n - 1)) === 0;
}

/** The power of two nearest to `x` on a log scale (so 0.37 s is 16384 samples at both 44.1 and 48 kHz). */
export function nearestPowerOfTwo(x: number): number {
  if (!(x >= 1)) throw new RangeError(`nearestPowerOfTwo: ${x} is not ≥ 1`);
  return 2 ** Math.round(Math.log2(x));
}

export class Fft {
  readonly size: number;
  private readonly impl: FFTImpl;

  constructor(size: number) {
    if (!isPowerOfTwo(size) || size < 4) throw new RangeError(`FFT size must be a power of two ≥ 4, got ${size}`);
    this.size = size;
    this.impl = new FFTImpl(size);
  }

  /** A zeroed interleaved complex buffer of length 2·size. */
  createComplex(): Float64Array {
    return new Float64Array(2 * this.size);
  }

  /** Forward complex DFT of interleaved `input` into `out` (both length 2·size, distinct arrays). */
  complex(out: Float64Array, input: Float64Array): void {
    this.check(out, 2 * this.size, 'out');
    this.check(input, 2 * this.size, 'input');
    this.impl.transform(out, input);
  }

  /**
   * Forward DFT of the real `input` (length size) into interleaved `out` (length 2·size).
   * Only bins 0..size/2 are written (the rest is the conjugate mirror and is left as garbage).
   */
  real(out: Float64Array, input: Float64Array): void {
    this.check(out, 2 * this.size, 'out');
    this.check(input, this.size, 'input');
    this.impl.realTransform(out, input);
  }

  private check(a: Float64Array, length: number, name: string): void {
    if (a.length !== length) throw new RangeError(`Fft(${this.size}): ${name} has length ${a.length}, expected ${length}`);
  }
}
