// Decode worker of the ingest service: inflates and decodes one upload per message. Logic lives in src/ingest/decode-pool.ts.
import { parentPort } from 'node:worker_threads';
import { DECODER_READY, answerDecodeRequest, type DecodeRequest } from '../src/ingest/decode-pool.js';

const port = parentPort!;
port.on('message', (req: DecodeRequest) => {
  const { reply, transfer } = answerDecodeRequest(req);
  port.postMessage(reply, transfer);
});
port.postMessage(DECODER_READY);
