/** Decibel helpers shared by every module, so the conversions live in one place. */

/** Amplitude ratio to dB; 0 gives -Infinity. */
export function ampToDb(amplitude: number): number {
  return 20 * Math.log10(amplitude);
}

/** Power (energy) ratio to dB; 0 gives -Infinity. */
export function powerToDb(power: number): number {
  return 10 * Math.log10(power);
}

export function dbToAmp(db: number): number {
  return 10 ** (db / 20);
}

export function dbToPower(db: number): number {
  return 10 ** (db / 10);
}

/** JSON cannot carry ±Infinity or NaN: report a level that is not finite as null. */
export function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}
