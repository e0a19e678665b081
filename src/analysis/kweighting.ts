/**
 * K-weighting of ITU-R BS.1770-4 Annex 1: a high-frequency shelf (stage 1, head effects)
 * followed by the RLB high-pass (stage 2).
 *
 * The Recommendation publishes the biquad coefficients for 48 kHz only. To measure at any rate we
 * design both stages from their analogue prototypes with the bilinear transform; the prototype
 * parameters below (centre frequency, gain, Q) are the ones that reproduce the published 48 kHz
 * coefficients (they are the values used by libebur128 and pyloudnorm), so at 48 kHz the design
 * equals Annex 1 Tables 1 and 2 to ~1e-8.
 */

export interface Biquad {
  /** Numerator b0, b1, b2. */
  b: [number, number, number];
  /** Denominator 1, a1, a2 (a0 normalised to 1). */
  a: [number, number, number];
}

export interface KWeighting {
  shelf: Biquad;
  highpass: Biquad;
}

const SHELF_F0_HZ = 1681.974450955533;
const SHELF_GAIN_DB = 3.999843853973347;
const SHELF_Q = 0.7071752369554196;
/** Exponent that places the shelf's mid-band gain as in the published filter. */
const SHELF_VB_EXPONENT = 0.4996667741545416;
const HIGHPASS_F0_HZ = 38.13547087602444;
const HIGHPASS_Q = 0.5003270373238773;

export function kWeightingCoefficients(sampleRate: number): KWeighting {
  let k = Math.tan((Math.PI * SHELF_F0_HZ) / sampleRate);
  const vh = 10 ** (SHELF_GAIN_DB / 20);
  const vb = vh ** SHELF_VB_EXPONENT;
  let a0 = 1 + k / SHELF_Q + k * k;
  const shelf: Biquad = {
    b: [(vh + (vb * k) / SHELF_Q + k * k) / a0, (2 * (k * k - vh)) / a0, (vh - (vb * k) / SHELF_Q + k * k) / a0],
    a: [1, (2 * (k * k - 1)) / a0, (1 - k / SHELF_Q + k * k) / a0],
  };
  k = Math.tan((Math.PI * HIGHPASS_F0_HZ) / sampleRate);
  a0 = 1 + k / HIGHPASS_Q + k * k;
  // BS.1770-4 states the high-pass numerator as 1, -2, 1 (unnormalised); the -0.691 dB constant of the
  // loudness formula is calibrated with it, so we keep it that way.
  const highpass: Biquad = {
    b: [1, -2, 1],
    a: [1, (2 * (k * k - 1)) / a0, (1 - k / HIGHPASS_Q + k * k) / a0],
  };
  return { shelf, highpass };
}
