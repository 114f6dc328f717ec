/** A reader of deploy/Dockerfile and .dockerignore, enough for the image tests (no daemon here to build with). */
export interface Instruction {
  readonly op: string;
  readonly args: string;
  /** The stage the instruction belongs to (0 = the first FROM). */
  readonly stage: number;
}

/** Dockerfile instructions: comments dropped, backslash continuations joined. */
export function parseDockerfile(text: string): { instructions: Instruction[]; comments: string[] } {
  const instructions: Instruction[] = [];
  const comments: string[] = [];
  let stage = -1;
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#')) {
      comments.push(line.slice(1).trim());
      continue;
    }
    if (!line && !pending) continue;
    pending += (pending ? ' ' : '') + line.replace(/\\$/, '').trim();
    if (line.endsWith('\\')) continue;
    const m = /^(\w+)\s+(.*)$/.exec(pending);
    if (!m) throw new Error(`not an instruction: ${pending}`);
    const op = m[1]!.toUpperCase();
    if (op === 'FROM') stage++;
    instructions.push({ op, args: m[2]!, stage });
    pending = '';
  }
  return { instructions, comments };
}

/** Whether .dockerignore (an exclude-all with `!path` exceptions) lets `path` into the build context. */
export function inContext(ignore: readonly string[], path: string): boolean {
  let included = true;
  for (const p of ignore) {
    if (p === '*') included = false;
    else if (p.startsWith('!') && (path === p.slice(1) || path.startsWith(`${p.slice(1)}/`))) included = true;
    else if (!p.startsWith('!') && (path === p || path.startsWith(`${p}/`))) included = false;
  }
  return included;
}

/** COPY instructions from the build context (not from another stage): their sources and destination. */
export function contextCopies(instructions: readonly Instruction[]): { sources: string[]; dest: string }[] {
  return instructions.filter((i) => i.op === 'COPY' && !i.args.startsWith('--from')).map((i) => {
    const parts = i.args.split(/\s+/);
    return { sources: parts.slice(0, -1), dest: parts.at(-1)! };
  });
}

/** The final stage's instructions. */
export function finalStage(instructions: readonly Instruction[]): Instruction[] {
  const last = Math.max(...instructions.map((i) => i.stage));
  return instructions.filter((i) => i.stage === last);
}
