/**
 * FFT on PFFFT (Pommier's SIMD FFT, compiled to WebAssembly with SIMD: @echogarden/pffft-wasm).
 * It runs ~3x faster than the pure-JS fft.js, which was most of the analysis time. Transforms are
 * single precision; the band levels we derive from them need far less than float32's ~140 dB.
 *
 * Buffers live in the WebAssembly heap: write the frame into `input`, call `forward()`, read
 * `output`. Forward convention X[k] = Σ x[n]·e^(−2πi·kn/N), no scaling.
 *  - complex: `input`/`output` are interleaved [re0, im0, re1, im1, …], length 2·size.
 *  - real: `input` has `size` samples; `output` is PFFFT's ordered real layout:
 *    [X0.re, X(N/2).re, X1.re, X1.im, …, X(N/2−1).re, X(N/2−1).im].
 * `inverse()` undoes `forward()` (times size). For FFT convolution, `forwardUnordered()`
 * (or `forwardUnorderedInto()` a spectrum buffer), `inverseUnordered()` and `multiplyAccumulate()`
 * skip PFFFT's reordering and multiply spectra in SIMD.
 * Call `free()` when done: the heap is not garbage-collected.
 */
import createPffft from '@echogarden/pffft-wasm/simd';

interface PffftModule {
  HEAPF32: Float32Array;
  _pffft_new_setup(size: number, kind: number): number;
  _pffft_destroy_setup(setup: number): void;
  _pffft_aligned_malloc(bytes: number): number;
  _pffft_aligned_free(ptr: number): void;
  _pffft_transform_ordered(setup: number, input: number, output: number, work: number, direction: number): void;
  _pffft_transform(setup: number, input: number, output: number, work: number, direction: number): void;
  _pffft_zconvolve_accumulate(setup: number, a: number, b: number, ab: number, scaling: number): void;
}

const PFFFT_REAL = 0;
const PFFFT_COMPLEX = 1;
const PFFFT_FORWARD = 0;
const PFFFT_BACKWARD = 1;
/** The WebAssembly instance: compiled once from the file shipped in the package, never fetched. */
const pffft = (await createPffft()) as PffftModule;

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n >= 2 && (n & (n - 1)) === 0;
}

/** The power of two nearest to `x` on a log scale (so 0.37 s is 16384 samples at both 44.1 and 48 kHz). */
export function nearestPowerOfTwo(x: number): number {
  if (!(x >= 1)) throw new RangeError(`nearestPowerOfTwo: ${x} is not ≥ 1`);
  return 2 ** Math.round(Math.log2(x));
}

/** PFFFT's SIMD build needs N to be a multiple of 16 (complex) or 32 (real). */
export const MIN_FFT_SIZE = 32;

export class Fft {
  private readonly setup: number;
  private readonly pointers: number[];
  private readonly floats: number;
  private inputView: Float32Array;
  private outputView: Float32Array;
  private readonly spectra: FftSpectrum[] = [];

  constructor(readonly size: number, readonly kind: 'real' | 'complex') {
    if (!isPowerOfTwo(size) || size < MIN_FFT_SIZE) throw new RangeError(`FFT size must be a power of two ≥ ${MIN_FFT_SIZE}, got ${size}`);
    this.floats = kind === 'complex' ? 2 * size : size;
    this.setup = pffft._pffft_new_setup(size, kind === 'complex' ? PFFFT_COMPLEX : PFFFT_REAL);
    this.pointers = [0, 1, 2].map(() => pffft._pffft_aligned_malloc(this.floats * 4));
    this.inputView = this.view(0);
    this.outputView = this.view(1);
    // malloc'd memory holds whatever a freed transform left there.
    this.inputView.fill(0);
  }

  /** The frame to transform. Take it again after constructing another Fft: a heap growth replaces the views. */
  get input(): Float32Array {
    if (this.inputView.buffer !== pffft.HEAPF32.buffer) this.inputView = this.view(0);
    return this.inputView;
  }

  get output(): Float32Array {
    if (this.outputView.buffer !== pffft.HEAPF32.buffer) this.outputView = this.view(1);
    return this.outputView;
  }

  forward(): void {
    const [input, output, work] = this.pointers;
    pffft._pffft_transform_ordered(this.setup, input, output, work, PFFFT_FORWARD);
  }

  /**
   * The inverse transform, unscaled like forward(): `input` holds a spectrum in the layout forward()
   * writes to `output`, and `output` receives size·x (divide by `size` to undo forward()).
   */
  inverse(): void {
    const [input, output, work] = this.pointers;
    pffft._pffft_transform_ordered(this.setup, input, output, work, PFFFT_BACKWARD);
  }

  /**
   * forward() without PFFFT's reordering pass (about 1.7x faster): `output` receives the spectrum in
   * PFFFT's internal layout, which only multiplyAccumulate and inverseUnordered understand. For
   * FFT convolution, where the bins are only multiplied.
   */
  forwardUnordered(): void {
    const [input, output, work] = this.pointers;
    pffft._pffft_transform(this.setup, input, output, work, PFFFT_FORWARD);
  }

  /** forwardUnordered() into a spectrum buffer instead of `output` (saves a saveOutput copy); `output` is left as it was. */
  forwardUnorderedInto(to: FftSpectrum): void {
    const [input, , work] = this.pointers;
    pffft._pffft_transform(this.setup, input, to.pointer, work, PFFFT_FORWARD);
  }

  /** inverse() of an internal-layout spectrum in `input` (as forwardUnordered writes it); `output` receives size·x. */
  inverseUnordered(): void {
    const [input, output, work] = this.pointers;
    pffft._pffft_transform(this.setup, input, output, work, PFFFT_BACKWARD);
  }

  /** A buffer in the WebAssembly heap for an internal-layout spectrum of this transform; released by free(). */
  createSpectrum(): FftSpectrum {
    const spectrum = new FftSpectrum(pffft._pffft_aligned_malloc(this.floats * 4), this.floats);
    this.spectra.push(spectrum);
    return spectrum;
  }

  /** Copies `output` (e.g. a forwardUnordered result) into a spectrum buffer. */
  saveOutput(to: FftSpectrum): void {
    pffft.HEAPF32.copyWithin(to.pointer >>> 2, this.pointers[1] >>> 2, (this.pointers[1] >>> 2) + this.floats);
  }

  /** Sets `input` to 0, to start a multiplyAccumulate sum. */
  clearInput(): void {
    this.input.fill(0);
  }

  /**
   * input += a·b·scale, bin by bin, for internal-layout spectra (pffft_zconvolve_accumulate; SIMD);
   * `a` is a spectrum buffer or 'output' (the last forwardUnordered result).
   */
  multiplyAccumulate(a: FftSpectrum | 'output', b: FftSpectrum, scale: number): void {
    const pa = a === 'output' ? this.pointers[1] : a.pointer;
    pffft._pffft_zconvolve_accumulate(this.setup, pa, b.pointer, this.pointers[0], scale);
  }

  free(): void {
    for (const s of this.spectra) pffft._pffft_aligned_free(s.pointer);
    this.spectra.length = 0;
    for (const p of this.pointers) pffft._pffft_aligned_free(p);
    pffft._pffft_destroy_setup(this.setup);
  }

  private view(i: number): Float32Array {
    return new Float32Array(pffft.HEAPF32.buffer, this.pointers[i], this.floats);
  }
}

/** A spectrum kept in the WebAssembly heap (Fft.createSpectrum), in PFFFT's internal layout. */
export class FftSpectrum {
  private arrayView: Float32Array;

  constructor(readonly pointer: number, readonly length: number) {
    this.arrayView = new Float32Array(pffft.HEAPF32.buffer, pointer, length);
    // malloc'd memory holds whatever a freed transform left there.
    this.arrayView.fill(0);
  }

  /** The floats (a view: take it again after constructing another Fft). */
  get array(): Float32Array {
    if (this.arrayView.buffer !== pffft.HEAPF32.buffer) this.arrayView = new Float32Array(pffft.HEAPF32.buffer, this.pointer, this.length);
    return this.arrayView;
  }
}
