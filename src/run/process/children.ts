/**
 * The OS processes a real-time run starts (agent commands), and the promise
 * that none outlives it: each runs in its own process group, so a signal to
 * the group reaches whatever the command started too (a shell's children, a
 * helper); every group is killed on the run's way out, on any path, and on
 * SIGINT/SIGTERM of fleetsim itself.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { RunError } from '../../errors.js';

/** How long an interrupted run may spend tearing input paths down before it exits. */
const SIGNAL_CLEANUP_MS = 3_000;

/** How much of a command's stderr a failure message quotes. */
const STDERR_TAIL_BYTES = 2_000;

export interface AgentCommand {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** The command as it may be printed (secrets replaced). */
  readonly shown: string;
}

/** One agent process: its pid, its exit, its stderr tail. */
export class AgentChild {
  readonly pid: number;
  private stderrTail = '';
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  readonly exited: Promise<void>;

  constructor(
    private readonly child: ChildProcess,
    readonly command: AgentCommand,
  ) {
    if (child.pid === undefined) throw new Error('unreachable: spawn without a pid');
    this.pid = child.pid;
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (s: string) => {
      this.stderrTail = (this.stderrTail + s).slice(-STDERR_TAIL_BYTES);
    });
    // stdout is not read by the harness; drained so a chatty agent never blocks on a full pipe.
    child.stdout?.resume();
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        resolve();
      });
    });
  }

  get running(): boolean {
    return this.exitInfo === null;
  }

  /** How it ended, as a person reads it. */
  describeExit(): string {
    const e = this.exitInfo;
    if (!e) return 'still running';
    return e.signal ? `killed by ${e.signal}` : `exited with code ${e.code}`;
  }

  stderr(): string {
    return this.stderrTail.trim();
  }

  /** A signal to the whole process group (the command and what it started). */
  signal(sig: NodeJS.Signals): void {
    try {
      process.kill(-this.pid, sig);
    } catch {
      // Already gone.
    }
  }

  /** SIGTERM, then SIGKILL after graceMs; resolves when the process has exited. Whatever the group still holds is SIGKILLed. */
  async stop(graceMs: number): Promise<boolean> {
    let graceful = true;
    if (this.running) {
      this.signal('SIGTERM');
      const timer = setTimeout(() => {
        graceful = false;
        this.signal('SIGKILL');
      }, graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    // Children the agent left behind (a shell's background jobs) go with it.
    this.signal('SIGKILL');
    return graceful;
  }
}

/**
 * Every agent process of a run. `spawn` starts one in its own process group;
 * `killAll` is synchronous so it can run from a signal handler or at exit.
 */
export class ChildRegistry {
  private readonly children = new Set<AgentChild>();
  private readonly closers = new Set<() => Promise<void>>();
  private readonly onSignal = (sig: NodeJS.Signals) => {
    this.killAll();
    // Input paths (an Xvfb per laptop) are torn down too, within a bound: a signal must still end fleetsim.
    const closing = Promise.allSettled([...this.closers].map((close) => close()));
    const bound = new Promise((resolve) => setTimeout(resolve, SIGNAL_CLEANUP_MS).unref());
    void Promise.race([closing, bound]).then(() => {
      this.detach();
      // The default action of the signal (exit 128+n), now that nothing is left behind.
      process.kill(process.pid, sig);
    });
  };
  private readonly onExit = () => this.killAll();
  private attached = false;

  /** Installs the SIGINT/SIGTERM and exit hooks for the run's lifetime. */
  attach(): void {
    if (this.attached) return;
    this.attached = true;
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
    process.on('exit', this.onExit);
  }

  detach(): void {
    if (!this.attached) return;
    this.attached = false;
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
    process.off('exit', this.onExit);
  }

  spawn(command: AgentCommand, cwd: string): AgentChild {
    const [program, ...args] = command.argv;
    let child: ChildProcess;
    try {
      child = spawn(program!, args, { cwd, env: { ...process.env, ...command.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    } catch (err) {
      throw new RunError('IO', `could not start the agent command ${command.shown}: ${(err as Error).message}`, { cause: err });
    }
    if (child.pid === undefined) {
      // spawn reports a missing program asynchronously, as an 'error' event; without a pid nothing runs.
      child.on('error', () => {});
      throw new RunError(
        'IO',
        `could not start the agent command ${command.shown}: no such program ${JSON.stringify(program)} (or it is not executable)`,
      );
    }
    child.on('error', () => {});
    const c = new AgentChild(child, command);
    this.children.add(c);
    return c;
  }

  /** Something else to tear down if fleetsim is interrupted (an input driver); returns its removal. */
  onInterrupt(close: () => Promise<void>): () => void {
    this.closers.add(close);
    return () => this.closers.delete(close);
  }

  /** SIGKILL to every process group the run started. */
  killAll(): void {
    for (const c of this.children) c.signal('SIGKILL');
  }

  get pids(): readonly number[] {
    return [...this.children].map((c) => c.pid);
  }
}
