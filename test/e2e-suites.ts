/**
 * The slow end-to-end suites: real-time runs of agent processes, X11 displays,
 * load runs against real servers, attacks and comparisons of real runs. They
 * run in `npm run test:e2e` (which .ci/run runs after `npm test` on every Node
 * version), so that `npm test` stays within a few minutes on two cores.
 */
export const E2E_SUITES = [
  'test/run/process/**/*.test.ts',
  'test/agent-process/agent-process.test.ts',
  'test/input/x11.test.ts',
  'test/deploy/image-layout.test.ts',
  'test/load/reference.test.ts',
  'test/load/latency.test.ts',
  'test/load/shard.test.ts',
  'test/targets/load-foreign.test.ts',
  'test/targets/cli-targets.test.ts',
  'test/targets/run-foreign.test.ts',
  'test/targets/load-otlp.test.ts',
  'test/load/outcome-validity.test.ts',
  'test/load/no-plan.test.ts',
  'test/load/ramp-last-step.test.ts',
  'test/report/sweep-browser.test.ts',
  'test/ingest/cli.test.ts',
  'test/run/faults.test.ts',
  'test/compare/compare-run.test.ts',
  'test/compare/compare-load-sweep.test.ts',
  'test/sweep/full-path.test.ts',
  'test/verify/under-attack.test.ts',
  'test/ingest/attack.test.ts',
  'test/run/ingest-targets.test.ts',
  'test/run/shared-service.test.ts',
  'test/generate/fleet.test.ts',
  'test/cli/cli.test.ts',
  'test/cli/run-size.test.ts',
  'test/run/scenario-run.test.ts',
  'test/run/quickstart-e2e.test.ts',
  'test/behaviour/workday-activity.test.ts',
  'test/sweep/oracle.test.ts',
];
