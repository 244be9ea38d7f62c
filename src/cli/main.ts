#!/usr/bin/env node
// romscan CLI. Exit codes (INTERFACE.md): 0 done; 1 a finding at or above --fail-on;
// 2 usage error or unreadable input — one line on stderr, never a stack trace.
import './v8-tuning.js'; // first: before any code runs hot
import { Command, CommanderError } from 'commander';
import { isRomscanError } from '../io/errors/index.js';
import { TOOL_VERSION } from '../report/version.js';
import { registerScan } from './commands/scan.js';
import { registerExtract } from './commands/extract.js';
import { registerDiff } from './commands/diff.js';
import { registerTui } from './commands/tui.js';
import { registerSignatures } from './commands/signatures.js';

const program = new Command('romscan')
  .description('Static analyzer for Android vendor firmware and APKs')
  .version(TOOL_VERSION)
  .exitOverride()
  .showHelpAfterError(false)
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

registerScan(program);
registerExtract(program);
registerDiff(program);
registerTui(program);
registerSignatures(program);
for (const c of program.commands) c.exitOverride();

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    // --help and --version end here with code 0; real usage errors were already printed.
    process.exitCode = e.exitCode === 0 ? 0 : 2;
  } else if (isRomscanError(e)) {
    process.stderr.write(`romscan: ${e.message}\n`);
    process.exitCode = 2;
  } else {
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(`romscan: ${msg}\n`);
    if (process.env.ROMSCAN_DEBUG) console.error(e);
    process.exitCode = 2;
  }
}
