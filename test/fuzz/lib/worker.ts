// One fuzz worker: builds each case's input from (seed, case seed), runs the target, and reports
// the outcome. The parent enforces the time limit (terminate) and the memory limit (resourceLimits
// on the heap, RSS sampling for everything else); this side only tells exceptions apart:
// a RomscanError is an outcome, anything else is a failure.
import { parentPort, workerData, threadId } from 'node:worker_threads';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import { mutate, shapeOf, type SeedShape } from './mutate.js';
import { runTarget, PropertyViolation } from './targets.js';
import type { CaseRequest, CaseReply, WorkerData } from './protocol.js';

const data = workerData as WorkerData;
const shapes = new Map<string, SeedShape>();
const workDir = join(tmpdir(), `romscan-fuzz-${process.pid}-${threadId}`);

parentPort!.on('message', async (req: CaseRequest | 'close') => {
  if (req === 'close') {
    await rm(workDir, { recursive: true, force: true });
    parentPort!.postMessage('closed');
    return;
  }
  const seed = data.seeds[req.format][req.seedIndex];
  const key = `${req.format}/${req.seedIndex}`;
  let shape = shapes.get(key);
  if (!shape) shapes.set(key, (shape = shapeOf(seed.bytes)));
  const started = performance.now();
  let reply: CaseReply;
  let steps: string[] = [];
  let input: Uint8Array;
  if (req.raw) input = req.raw;
  else ({ bytes: input, steps } = mutate(req.format, seed.bytes, req.caseSeed, shape, data.janusDex));
  try {
    const outcome = await runTarget(req.format, input, workDir, req.extract);
    reply = { id: req.id, ok: true, outcome, ms: performance.now() - started, steps };
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    reply = {
      id: req.id, ok: false, kind: e instanceof PropertyViolation ? 'property' : 'crash',
      message: `${err.name}: ${err.message}`, stack: (err.stack ?? '').split('\n').slice(0, 12).join('\n'), ms: performance.now() - started, steps,
    };
  }
  parentPort!.postMessage(reply);
});
parentPort!.postMessage('ready');
