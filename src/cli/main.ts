#!/usr/bin/env node
import { runCli } from './cli.js';
import { stopOnClosedOutput } from './closed-output.js';
import { markCliProcess } from './relaunch.js';

markCliProcess();
stopOnClosedOutput();
process.exitCode = await runCli(process.argv.slice(2));
