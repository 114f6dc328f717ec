import { afterAll, describe, expect, it } from 'vitest';
import { HttpTransport } from '../../src/agent/index.js';
import { rawAnswerServer } from '../helpers/raw-server.js';

const BODY = new Uint8Array([1, 2, 3]);

describe("the agent's HTTP transport and answers that cannot be read", () => {
  const servers: { port: number; close: () => Promise<void> }[] = [];
  const serve = async (answer: string) => {
    const s = await rawAnswerServer(answer);
    servers.push(s);
    return new HttpTransport({ url: `http://127.0.0.1:${s.port}/v1/batches`, timeoutMs: 5000 });
  };
  afterAll(async () => {
    for (const s of servers) await s.close();
  });

  it('does not take a 200 whose body stops short of its Content-Length (then close) as accepted', async () => {
    const t = await serve('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"status":"stor');
    const o = await t.send({ body: BODY, headers: {} });
    await t.close();
    expect(o.kind).toBe('network-error');
  });

  it('does not take a chunked 200 cut before its last chunk as accepted', async () => {
    const t = await serve('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\n{"sta\r\n');
    const o = await t.send({ body: BODY, headers: {} });
    await t.close();
    expect(o.kind).toBe('network-error');
  });

  it('still takes a complete 200 as a response (the same server, the whole body)', async () => {
    const t = await serve('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}');
    const o = await t.send({ body: BODY, headers: {} });
    await t.close();
    expect(o).toMatchObject({ kind: 'response', status: 200 });
  });
});
