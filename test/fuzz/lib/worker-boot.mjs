// Worker threads do not inherit the parent's `--import tsx` loader: register it here, then load
// the TypeScript worker. (Plain .mjs so Node can start it without a loader.)
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
