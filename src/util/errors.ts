/**
 * An error caused by the user's input (a bad file, a bad option). The CLI prints its message as one line
 * and exits non-zero without a stack trace; anything else is a bug and keeps its stack.
 */
export class UserError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'UserError';
  }
}

/** A problem with one input file: the message always starts with the file's path. */
export class AudioFileError extends UserError {
  constructor(readonly file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'AudioFileError';
  }
}
