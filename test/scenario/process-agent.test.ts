import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/scenario/index.js';
import { scenarioProblems } from './problems.js';

const problems = (text: string) => scenarioProblems(text, 'p.yaml');

const RT = 'simulation:\n  speed: 1\n  window: { day: 1, at: "09:30", durationMinutes: 1 }\n';

describe('agent: { kind: process } settings', () => {
  it('resolves a foreign agent command, env and input; the reference agent is the default command', () => {
    const s = parseScenario(
      `name: x\nagent:\n  kind: process\n  command: [python3, -c, "print({{}})", "{tapSocket}", "{uploadUrl}"]\n  env: { SECRET: "{fleetSecret}" }\n${RT}`,
    );
    expect(s.agentUnderTest).toEqual({
      kind: 'process',
      command: ['python3', '-c', 'print({{}})', '{tapSocket}', '{uploadUrl}'],
      env: { SECRET: '{fleetSecret}' },
      input: 'tap',
      settleSeconds: 0,
    });
    expect(parseScenario(`name: x\nagent: { kind: process, input: x11 }\n${RT}`).agentUnderTest).toEqual({
      kind: 'process',
      command: null,
      env: {},
      input: 'x11',
      settleSeconds: 0,
    });
    expect(parseScenario('name: x\n').agentUnderTest).toEqual({ kind: 'reference' });
    // The reference agent's settings still apply to it as a process.
    expect(parseScenario(`name: x\nagent: { kind: process, batchMaxEvents: 50 }\n${RT}`).agent.batchMaxEvents).toBe(50);
  });

  it('settleSeconds: how long each agent runs unobserved before its window; whole seconds up to 600, process agents only', () => {
    expect(parseScenario(`name: x\nagent: { kind: process, settleSeconds: 25 }\n${RT}`).agentUnderTest).toMatchObject({
      settleSeconds: 25,
    });
    expect(problems(`name: x\nagent:\n  kind: process\n  settleSeconds: -1\n${RT}`)).toEqual([
      'p.yaml:4:3 agent.settleSeconds: must be a whole number from 0 to 600, got -1',
    ]);
    expect(problems(`name: x\nagent:\n  kind: process\n  settleSeconds: 1.5\n${RT}`)[0]).toMatch(
      /^p\.yaml:4:3 agent\.settleSeconds: must be a whole number/,
    );
    expect(problems('name: x\nagent:\n  settleSeconds: 20\n')[0]).toMatch(
      /^p\.yaml:3:3 agent\.settleSeconds: only applies to a process agent: add agent\.kind: process/,
    );
  });

  it('an unknown placeholder is named at file:line with a did-you-mean', () => {
    expect(problems(`name: x\nagent:\n  kind: process\n  command: [my-agent, "--url={uploadURL}"]\n${RT}`)).toEqual([
      'p.yaml:4:23 agent.command[1]: unknown placeholder {uploadURL}; did you mean {uploadUrl}? (placeholders: {display}, {tapSocket}, {uploadUrl}, {deviceId}, {controlSocket}, {statsFile}, {timeOffsetMs}, {fleetSecret}, {timezone}; {{ and }} give literal braces)',
    ]);
    expect(problems(`name: x\nagent:\n  kind: process\n  env:\n    TOKEN: "{fleetSecert}"\n${RT}`)[0]).toMatch(
      /^p\.yaml:5:5 agent\.env\.TOKEN: unknown placeholder \{fleetSecert\}; did you mean \{fleetSecret\}\?/,
    );
  });

  it('a placeholder of the other input path is refused', () => {
    expect(problems(`name: x\nagent:\n  kind: process\n  input: tap\n  command: [a, "{display}"]\n${RT}`)).toEqual([
      'p.yaml:5:16 agent.command[1]: placeholder {display} only exists with agent.input x11, and this agent’s input is tap',
    ]);
  });

  it('a missing or empty command, and command/env/input without kind process', () => {
    expect(problems(`name: x\nagent:\n  kind: process\n  command: []\n${RT}`)).toEqual([
      'p.yaml:4:3 agent.command: must be a list of 1 to 200 arguments, got a list of 0',
    ]);
    expect(problems(`name: x\nagent:\n  kind: process\n  command: [""]\n${RT}`)).toEqual([
      'p.yaml:4:13 agent.command[0]: must start with the program to run, got an empty text',
    ]);
    expect(problems('name: x\nagent:\n  command: [my-agent]\n')).toEqual([
      'p.yaml:3:3 agent.command: only applies to a process agent: add agent.kind: process (the agent under test as its own OS process), or leave command out',
    ]);
    expect(problems('name: x\nagent:\n  kind: proces\n')[0]).toMatch(
      /^p\.yaml:3:3 agent\.kind: must be one of reference, process, got "proces"; did you mean "process"\?/,
    );
    expect(problems('name: x\nagent:\n  kind: process\n  input: x12\n' + RT)[0]).toMatch(
      /^p\.yaml:4:3 agent\.input: must be one of x11, tap, got "x12"/,
    );
  });

  it('how the agent reads its input: batched by default, RECORD or XI2 on X11; bad values named at file:line', () => {
    const s = parseScenario(`name: x\nagent: { kind: process, input: x11, inputReadIntervalMs: 250, x11Capture: xi2 }\n${RT}`);
    expect(s.agent).toMatchObject({ inputReadIntervalMs: 250, x11Capture: 'xi2' });
    expect(parseScenario('name: x\n').agent).toMatchObject({ inputReadIntervalMs: 5000, x11Capture: 'record' });
    expect(problems('name: x\nagent:\n  inputReadIntervalMs: -1\n')[0]).toMatch(/^p\.yaml:3:3 agent\.inputReadIntervalMs: .*0/);
    expect(problems('name: x\nagent:\n  x11Capture: evdev\n')[0]).toMatch(
      /^p\.yaml:3:3 agent\.x11Capture: must be one of record, xi2, got "evdev"/,
    );
  });

  it('a mouse-move rate cap at the source: off by default, whole Hz from 0 to 1000; bad values named at file:line', () => {
    expect(parseScenario('name: x\n').agent.sourceMoveRateHz).toBe(0);
    expect(parseScenario(`name: x\nagent: { kind: process, sourceMoveRateHz: 60 }\n${RT}`).agent.sourceMoveRateHz).toBe(60);
    expect(problems('name: x\nagent:\n  kind: process\n  sourceMoveRateHz: -30\n' + RT)).toEqual([
      'p.yaml:4:3 agent.sourceMoveRateHz: must be a whole number from 0 to 1000, got -30',
    ]);
    expect(problems('name: x\nagent:\n  sourceMoveRateHz: 59.94\n')[0]).toMatch(
      /^p\.yaml:3:3 agent\.sourceMoveRateHz: .*whole number.*59\.94/,
    );
    expect(problems('name: x\nagent:\n  sourceMoveRateHz: fast\n')[0]).toMatch(/^p\.yaml:3:3 agent\.sourceMoveRateHz: .*"fast"/);
    expect(problems('name: x\nagent:\n  sourceMoveRate: 60\n')[0]).toMatch(
      /^p\.yaml:3:3 agent\.sourceMoveRate: .*did you mean "sourceMoveRateHz"/,
    );
  });

  it('a process agent needs speed 1 and a window, http, no faults, no sweep', () => {
    expect(
      problems('name: x\nagent: { kind: process }\nsimulation:\n  speed: 60\n  window: { day: 1, at: "09:30", durationMinutes: 1 }\n'),
    ).toEqual(['p.yaml:4:3 simulation.speed: must be 1 for a process agent (agent.kind: process runs on the real clock), got 60']);
    expect(problems('name: x\nagent: { kind: process }\nsimulation:\n  speed: 1\n')).toEqual([
      'p.yaml:3:1 simulation.window: is required for a process agent: the slice of simulated time to run on the real clock, e.g. window: { day: 1, at: "09:30", durationMinutes: 1 }',
    ]);
    expect(problems(`name: x\nagent: { kind: process }\ntransport: corpus\n${RT}`)).toEqual([
      'p.yaml:3:1 transport: must be http for a process agent (it uploads over HTTP to {uploadUrl}), got corpus',
    ]);
    expect(problems(`name: x\nagent: { kind: process }\nfaults:\n  - { kind: clock-skew, maxSkewMinutes: 3 }\n${RT}`)[0]).toMatch(
      /^p\.yaml:3:1 faults: cannot be injected into a process agent’s run/,
    );
  });

  it('a blackhole ingest: for process agents only, with a status and a delay', () => {
    const s = parseScenario(`name: x\nagent: { kind: process, command: [a] }\ningest: { kind: blackhole, status: 202, delayMs: 5 }\n${RT}`);
    expect(s.ingest).toEqual({ kind: 'blackhole', status: 202, delayMs: 5 });
    expect(problems('name: x\ningest: { kind: blackhole }\n')[0]).toMatch(/^p\.yaml:2:11 ingest\.kind: blackhole is for process agents/);
    expect(problems(`name: x\nagent: { kind: process }\ningest: { kind: blackhole, status: 700 }\n${RT}`)[0]).toMatch(
      /^p\.yaml:3:\d+ ingest\.status: must be a whole number from 200 to 599, got 700/,
    );
    expect(problems(`name: x\nagent: { kind: process }\ningest: { kind: blackhole, status: 302 }\n${RT}`)[0]).toMatch(
      /^p\.yaml:3:\d+ ingest\.status: must be a whole number from 200 to 299 or 400 to 599 \(a redirect has nowhere to send the agent\), got 302/,
    );
  });
});
