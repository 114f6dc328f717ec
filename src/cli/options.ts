import { UsageError } from '../errors.js';
import { SEED_LIMITS } from '../random/seed.js';
import { decimalFlag, describeTextLength, shownFlagValue, wholeNumberFlag, wholeNumberFormHint, wholeNumberText } from '../ranges.js';
import { CODEC_LEVELS, type Codec } from '../wire/index.js';
import { didYouMean } from '../scenario/suggest.js';

/**
 * Flag checks that say what was wrong and what is allowed. Flag values reach
 * them as the text typed (runCli turns off yargs' number parsing, which reads
 * 0x10 as 16), so each check alone decides what form it takes. Numbers, whole
 * or not, are checked in ranges.ts (plain decimal notation only), which the
 * agent process's flags share.
 */
export const wholeNumber = wholeNumberFlag;

export function isoDate(flag: string, value: unknown): string {
  const s = String(value);
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
  if (!m || !d || d.getUTCDate() !== Number(m[3]) || d.getUTCMonth() !== Number(m[2]) - 1) {
    throw new UsageError(`--${flag} must be a calendar date like 2026-03-02, got ${JSON.stringify(value)}`);
  }
  return s;
}

export function nonEmpty(flag: string, value: unknown): string {
  const s = value === undefined ? '' : String(value);
  if (s.trim() === '') throw new UsageError(`--${flag} must not be empty`);
  return s;
}

/** A seed flag: the text a scenario's seed may be (SEED_LIMITS: 1 to 200 characters, not only spaces). */
export function seedText(flag: string, value: unknown): string {
  const s = nonEmpty(flag, value);
  const { min, max } = SEED_LIMITS.text;
  if (s.length < min || s.length > max) throw new UsageError(`--${flag} must be ${describeTextLength(SEED_LIMITS.text)}, got ${s.length}`);
  return s;
}

/**
 * A lone `-` on the command line, standard input, as runCli hands it to
 * yargs (which would drop a `-`, or read it as `true`): only `validate`
 * reads standard input; every other command refuses it by name.
 */
export const STDIN_ARG = '\u0000stdin';

/** args with each lone `-` before `--` as STDIN_ARG. */
export function markStdinArgs(args: readonly string[]): string[] {
  const end = args.indexOf('--');
  return args.map((a, i) => (a === '-' && (end < 0 || i < end) ? STDIN_ARG : a));
}

/** What yargs takes as a negative number, and so as a flag's value; any other "-…" word it reads as flags. */
const NEGATIVE_NUMBER = /^-([0-9]+(\.[0-9]+)?|\.[0-9]+)$/;

/** A word after a flag that is meant as its value but that yargs would read as one-letter flags (`-1/4`, `-1e3`). */
const isDashValue = (word: string | undefined): word is string => word !== undefined && /^-\.?\d/.test(word) && !NEGATIVE_NUMBER.test(word);

const isFlagWithoutValue = (word: string): boolean => /^--[^=]+$/.test(word) || /^-[A-Za-z]$/.test(word);

/**
 * args with each value that starts with "-" and a digit, but is not a plain
 * negative number, joined to the flag before it (`--shard -1/4` →
 * `--shard=-1/4`): yargs would read `-1/4` as the flags -1, -/ and -4, and
 * refuse "unexpected argument 1", naming neither the flag nor the value.
 * Joined, the flag's own check judges the value and says what is allowed.
 */
export function joinDashValues(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') return [...out, ...args.slice(i)];
    const next = args[i + 1];
    if (isFlagWithoutValue(a) && isDashValue(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

/**
 * A boolean flag that joinDashValues gave a value (`--quiet -1/4`), as
 * `--quiet takes no value, got "-1/4"`; null if none. yargs would read the
 * joined `--quiet=-1/4` as false without a word.
 */
export function booleanGivenDashValue(args: readonly string[], booleans: ReadonlySet<string>): string | null {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') break;
    const next = args[i + 1];
    if (isFlagWithoutValue(a) && isDashValue(next) && booleans.has(a.replace(/^--?/, '')))
      return `${a} takes no value, got ${JSON.stringify(next)}`;
  }
  return null;
}

/** A timestamp for run folder names: 20261123-054501. */
export function folderTimestamp(d = new Date()): string {
  return d.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

/** `--shard K/N`: the deterministic slice K of N (0 ≤ K < N ≤ 10,000), as run and load take it. */
export function shardFlag(s: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(s);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || count > 10_000 || index >= count)
    throw new UsageError(`--shard must be K/N with 0 <= K < N <= 10000 (e.g. 0/4), got ${JSON.stringify(s)}`);
  return { index, count };
}

/**
 * The first flag in args (as written: `--port`, `-n`) that takes a value but is given none (`--port`
 * last, or followed by another flag): yargs would silently keep the flag's
 * default, so `--decode-threads` alone would read as 0. Booleans take none.
 */
export function flagWithoutValue(args: readonly string[], booleans: ReadonlySet<string>, known?: ReadonlySet<string>): string | null {
  for (const f of valuedFlags(args, booleans)) {
    // An unknown flag is reported as unknown (with a did-you-mean), not as missing its value.
    if (known && !known.has(f.name)) continue;
    if (f.inline !== undefined) {
      if (f.inline === '') return f.shown;
      continue;
    }
    // A negative number is a value (and is judged by the flag's own check); so is a lone "-" (see flagGivenDash).
    if (f.next === undefined || (f.next.startsWith('-') && f.next !== '-' && !/^-\d/.test(f.next))) return f.shown;
  }
  return null;
}

/**
 * The first flag that takes a value and is given a lone "-" (`--out -`,
 * `--out=-`, `-o -`), as written and by name; null if none. flagWithoutValue
 * took the "-" for a missing value ("--out needs a value"), and `--out=-`
 * would name a file "-".
 */
export function flagGivenDash(args: readonly string[], booleans: ReadonlySet<string>): { shown: string; name: string } | null {
  for (const f of valuedFlags(args, booleans)) if ((f.inline ?? f.next) === '-') return { shown: f.shown, name: f.name };
  return null;
}

/**
 * The flags in args that may take a value (long flags and one-letter aliases such as -n; not booleans, not --no-x),
 * up to `--`: as written (`shown`), by name, the value after "=" when given so, else the argument after the flag.
 */
function* valuedFlags(
  args: readonly string[],
  booleans: ReadonlySet<string>,
): Generator<{ shown: string; name: string; inline: string | undefined; next: string | undefined }> {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') return;
    const short = /^-[A-Za-z]$/.test(a);
    if (!a.startsWith('--') && !short) continue;
    const eq = short ? -1 : a.indexOf('=');
    const name = a.slice(short ? 1 : 2, eq < 0 ? undefined : eq);
    if (booleans.has(name) || name.startsWith('no-')) continue;
    yield { shown: short ? a : `--${name}`, name, inline: eq < 0 ? undefined : a.slice(eq + 1), next: args[i + 1] };
  }
}

/**
 * Why "-" is refused as `flag`'s value in `command`: an output flag (`writes`)
 * names a file or folder, never standard output (schema prints there without
 * --out); any other flag reads no standard input.
 */
export function dashValueMessage(command: string, flag: string, writes: boolean): string {
  if (writes && command === 'schema')
    return `${flag} must be a file path, got "-"; without ${flag}, fleetsim schema prints to standard output`;
  if (writes) return `${flag} must be a path, got "-": fleetsim ${command} writes no standard output through ${flag}`;
  return `${flag} got "-" (standard input), which fleetsim ${command} does not read: give ${flag} its value`;
}

/**
 * yargs' failure message in fleetsim's words: each unknown flag with a "did
 * you mean" (yargs only suggests commands) from the flags the command knows,
 * each value outside its choices with what is allowed.
 */
export function explainUsageFailure(msg: string, knownFlags: readonly string[], args: readonly string[]): string {
  // Dash-case names only: yargs also registers camelCase copies and one-letter aliases.
  const candidates = knownFlags.filter((k) => k.length > 1 && !/[A-Z]/.test(k));
  const unknown = /^Unknown arguments?: (.*)$/s.exec(msg);
  if (unknown) {
    return unknown[1]!
      .split(', ')
      .filter((a) => a !== '')
      .map((a) => {
        const isFlag = args.some((x) => x === `--${a}` || x.startsWith(`--${a}=`) || x === `-${a}`);
        if (!isFlag) return `unexpected argument ${JSON.stringify(a)}`;
        const guess = didYouMean(a, candidates);
        return `unknown flag --${a}${guess ? `; did you mean --${guess}?` : ''}`;
      })
      .join('\n');
  }
  if (msg.startsWith('Invalid values:')) {
    const lines = [...msg.matchAll(/Argument: (\S+), Given: (.*?), Choices: (.*)/g)].map(([, flag, given, choices]) => {
      const allowed = [...choices!.matchAll(/"([^"]*)"/g)].map((c) => c[1]!);
      const g = given!.replace(/^"|"$/g, '');
      const guess = didYouMean(g, allowed);
      return `--${flag} must be one of ${allowed.join(', ')}, got ${given}${guess ? `; did you mean ${guess}?` : ''}`;
    });
    if (lines.length > 0) return lines.join('\n');
  }
  const missing = /^Missing required arguments?: (.*)$/.exec(msg);
  if (missing)
    return `missing required flag${missing[1]!.includes(',') ? 's' : ''} ${missing[1]!
      .split(', ')
      .map((f) => `--${f}`)
      .join(', ')}`;
  return msg;
}

/** 30s, 5m, 1h, 250ms, or plain seconds. */
export function durationFlag(flag: string, value: unknown, minMs: number, maxMs: number): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(String(value).trim());
  const ms = m ? Number(m[1]) * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const)[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'] : NaN;
  if (!m || !(ms >= minMs && ms <= maxMs)) {
    throw new UsageError(
      `--${flag} must be a duration like 30s, 5m or 1h between ${minMs} ms and ${maxMs / 1000} s, got ${JSON.stringify(value)}`,
    );
  }
  return ms;
}

export function codecLevelFlag(codec: Codec, value: unknown): number {
  if (codec === 'identity')
    throw new UsageError(`--body-level does not apply: the scenario's agent sends uncompressed bodies (codec identity)`);
  const n = wholeNumberText(value);
  const r = CODEC_LEVELS[codec];
  if (!(n >= r.min && n <= r.max))
    throw new UsageError(
      `--body-level must be a whole number from ${r.min} to ${r.max} for the agent's codec ${codec}, got ${shownFlagValue(value)}${wholeNumberFormHint(value)}`,
    );
  return n;
}

/** A number flag above 0 (a rate, a scale, a time limit), in plain decimal notation. */
export function positive(flag: string, value: unknown, max: number): number {
  return decimalFlag(flag, value, { min: 0, max, above: true });
}

/** A share flag from 0 to 1, in plain decimal notation. */
export function fraction(flag: string, value: unknown): number {
  return decimalFlag(flag, value, { min: 0, max: 1 });
}

export function instantFlag(value: string, startDate: string): number {
  const hm = /^(\d{1,2}):(\d{2})$/.exec(value);
  const ms = hm ? Date.parse(`${startDate}T${hm[1]!.padStart(2, '0')}:${hm[2]}:00Z`) : Date.parse(value);
  if (!Number.isFinite(ms))
    throw new UsageError(
      `--at must be an ISO time (2026-03-02T14:00:00Z) or HH:MM UTC on the scenario start date, got ${JSON.stringify(value)}`,
    );
  return ms;
}
