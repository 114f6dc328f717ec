/**
 * fleetsim load --protocol otlp-http against an OTLP/HTTP receiver that
 * decodes every request with an independent decoder (test/helpers/otlp-receiver.ts):
 * the log records it received are the events the load sent, in both
 * encodings, and its 429s with Retry-After count as retryable failures.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { OTLP_INPUT_EVENT_PREFIX } from '../../src/targets/otlp/encode.js';
import { OtlpReceiver } from '../helpers/otlp-receiver.js';
import { useForeignLoad } from './foreign-load.js';

describe('fleetsim load --protocol otlp-http', { retry: 1 }, () => {
  const { load } = useForeignLoad();

  for (const [encoding, compression] of [
    ['protobuf', 'gzip'],
    ['json', 'none'],
  ] as const) {
    it(`${encoding}, ${compression}: the receiver decodes exactly the events sent, per device`, async () => {
      const rx = await OtlpReceiver.start();
      onTestFinished(() => rx.close());
      const r = await load(rx.url, { protocol: 'otlp-http', encoding, compression }, { rateOverridePerS: 40, durationMs: 1000 });
      expect(r.requests.accepted).toBe(r.requests.planned);
      expect(rx.requests.length).toBe(r.requests.sent);
      expect(
        rx.requests.every(
          (q) =>
            q.contentType === (encoding === 'protobuf' ? 'application/x-protobuf' : 'application/json') &&
            q.contentEncoding === (compression === 'gzip' ? 'gzip' : undefined),
        ),
      ).toBe(true);
      const inputs = rx.requests.reduce((a, q) => a + q.records.filter((x) => x.eventName.startsWith(OTLP_INPUT_EVENT_PREFIX)).length, 0);
      expect(inputs).toBe(r.requests.events_accepted);
      expect(rx.requests.every((q) => String(q.resourceAttributes['device.id']).startsWith('load-'))).toBe(true);
      expect(r.protocol).toBe(`otlp-http /v1/logs, ${encoding}, compression ${compression}`);
      expect(r.unreadable_answers!.count).toBe(0);
    });
  }

  it('a partial success is accepted, and the records the receiver dropped are counted, with its message', async () => {
    const rx = await OtlpReceiver.start({
      respond: () => ({
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: '{"partialSuccess":{"rejectedLogRecords":"5","errorMessage":"timestamps too old"}}',
      }),
    });
    onTestFinished(() => rx.close());
    const r = await load(rx.url, { protocol: 'otlp-http', encoding: 'json' }, { rateOverridePerS: 40, durationMs: 500 });
    expect(r.requests.accepted).toBe(r.requests.sent);
    expect(r.partially_rejected).toEqual({
      uploads: r.requests.accepted,
      records: 5 * r.requests.accepted,
      first_message: 'timestamps too old',
    });
  });

  it('429 with Retry-After is retryable, 400 refused, counted by reason', async () => {
    const rx = await OtlpReceiver.start({
      respond: (i) => (i % 2 === 0 ? { status: 429, headers: { 'retry-after': '2' } } : { status: 400, body: 'bad' }),
    });
    onTestFinished(() => rx.close());
    const r = await load(rx.url, { protocol: 'otlp-http' }, { rateOverridePerS: 40, durationMs: 500 });
    expect(r.requests.accepted).toBe(0);
    expect(r.errors.by_reason.HTTP_429! + r.errors.by_reason.HTTP_400!).toBe(r.requests.sent);
    expect(r.errors.by_reason.HTTP_429).toBeGreaterThan(0);
  });
});
