import { describe, expect, it } from "vitest";
import { extractRows, rowsFromColumns } from "../../src/rules/read/read-rows.ts";

const expected = [
  { state: "idle in transaction", count: 12 },
  { state: "active", count: 4 },
];

describe("extractRows", () => {
  it.each([
    ["rows as objects", expected],
    ["rows under a key", { rows: expected }],
    ["rows nested under data", { data: { result: expected } }],
    ["columns + row arrays", { columns: ["state", "count"], rows: [["idle in transaction", 12], ["active", 4]] }],
    ["node-postgres fields + row arrays", { fields: [{ name: "state", dataTypeID: 25 }, { name: "count", dataTypeID: 20 }], rows: [["idle in transaction", 12], ["active", 4]] }],
    ["arrays whose first row is the header", [["state", "count"], ["idle in transaction", 12], ["active", 4]]],
    ["columns + rows nested under data", { data: { columns: ["state", "count"], rows: [["idle in transaction", 12], ["active", 4]] } }],
  ])("reads %s", (_label, data) => {
    expect(extractRows(data, "")).toEqual(expected);
  });

  it("node-postgres fields with object rows keep the objects", () => {
    expect(extractRows({ fields: [{ name: "state" }, { name: "count" }], rows: expected, rowCount: 2 }, "")).toEqual(expected);
  });

  it("arrays without a header get positional column names", () => {
    expect(extractRows([["RUNNING", 904], ["COMPLETED", 61220]], "")).toEqual([
      { column1: "RUNNING", column2: 904 },
      { column1: "COMPLETED", column2: 61220 },
    ]);
  });

  it("psql text tables (with the row count footer)", () => {
    const text = ` pid  |        state        | wait_event_type |   duration
------+---------------------+-----------------+--------------
 4121 | idle in transaction | Client          | 00:41:12
 4188 | active              | Lock            | 00:40:02
(2 rows)
`;
    expect(extractRows(undefined, text)).toEqual([
      { pid: "4121", state: "idle in transaction", wait_event_type: "Client", duration: "00:41:12" },
      { pid: "4188", state: "active", wait_event_type: "Lock", duration: "00:40:02" },
    ]);
  });

  it("MySQL-style bordered tables", () => {
    const text = "+--------+-------+\n| status | n     |\n+--------+-------+\n| FAILED |    37 |\n+--------+-------+\n";
    expect(extractRows(undefined, text)).toEqual([{ status: "FAILED", n: "37" }]);
  });

  it("an empty result is no rows; odd input is no rows", () => {
    expect(extractRows({ rows: [] }, "")).toEqual([]);
    expect(extractRows([], "")).toEqual([]);
    expect(extractRows(undefined, "ERROR:  relation \"task_scheduled\" does not exist")).toEqual([]);
    expect(rowsFromColumns("text")).toBeNull();
  });
});
