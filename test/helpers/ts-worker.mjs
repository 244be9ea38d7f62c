// Worker bootstrap: worker threads do not inherit tsx's loader from `--import tsx` in Node 20,
// so load the TypeScript worker module through tsx's API.
import { workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

await tsImport(workerData.script, import.meta.url);
