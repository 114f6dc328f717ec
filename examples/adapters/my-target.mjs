/* global process, TextEncoder, TextDecoder */
// A worked example of a fleetsim target adapter (docs/targets.md): a made-up
// ingestion API that takes a JSON document per batch at POST /api/v2/activity,
// authenticated with an API key, and answers 202 {"accepted": <records>}.
//
//   fleetsim load --target http://127.0.0.1:9000 --adapter examples/adapters/my-target.mjs \
//     --scenario scenarios/quickstart.yaml
//
// The API key comes from the environment, never from a file or a flag.
// my-target.ts beside this file is the same adapter in TypeScript, checked
// against fleetsim's TargetProtocol type.

const EVENT_TYPES = ['keydown', 'keyup', 'mousemove', 'mousedown', 'mouseup', 'wheel'];

/** @type {import('fleetsim').TargetProtocol} */
const protocol = {
  name: 'my-target',
  // classify() reads the 202's body, so the sender must hand it over.
  readsAcceptedBody: true,

  request(batch) {
    const b = batch.batch();
    const e = b.events;
    const records = [];
    for (let i = 0; i < e.length; i++) {
      records.push({
        t: Math.round(e.t_ms[i]),
        type: EVENT_TYPES[e.type[i]] ?? String(e.type[i]),
        key: e.key[i],
        x: e.x[i],
        y: e.y[i],
        context: e.context[i],
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

  classify(answer) {
    if (answer.status === 202) {
      try {
        const v = JSON.parse(new TextDecoder().decode(answer.body));
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
