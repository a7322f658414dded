import { describe, expect, it } from "vitest";
import { analyzeTableBloat } from "../../src/rules/judge/analyzers/analyze-table-bloat.ts";
import { planLeadCalls } from "../../src/rules/investigate/follow-leads.ts";
import { TABLE_OPTIONS_QUERY } from "../../src/playbook/leads.ts";
import { evidenceOf } from "./build-evidence.ts";

const STATS = { tool: "run_sql_select", input: { query: "SELECT relname, n_live_tup, n_dead_tup, last_autovacuum FROM pg_stat_user_tables" }, data: [
  { relname: "orders_log", n_live_tup: 2143877, n_dead_tup: 48612904, last_autovacuum: "2026-11-22 03:14:51+00" },
  { relname: "shipments", n_live_tup: 611204, n_dead_tup: 120331, last_autovacuum: "2026-12-01 10:41:09+00" },
] };
const OPTIONS = (reloptions: unknown) => ({ tool: "run_sql_select", input: { query: TABLE_OPTIONS_QUERY }, data: [{ relname: "orders_log", reloptions }, { relname: "shipments", reloptions: null }] });

describe("analyzeTableBloat", () => {
  it("dead tuples outnumbering live ones, with the table's autovacuum switched off, name the switch", () => {
    for (const reloptions of ["{autovacuum_enabled=false,fillfactor=90}", ["fillfactor=90", "autovacuum_enabled=off"]]) {
      const { candidates, findings } = analyzeTableBloat.analyze(evidenceOf([STATS, OPTIONS(reloptions)]));
      expect(candidates).toEqual([expect.objectContaining({ key: "table-bloat", cause: expect.stringMatching(/^Autovacuum is disabled on table orders_log \(orders_log reloptions \{.*autovacuum_enabled=(false|off).*\}\), so it bloated to 48,612,904 dead tuples/) })]);
      expect(candidates[0]?.template).toBeUndefined();
      expect(findings.map((x) => x.text)[0]).toBe("orders_log: 48,612,904 dead tuples, 2,143,877 live");
    }
  });

  it("the server-wide autovacuum = off is the switch too", () => {
    const settings = { tool: "run_sql_select", input: { query: "SELECT name, setting FROM pg_settings" }, data: [{ name: "autovacuum", setting: "off" }] };
    const { candidates } = analyzeTableBloat.analyze(evidenceOf([STATS, settings]));
    expect(candidates[0]?.cause).toContain("Autovacuum is disabled on table orders_log (autovacuum = off)");
  });

  it("bloat with autovacuum enabled is a weaker reading that names no switch; a small or mostly-live table is no bloat", () => {
    const { candidates } = analyzeTableBloat.analyze(evidenceOf([STATS, OPTIONS("{fillfactor=90}")]));
    expect(candidates).toEqual([expect.objectContaining({ key: "table-bloat", weight: 0.78, cause: expect.stringContaining("Table orders_log is bloated") })]);
    expect(candidates[0]?.cause).not.toMatch(/disabled/);
    const healthy = { ...STATS, data: [{ relname: "orders_log", n_live_tup: 48612904, n_dead_tup: 2143877, last_autovacuum: null }, { relname: "tiny", n_live_tup: 10, n_dead_tup: 900000 }] };
    expect(analyzeTableBloat.analyze(evidenceOf([healthy])).candidates).toEqual([]);
  });

  it("a bloated table opens the lead that reads its storage options", () => {
    const steps = planLeadCalls({ open: new Set(["table-bloat"]), pods: [], pendingTask: null, made: new Set() }, 5);
    expect(steps.map((s) => s.args.query)).toContain(TABLE_OPTIONS_QUERY);
  });
});
