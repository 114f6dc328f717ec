export { runAgentProcess, type AgentProcessIo } from './run.js';
export { resolveAgentOptions, type AgentFlags, type AgentProcessOptions } from './options.js';
export { RealClock } from './real-clock.js';
export { ControlChannel, connectControl, parseUiAction } from './control.js';
export { createInputSource, type InputSpec } from './input.js';
export { writeStatsFile, type AgentProcessStats, type ProcessCost, type StopReason } from './stats.js';
export { sampleProcess, type ProcSample } from './proc-sample.js';
export { AGENT_SETTINGS_FORMAT, agentSettingsJson, agentSettingsProblem, readAgentSettingsFile, type AgentSettings } from './settings.js';
