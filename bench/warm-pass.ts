// Scans one input several times in one process and prints each pass's wall time as JSON. The
// first pass pays V8's warm-up (interpreting, then compiling, the analyser's hot code); the later
// passes show what the analysis itself costs once compiled. bench/run.ts reads this to split a
// directory scan's time into start-up, warm-up and work.
//
//   node --import tsx bench/warm-pass.ts <input> <passes> <signatures dir>
import '../src/cli/v8-tuning.js'; // as the CLI: first, before any code runs hot
import { scanInput } from '../src/scan/scan-input.js';

const [input, passes, signaturesDir] = process.argv.slice(2);
const ms: number[] = [];
for (let i = 0; i < Number(passes); i++) {
  const started = performance.now();
  // --jobs 1: every pass on this thread, as the CLI's default runs a directory this small.
  await scanInput(input, { signaturesDir, jobs: 1 });
  ms.push(performance.now() - started);
}
process.stdout.write(`${JSON.stringify({ ms })}\n`);
