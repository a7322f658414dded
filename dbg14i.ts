import { loadScenarios } from "./src/sandbox/index.ts";
import { triageScenario } from "./tests/rules/triage-scenario.ts";
import * as rag from "./src/rules/judge/rank-along-graph.ts";
const id = process.argv[2]!;
const s = (await loadScenarios("scenarios/holdout-5")).find(x => x.id.startsWith(id))!;
const orig = rag.rankAlongGraph;
const { report } = await triageScenario(s);
console.log(JSON.stringify((report as any).stats?.candidates ?? Object.keys(report as any)).slice(0,3000));
