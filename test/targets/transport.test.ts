/**
 * The agent's uploads through a target protocol (fleetsim run, foreign
 * targets) against hostile servers: each ends as an outcome the uploader can
 * act on, with a message naming the target, never a hang or a crash.
 */
import { describe, expect, it } from 'vitest';
import { DEVICE_HEADER, SEQUENCE_HEADER } from '../../src/auth/index.js';
import { allocateBlock } from '../../src/events/index.js';
import { httpProtocol } from '../../src/targets/protocols/http.js';
import { classifyOtlpAnswer } from '../../src/targets/protocols/index.js';
import type { TargetProtocol } from '../../src/targets/protocol.js';
import { ProtocolTransport } from '../../src/targets/transport.js';
import { encodeBatch } from '../../src/wire/index.js';
import { hasIpv6Loopback, startPlainServer, startRawServer, streamHugeAnswer } from './plain-servers.js';

const e = allocateBlock(1);
e.t_ms[0] = Date.UTC(2026, 2, 2, 9);
const body = encodeBatch({
  header: {
    batchId: new Uint8Array(16),
    deviceId: 'emp-1',
    sequence: 3,
    windowStartMs: e.t_ms[0]!,
    windowEndMs: e.t_ms[0]!,
    agentVersion: 't',
  },
  controls: [],
  events: e,
});
const upload = { body, headers: { [DEVICE_HEADER]: 'emp-1', [SEQUENCE_HEADER]: '3' } };
const plain = httpProtocol({ method: 'POST', path: '/in', headers: {}, body: 'ndjson', compression: 'none' });

const ipv6 = await hasIpv6Loopback();

function transport(url: string, protocol: TargetProtocol, timeoutMs = 5000): ProtocolTransport {
  return new ProtocolTransport({ url: new URL(url), protocol: Promise.resolve(protocol), timeoutMs });
}

describe('ProtocolTransport', () => {
  it("sends the protocol's request and maps its verdicts to what the uploader acts on", async () => {
    let n = 0;
    const srv = await startPlainServer({
      delayMs: 0,
      answer: () => [{ status: 204 }, { status: 429, headers: { 'retry-after': '7' } }, { status: 422 }][n++ % 3]!,
    });
    const t = transport(srv.url, plain);
    try {
      expect(await t.send(upload)).toMatchObject({ kind: 'response', status: 204 });
      expect(await t.send(upload)).toMatchObject({ kind: 'response', status: 429, retryAfterMs: 7000, code: 'HTTP_429' });
      expect(await t.send(upload)).toMatchObject({ kind: 'response', status: 422, code: 'HTTP_422' });
      expect(srv.seen[0]!.url).toBe('/in');
      expect(JSON.parse(srv.seen[0]!.body.toString('utf8').trim())).toMatchObject({
        device_id: 'emp-1',
        employee_id: 'emp-1',
        sequence: 3,
        type: 'keydown',
      });
    } finally {
      await t.close();
      await srv.stop();
    }
  });

  it.skipIf(!ipv6)(
    "reaches a target on the IPv6 loopback, http://[::1]:port (the URL's brackets are not part of the address)",
    async () => {
      const srv = await startPlainServer({ delayMs: 0, host: '::1', answer: () => ({ status: 204 }) });
      const t = transport(srv.url, plain);
      try {
        expect(srv.url).toMatch(/^http:\/\/\[::1\]:\d+$/);
        expect(await t.send(upload)).toMatchObject({ kind: 'response', status: 204 });
        expect(srv.seen).toHaveLength(1);
      } finally {
        await t.close();
        await srv.stop();
      }
    },
  );

  it('non-HTTP bytes: a network error that says the target does not speak HTTP', async () => {
    const srv = await startRawServer((s) => s.end('\x16\x03\x01 garbage\r\n\r\n'));
    const t = transport(srv.url, plain);
    try {
      const o = await t.send(upload);
      expect(o.kind).toBe('network-error');
      expect(o.kind === 'network-error' && o.message).toMatch(
        /PROTOCOL_ERROR: http:\/\/127\.0\.0\.1:\d+ did not answer POST \/in with HTTP/,
      );
    } finally {
      await t.close();
      await srv.stop();
    }
  });

  it('a 1 GB answer: reading stops after 1 MiB', async () => {
    const streams: { sent: () => number }[] = [];
    const srv = await startRawServer((s) => streams.push(streamHugeAnswer(s, 1 << 30)));
    const t = transport(srv.url, plain);
    try {
      const o = await t.send(upload);
      expect(o.kind === 'network-error' && o.message).toMatch(
        /^RESPONSE_TOO_LARGE: POST http:\/\/127\.0\.0\.1:\d+\/in answered 200 with more than 1048576 bytes/,
      );
      expect(streams[0]!.sent()).toBeLessThan(64 << 20);
    } finally {
      await t.close();
      await srv.stop();
    }
  });

  it('a connection that never answers: a timeout', async () => {
    const srv = await startRawServer(() => {});
    const t = transport(srv.url, plain, 300);
    try {
      const o = await t.send(upload);
      expect(o.kind === 'network-error' && o.message).toMatch(
        /REQUEST_TIMEOUT: no answer from http:\/\/127\.0\.0\.1:\d+\/in within 300 ms/,
      );
    } finally {
      await t.close();
      await srv.stop();
    }
  });

  it('a 200 with garbage where the protocol parses answers: unreadable, described with status, content type and first bytes', async () => {
    const srv = await startPlainServer({
      delayMs: 0,
      answer: () => ({ status: 200, headers: { 'content-type': 'application/x-protobuf' }, body: '<html>oops</html>' }),
    });
    const parsing: TargetProtocol = {
      name: 'parsing',
      readsAcceptedBody: true,
      request: (b) => plain.request(b),
      classify: (a) => classifyOtlpAnswer(a, 'protobuf'),
    };
    const messages: string[] = [];
    const t = new ProtocolTransport({ url: new URL(srv.url), protocol: Promise.resolve(parsing), onUnreadable: (m) => messages.push(m) });
    try {
      const o = await t.send(upload);
      expect(o.kind === 'network-error' && o.message).toMatch(
        /does not speak parsing as expected: POST http:\/\/127\.0\.0\.1:\d+\/in was answered 200 \(content-type application\/x-protobuf, body begins "<html>oops<\/html>"\): the 200 answer is not an ExportLogsServiceResponse in protobuf/,
      );
      expect(messages).toHaveLength(1);
    } finally {
      await t.close();
      await srv.stop();
    }
  });
});
