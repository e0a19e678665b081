/** Mid/side conversion in place: M = (L+R)/2, S = (L−R)/2, and back L = M+S, R = M−S. */

export function toMidSide(left: Float32Array | Float64Array, right: Float32Array | Float64Array): void {
  for (let i = 0; i < left.length; i++) {
    const l = left[i], r = right[i];
    left[i] = 0.5 * (l + r);
    right[i] = 0.5 * (l - r);
  }
}

export function fromMidSide(mid: Float32Array | Float64Array, side: Float32Array | Float64Array): void {
  for (let i = 0; i < mid.length; i++) {
    const m = mid[i], s = side[i];
    mid[i] = m + s;
    side[i] = m - s;
  }
}
