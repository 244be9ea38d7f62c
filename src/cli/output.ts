import { writeFile } from 'node:fs/promises';

/** Writes to --output FILE, or stdout. */
export async function emit(text: string, outputFile: string | undefined): Promise<void> {
  if (outputFile) {
    await writeFile(outputFile, text.endsWith('\n') ? text : `${text}\n`);
    return;
  }
  await new Promise<void>((done, fail) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`, (e) => (e ? fail(e) : done())));
}

/** The text format on a terminal, json otherwise (INTERFACE.md). */
export function defaultFormat(): string {
  return process.stdout.isTTY ? 'text' : 'json';
}
