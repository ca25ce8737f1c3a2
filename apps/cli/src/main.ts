#!/usr/bin/env node
import { runCli } from "./run.js";

// Setting exitCode (not calling exit) lets stdout drain when it is a pipe.
process.exitCode = await runCli(process.argv.slice(2));
