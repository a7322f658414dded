import { pathsBetween } from "./src/playbook/causal-graph.ts";
console.log(pathsBetween("image-pull","alert:workers-down").map(p=>p.join(" > ")).join("\n"));
console.log("--");
console.log(pathsBetween("scheduling","alert:workers-down").map(p=>p.join(" > ")).join("\n"));
