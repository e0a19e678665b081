/** Rounding shared by the quantiser (dsp/dither.ts) and the WAV encoder (io/wav-encode.ts). */

/**
 * round(y) half away from zero, exactly (encodeWav's rule), and cheap in a hot loop. Math.floor(y + 0.5)
 * is one branch-free SSE4.1 roundsd, whereas Math.round compiles to a ceil plus a compare-and-branch
 * that dithered signals take at random (a misprediction every other sample: 3x the cost of the rest
 * of the quantiser). floor(y + 0.5) is round-half-up of y unless the double sum y + 0.5 lands on a
 * whole number — a true tie y = k + ½ (negative ones go away from zero, i.e. down), the one inexact
 * case y = ½ − 2^−54 (sum rounded up to 1), or |y| ≥ 2^52 — and the rounding of the sum cannot cross
 * a whole number without landing on it. Those cases are rare and are redone exactly with Math.round.
 * Never returns −0.
 */
export function roundHalfAway(y: number): number {
  const s = y + 0.5;
  const q = Math.floor(s);
  if (q !== s) return q;
  const r = Math.round(y); // exact; rounds ties up
  return r - y === 0.5 && y < 0 ? r - 1 : r;
}
