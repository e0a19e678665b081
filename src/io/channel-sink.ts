/**
 * Collects decoded blocks into one Float32Array per channel. Pre-sized from the container's declared length
 * when known, so the usual case is one allocation and a copy per block; grows by doubling otherwise.
 */
export class ChannelSink {
  private arrays: Float32Array[];
  length = 0;

  constructor(readonly channels: number, capacity: number) {
    this.arrays = [];
    for (let c = 0; c < channels; c++) this.arrays.push(new Float32Array(Math.max(0, capacity)));
  }

  push(block: Float32Array[], n: number): void {
    if (n === 0) return;
    const needed = this.length + n;
    if (needed > this.arrays[0].length) {
      const capacity = Math.max(needed, this.arrays[0].length * 2, 1 << 16);
      this.arrays = this.arrays.map((a) => {
        const grown = new Float32Array(capacity);
        grown.set(a.subarray(0, this.length));
        return grown;
      });
    }
    for (let c = 0; c < this.channels; c++) this.arrays[c].set(block[c].subarray(0, n), this.length);
    this.length = needed;
  }

  /** The collected samples; copies only when more than an eighth of the capacity would be wasted. */
  finish(): Float32Array[] {
    const capacity = this.arrays[0].length;
    if (this.length === capacity) return this.arrays;
    if (capacity - this.length <= capacity / 8) return this.arrays.map((a) => a.subarray(0, this.length));
    return this.arrays.map((a) => a.slice(0, this.length));
  }
}
