/**
 * The container image recipe (deploy/Dockerfile) and the Kubernetes Jobs that name it,
 * checked statically: this machine has the docker client but no daemon to build with.
 * What a build would catch is checked here: every COPY source exists after
 * `npm run build` and is in the build context (.dockerignore), the base image is pinned,
 * Xvfb is installed, the entrypoint is the package's bin, the user is not root; the Jobs
 * name the documented tag and shard the run as completions says. The image's files, laid
 * out as the COPY lines lay them out, run fleetsim in test/deploy/image-layout.test.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../src/scenario/index.js';
import { ROOT } from '../helpers/cli.js';
import { contextCopies, inContext, parseDockerfile } from './dockerfile.js';

const dockerfile = parseDockerfile(readFileSync(join(ROOT, 'deploy/Dockerfile'), 'utf8'));
const ignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; bin: Record<string, string> };
const finalStage = Math.max(...dockerfile.instructions.map((i) => i.stage));
const final = dockerfile.instructions.filter((i) => i.stage === finalStage);
/** COPY sources from the build context (not from another stage), with their destinations. */
const copies = contextCopies(final);
const documentedTag = dockerfile.comments.map((c) => /docker build -f deploy\/Dockerfile -t (\S+) \./.exec(c)?.[1]).find(Boolean);
const jobs = ['indexed-job.yaml', 'merge-job.yaml'].map((f) => parse(readFileSync(join(ROOT, 'deploy/kubernetes', f), 'utf8')));

describe('deploy/Dockerfile', () => {
  it('builds on an official Node 22 or 24 slim image pinned to a release, in every stage', () => {
    const froms = dockerfile.instructions.filter((i) => i.op === 'FROM');
    expect(froms.length).toBeGreaterThanOrEqual(1);
    for (const f of froms) {
      expect(f.args).toMatch(/^node:(22|24)\.\d+\.\d+-(bookworm|trixie)-slim(\s+AS\s+\w+)?$/);
    }
  });

  it('installs Debian’s xvfb in the image and the production dependencies with npm ci --omit=dev', () => {
    const runs = dockerfile.instructions.filter((i) => i.op === 'RUN').map((i) => i.args);
    expect(final.filter((i) => i.op === 'RUN').some((i) => /apt-get install\b.*\bxvfb\b/.test(i.args))).toBe(true);
    expect(runs.some((r) => /\bnpm ci\b.*--omit=dev/.test(r))).toBe(true);
    // The native module is built for the image's Node, in a stage whose node_modules the image takes.
    expect(runs.some((r) => /npm rebuild better-sqlite3/.test(r))).toBe(true);
    expect(final.some((i) => i.op === 'COPY' && /^--from=\w+ \/app\/node_modules /.test(i.args))).toBe(true);
  });

  it('copies only what exists after npm run build and is in the build context, the compiled CLI and workers among it', () => {
    const sources = copies.flatMap((c) => c.sources);
    expect(sources).toEqual(expect.arrayContaining(['package.json', 'dist/src', 'dist/workers', 'scenarios']));
    for (const s of sources) {
      expect(existsSync(join(ROOT, s)), `COPY ${s}: missing from the repository (run npm run build)`).toBe(true);
      expect(inContext(ignore, s), `COPY ${s}: excluded from the build context by .dockerignore`).toBe(true);
    }
    // What must stay out of the context stays out.
    for (const p of ['node_modules', 'reports', 'test', '.git', 'src/cli/main.ts', 'dist/bench']) expect(inContext(ignore, p), p).toBe(false);
  });

  it('runs the package’s bin as its entrypoint, as a user that is not root', () => {
    const entry = final.filter((i) => i.op === 'ENTRYPOINT').at(-1)!;
    expect(JSON.parse(entry.args)).toEqual(['fleetsim']);
    expect(Object.keys(pkg.bin)).toEqual(['fleetsim']);
    const link = final.find((i) => i.op === 'RUN' && /ln -s /.test(i.args))!.args;
    expect(link).toContain(`ln -s /app/${pkg.bin.fleetsim} /usr/local/bin/fleetsim`);
    expect(final.filter((i) => i.op === 'WORKDIR').at(-1)!.args).toBe('/app');
    const users = final.filter((i) => i.op === 'USER');
    expect(users.length).toBeGreaterThan(0);
    const user = users.at(-1)!.args;
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    // The last USER comes before the entrypoint (nothing after it runs as root).
    expect(final.indexOf(users.at(-1)!)).toBeLessThan(final.indexOf(entry));
  });

  it('documents its tag: the package version, named by both Jobs', () => {
    expect(documentedTag).toBe(`registry.example.internal/fleetsim:${pkg.version}`);
    for (const job of jobs) expect(job.spec.template.spec.containers[0].image).toBe(documentedTag);
  });
});

describe('deploy/kubernetes', () => {
  const [indexed, merge] = jobs;
  const script = (job: typeof indexed) => [...job.spec.template.spec.containers[0].command, ...job.spec.template.spec.containers[0].args].join(' ');

  it('runs shard $JOB_COMPLETION_INDEX of N of a process scenario, N being the Job’s completions', () => {
    expect(indexed.kind).toBe('Job');
    expect(indexed.spec.completionMode).toBe('Indexed');
    const n = indexed.spec.completions;
    expect(Number.isInteger(n) && n > 1).toBe(true);
    expect(indexed.spec.parallelism).toBeLessThanOrEqual(n);
    const cmd = script(indexed);
    expect(cmd).toMatch(/\bfleetsim run \S+\.yaml\b/);
    const shard = /--shard \$\{?JOB_COMPLETION_INDEX\}?\/(\d+)/.exec(cmd);
    expect(shard, cmd).not.toBeNull();
    expect(Number(shard![1])).toBe(n);
    // Each pod writes its own report folder.
    expect(cmd).toMatch(/--out \S*\$\{?JOB_COMPLETION_INDEX\}?/);
    // The scenario is in the image (scenarios/ is copied) and runs process agents on the real clock.
    const scenario = /fleetsim run (\S+\.yaml)/.exec(cmd)![1]!;
    const s = loadScenarioFile(join(ROOT, scenario));
    expect(s.agentUnderTest.kind).toBe('process');
    expect(s.simulation.speed).toBe(1);
    // Shards are not empty: every pod has laptops to run.
    expect(s.fleet.employees).toBeGreaterThanOrEqual(n);
  });

  it('sets CPU and memory requests and limits, and runs as the image’s non-root user', () => {
    for (const job of jobs) {
      const c = job.spec.template.spec.containers[0];
      for (const k of ['requests', 'limits']) {
        expect(c.resources[k].cpu, `${job.metadata.name} ${k}.cpu`).toBeDefined();
        expect(c.resources[k].memory, `${job.metadata.name} ${k}.memory`).toBeDefined();
      }
      expect(job.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
      expect(job.spec.template.spec.restartPolicy).toBe('Never');
    }
    // A real-time pod that is throttled falls behind: the shards get the CPU they ask for.
    const c = indexed.spec.template.spec.containers[0];
    expect(c.resources.limits.cpu).toBe(c.resources.requests.cpu);
  });

  it('merges the folders the shards write', () => {
    const out = /--out (\S*)\$\{?JOB_COMPLETION_INDEX\}?/.exec(script(indexed))![1]!;
    const cmd = script(merge);
    expect(cmd).toContain(`fleetsim merge ${out}*`);
    expect(merge.spec.template.spec.volumes).toEqual(indexed.spec.template.spec.volumes);
  });
});
