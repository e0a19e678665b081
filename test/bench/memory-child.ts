/** Decodes and analyses one file, then reports the process's peak RSS (run by run.ts in a fresh process). */
import { analyzeAudio } from '../../src/analysis/analyze.js';
import { decodeFile } from '../../src/io/decode.js';

const audio = await decodeFile(process.argv[2]);
analyzeAudio(audio);
const decodedBytes = audio.left.byteLength + (audio.right === audio.left ? 0 : audio.right.byteLength);
process.stdout.write(JSON.stringify({ maxRssMb: process.resourceUsage().maxRSS / 1024, decodedMb: decodedBytes / 2 ** 20 }));
