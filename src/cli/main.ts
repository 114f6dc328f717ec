#!/usr/bin/env node
import { runCli } from './cli.js';
import { markCliProcess } from './relaunch.js';

markCliProcess();
process.exitCode = await runCli(process.argv.slice(2));
