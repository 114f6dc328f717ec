// Child-process entry point: the ingest service a paced run can SIGKILL and restart (the ingest-restart fault). Logic lives in src/run.
import { serveIngestProcess } from '../src/run/ingest-process.js';

await serveIngestProcess(process.argv[2] ?? '');
