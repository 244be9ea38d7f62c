// One fuzz worker: builds each case's input from (seed, case seed), runs the target, and reports
// the outcome. The parent enforces the time limit (terminate) and the memory limit (resourceLimits
// on the heap, RSS sampling for everything else); this side only tells exceptions apart:
// a RomscanError is an outcome, anything else is a failure.
import { parentPort, workerData, threadId } from 'node:worker_threads';
import { join } from 'node:path';
import { mutate, shapeOf, type SeedShape } from './mutate.js';
import { runTarget, PropertyViolation } from './targets.js';
import { loadFile } from './load-file.js';
import type { CaseRequest, CaseReply, WorkerData } from './protocol.js';

const data = workerData as WorkerData;
const shapes = new Map<string, SeedShape>();
/** Inside the run's temp folder, which the runner removes at the end. */
const workDir = join(data.tmpRoot, `w${threadId}`);

parentPort!.on('message', async (req: CaseRequest) => {
  const started = performance.now();
  let reply: CaseReply;
  let steps: string[] = [];
  let input: Uint8Array;
  if (req.raw) input = req.raw;
  else if (req.file) input = loadFile(req.file);
  else {
    const seed = data.seeds[req.format][req.seedIndex];
    const key = `${req.format}/${req.seedIndex}`;
    let shape = shapes.get(key);
    if (!shape) shapes.set(key, (shape = shapeOf(seed.bytes)));
    ({ bytes: input, steps } = mutate(req.format, seed.bytes, req.caseSeed, shape, data.janusDex));
  }
  try {
    const outcome = await runTarget(req.format, input, workDir, req.mode);
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
