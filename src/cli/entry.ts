// The process entry point: the built CLI (`node dist/cli/entry.js`) and bin/oncall-agent.js start here.
import { main } from "./main.ts";

process.exitCode = await main(process.argv);
