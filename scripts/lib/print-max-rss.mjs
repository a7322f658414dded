// Preloaded by bench-startup: prints the process's peak resident set size when it exits.
import { writeSync } from "node:fs";

process.on("exit", () => writeSync(2, `\nMAX_RSS_KB=${process.resourceUsage().maxRSS}\n`));
