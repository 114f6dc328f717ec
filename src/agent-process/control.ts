/**
 * The employee's UI actions (pause, an exemption that applies from T) reach
 * a process agent on a control socket beside its input: newline-delimited
 * JSON, one UiAction per line, exactly as src/input/types.ts spells it, e.g.
 *   {"kind":"pause","atMs":1772539200000,"wantedMs":900000,"dayStartMs":1772492400000}
 *   {"kind":"exempt","atMs":1772539200000}
 * As with the tap, the harness listens and the agent connects.
 */
import { existsSync, lstatSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import { InputError } from '../input/errors.js';
import type { UiAction } from '../input/types.js';

/** Longest line accepted: an action is well under 200 bytes. */
const MAX_LINE_BYTES = 4096;

/** A UiAction from one line, or what is wrong with it. */
export function parseUiAction(line: string): { ok: true; action: UiAction } | { ok: false; error: string } {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return { ok: false, error: `not JSON: ${JSON.stringify(line.slice(0, 120))}` };
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { ok: false, error: 'a UI action is a JSON object with "kind"' };
  const o = v as Record<string, unknown>;
  const num = (k: string) => (typeof o[k] === 'number' && Number.isFinite(o[k]) ? (o[k] as number) : null);
  const allowed = o.kind === 'pause' ? ['kind', 'atMs', 'wantedMs', 'dayStartMs'] : ['kind', 'atMs'];
  const extra = Object.keys(o).filter((k) => !allowed.includes(k));
  if (o.kind !== 'pause' && o.kind !== 'exempt')
    return { ok: false, error: `"kind" must be "pause" or "exempt", got ${JSON.stringify(o.kind)}` };
  if (extra.length > 0)
    return { ok: false, error: `unknown field ${JSON.stringify(extra[0])} in a ${o.kind} action; allowed: ${allowed.join(', ')}` };
  const atMs = num('atMs');
  if (atMs === null) return { ok: false, error: `"atMs" must be a number (epoch ms on the agent's clock), got ${JSON.stringify(o.atMs)}` };
  if (o.kind === 'exempt') return { ok: true, action: { kind: 'exempt', atMs } };
  const wantedMs = num('wantedMs');
  const dayStartMs = num('dayStartMs');
  if (wantedMs === null || wantedMs <= 0)
    return { ok: false, error: `"wantedMs" must be a positive number of ms, got ${JSON.stringify(o.wantedMs)}` };
  if (dayStartMs === null || dayStartMs > atMs)
    return { ok: false, error: `"dayStartMs" must be a number of epoch ms at or before atMs, got ${JSON.stringify(o.dayStartMs)}` };
  return { ok: true, action: { kind: 'pause', atMs, wantedMs, dayStartMs } };
}

/** Splits a byte stream into lines, whatever the chunking. */
export class LineSplitter {
  private rest = '';
  push(chunk: string, onLine: (line: string) => void, onTooLong: () => void): void {
    const parts = (this.rest + chunk).split('\n');
    this.rest = parts.pop() ?? '';
    for (const p of parts) if (p.trim() !== '') onLine(p);
    if (this.rest.length > MAX_LINE_BYTES) {
      this.rest = '';
      onTooLong();
    }
  }
}

/** Agent side: connects to the harness's control socket; every valid line is an action. */
export function connectControl(path: string, onAction: (a: UiAction) => void, onBadLine: (error: string) => void): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(path);
    let up = false;
    const lines = new LineSplitter();
    s.setEncoding('utf8');
    s.once('connect', () => {
      up = true;
      resolve(s);
    });
    s.on('data', (chunk: string) =>
      lines.push(
        chunk,
        (line) => {
          const r = parseUiAction(line);
          if (r.ok) onAction(r.action);
          else onBadLine(r.error);
        },
        () => onBadLine(`a control line longer than ${MAX_LINE_BYTES} bytes was dropped`),
      ),
    );
    s.on('error', (e: NodeJS.ErrnoException) => {
      if (!up)
        reject(
          new InputError(
            'INPUT_TAP_FAILED',
            `cannot connect to the control socket ${path}: ${e.code ?? e.message}${e.code === 'ENOENT' ? ' (no such socket: is the harness listening there?)' : ''}`,
            { cause: e },
          ),
        );
    });
  });
}

/** Harness side: listens for the agent's control connection and writes UI actions to it. */
export class ControlChannel {
  private server: net.Server | null = null;
  private socket: net.Socket | null = null;
  private onConnect!: () => void;
  private readonly connected = new Promise<void>((resolve) => (this.onConnect = resolve));

  constructor(readonly socketPath: string) {}

  async start(): Promise<void> {
    if (existsSync(this.socketPath)) {
      if (!lstatSync(this.socketPath).isSocket())
        throw new InputError(
          'INPUT_TAP_FAILED',
          `cannot create the control socket ${this.socketPath}: a file that is not a socket is there`,
        );
      unlinkSync(this.socketPath);
    }
    const server = net.createServer((s) => {
      if (this.socket !== null) return void s.destroy();
      this.socket = s;
      s.on('error', () => {});
      s.resume();
      this.onConnect();
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e) =>
        reject(new InputError('INPUT_TAP_FAILED', `cannot listen on the control socket ${this.socketPath}: ${e.message}`, { cause: e })),
      );
      server.listen(this.socketPath, () => resolve());
    });
  }

  /** Resolves when the agent has connected, or rejects after timeoutMs. */
  async waitForAgent(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.connected,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new InputError(
                  'INPUT_AGENT_NOT_LISTENING',
                  `no agent connected to the control socket ${this.socketPath} within ${timeoutMs} ms`,
                ),
              ),
            timeoutMs,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends one action (one line, one write). */
  send(action: UiAction): void {
    const s = this.socket;
    if (s === null || s.destroyed)
      throw new InputError('INPUT_AGENT_NOT_LISTENING', `no agent is connected to the control socket ${this.socketPath}`);
    s.write(`${JSON.stringify(action)}\n`);
  }

  async close(): Promise<void> {
    this.socket?.destroy();
    const server = this.server;
    this.server = null;
    if (server !== null) await new Promise<void>((resolve) => server.close(() => resolve()));
    if (existsSync(this.socketPath)) {
      try {
        unlinkSync(this.socketPath);
      } catch {
        /* gone already */
      }
    }
  }
}
