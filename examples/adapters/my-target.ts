/**
 * The adapter of my-target.mjs in TypeScript, type-checked against fleetsim's
 * TargetProtocol (this repository's build checks it; in your own project,
 * import the types from 'fleetsim' and compile it to an .mjs for --adapter).
 */
import type { AnswerVerdict, OutgoingBatch, TargetAnswer, TargetProtocol, TargetRequest } from '../../src/index.js';

const EVENT_TYPES = ['keydown', 'keyup', 'mousemove', 'mousedown', 'mouseup', 'wheel'];

interface ActivityRecord {
  readonly t: number;
  readonly type: string;
  readonly key: number;
  readonly x: number;
  readonly y: number;
  readonly context: number;
}

const protocol: TargetProtocol = {
  name: 'my-target',
  readsAcceptedBody: true,

  request(batch: OutgoingBatch): TargetRequest {
    const b = batch.batch();
    const e = b.events;
    const records: ActivityRecord[] = [];
    for (let i = 0; i < e.length; i++) {
      records.push({
        t: Math.round(e.t_ms[i]!),
        type: EVENT_TYPES[e.type[i]!] ?? String(e.type[i]),
        key: e.key[i]!,
        x: e.x[i]!,
        y: e.y[i]!,
        context: e.context[i]!,
      });
    }
    const doc = { device: batch.deviceId, sequence: b.header.sequence, window: [b.header.windowStartMs, b.header.windowEndMs], records };
    return {
      method: 'POST',
      path: '/api/v2/activity',
      headers: { 'content-type': 'application/json', 'x-api-key': process.env.MY_TARGET_API_KEY ?? '' },
      body: new TextEncoder().encode(JSON.stringify(doc)),
    };
  },

  classify(answer: TargetAnswer): AnswerVerdict {
    if (answer.status === 202) {
      try {
        const v = JSON.parse(new TextDecoder().decode(answer.body)) as { accepted?: unknown };
        if (typeof v.accepted === 'number') return { kind: 'accepted' };
      } catch {
        // fall through: not the JSON this API promises
      }
      return { kind: 'unreadable', reason: 'MY_TARGET_BAD_ACK', problem: 'a 202 must carry {"accepted": <number>}' };
    }
    if (answer.status === 429 || answer.status === 503) {
      return {
        kind: 'retryable',
        reason: `HTTP_${answer.status}`,
        ...(answer.retryAfterMs !== null ? { retryAfterMs: answer.retryAfterMs } : {}),
      };
    }
    return { kind: 'refused', reason: `HTTP_${answer.status}` };
  },
};

export default protocol;
