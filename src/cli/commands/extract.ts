import type { Command } from 'commander';
import { UsageError } from '../../io/errors/index.js';
import { extractInput } from '../../extract/extract-files.js';
import { emit, defaultFormat } from '../output.js';
import { parseChoice } from '../parse-options.js';

export function registerExtract(program: Command): void {
  program.command('extract <input>')
    .description('list (--list) or write out (--out DIR) every APK, jar and ROM config file inside an input')
    .option('--list', 'list the files with size and sha256')
    .option('--out <dir>', 'write the files under DIR (never outside it)')
    .option('--force', 'overwrite files that already exist under --out')
    .option('--format <format>', 'json | text, for --list (default: text on a terminal, json otherwise)')
    .action(async (input: string, o: { list?: boolean; out?: string; force?: boolean; format?: string }) => {
      if (!o.list && !o.out) throw new UsageError('extract needs --list or --out DIR');
      const format = parseChoice('--format', o.format ?? defaultFormat(), ['json', 'text']);
      const result = await extractInput(input, o.out ?? null, o.force ?? false);
      if (o.list) {
        await emit(format === 'json' ? JSON.stringify(result, null, 2)
          : [...result.files.map((f) => `${f.sha256}  ${String(f.bytes).padStart(10)}  ${f.path}`),
            ...result.errors.map((e) => `error: ${e.path ?? ''}: ${e.message}`)].join('\n'), undefined);
      } else {
        process.stderr.write(`wrote ${result.files.length} files to ${o.out}${result.errors.length ? `, ${result.errors.length} errors` : ''}\n`);
        for (const e of result.errors) process.stderr.write(`error: ${e.path ?? ''}: ${e.message}\n`);
      }
    });
}
