import type { Command } from 'commander';
import { validateSignatures, loadSignatures } from '../../rules/signatures.js';
import { DEFAULT_SIGNATURES_DIR } from '../defaults.js';
import { emit } from '../output.js';

export function registerSignatures(program: Command): void {
  program.command('signatures')
    .description('summarise the rules, or validate a rules directory against the schema (--validate DIR)')
    .option('--validate [dir]', 'validate DIR (default: the bundled signatures/)')
    .action(async (o: { validate?: string | boolean }) => {
      if (o.validate !== undefined) {
        const dir = typeof o.validate === 'string' ? o.validate : DEFAULT_SIGNATURES_DIR;
        const { ok, problems } = validateSignatures(dir);
        await emit(ok ? `${dir}: valid` : problems.map((p) => `invalid: ${p}`).join('\n'), undefined);
        if (!ok) process.exitCode = 2;
        return;
      }
      const sigs = loadSignatures(DEFAULT_SIGNATURES_DIR);
      const counts = Object.entries(sigs).filter(([, v]) => Array.isArray(v)).map(([k, v]) => `${k}: ${(v as unknown[]).length}`);
      await emit(`${DEFAULT_SIGNATURES_DIR}\n${counts.join('\n')}`, undefined);
    });
}
