/**
 * Functions that allocate in proportion to an argument must get literal, small arguments, so the
 * size of what one query can build is known before it is sent.
 */
export const MAX_GENERATED = 10_000;

type Node = Record<string, unknown>;

/** Why a call of `name` with these raw-parse-tree arguments is not bounded, or null. */
export function whyCallIsUnbounded(name: string, args: readonly unknown[]): string | null {
  switch (name) {
    case "generate_series":
      return checkSeries(args);
    case "repeat": {
      const text = readString(args[0]);
      const count = readNumber(args[1]);
      if (text === null || count === null) return "repeat needs a literal string and a literal count";
      return text.length * count > MAX_GENERATED ? `repeat would build ${format(text.length * count)} characters; the limit is ${format(MAX_GENERATED)}` : null;
    }
    case "lpad":
    case "rpad": {
      const length = readNumber(args[1]);
      if (length === null) return `${name} needs a literal length`;
      return length > MAX_GENERATED ? `${name} to ${format(length)} characters; the limit is ${format(MAX_GENERATED)}` : null;
    }
    case "array_fill":
      if (readNumber(args[0]) === null && (readString(args[0])?.length ?? Infinity) > 100) return "array_fill needs a short literal value";
      return checkArrayFill(args[1]);
    case "format":
      return checkFormat(args[0]);
    default:
      return null;
  }
}

function checkSeries(args: readonly unknown[]): string | null {
  const [start, stop, step = 1] = args.map(readNumber);
  if (args.length < 2 || args.length > 3 || start === null || stop === null || step === null || start === undefined || stop === undefined) {
    return "generate_series needs literal numeric bounds (and step)";
  }
  if (step === 0) return "generate_series with a step of 0 never ends";
  const count = Math.floor((stop - start) / step) + 1;
  return count > MAX_GENERATED ? `generate_series would make ${format(count)} rows; the limit is ${format(MAX_GENERATED)}` : null;
}

function checkArrayFill(dims: unknown): string | null {
  const elements = (asNode(dims)?.A_ArrayExpr as Node | undefined)?.elements;
  const sizes = Array.isArray(elements) ? elements.map(readNumber) : [null];
  if (sizes.length === 0 || sizes.some((size) => size === null)) return "array_fill needs literal dimensions (ARRAY[n, …])";
  const total = (sizes as number[]).reduce((product, size) => product * size, 1);
  return total > MAX_GENERATED ? `array_fill would make ${format(total)} elements; the limit is ${format(MAX_GENERATED)}` : null;
}

/** format()'s width can pad to any size: the format string must be a literal with small, fixed widths. */
function checkFormat(pattern: unknown): string | null {
  const text = readString(pattern);
  if (text === null) return "format needs a literal format string";
  for (const match of text.matchAll(/%(?:\d+\$)?-?(\*|\d+)?/g)) {
    const width = match[1];
    if (width === "*") return "format with a * width is not allowed";
    if (width !== undefined && Number(width) > MAX_GENERATED) return `format width ${width} is over the limit of ${format(MAX_GENERATED)}`;
  }
  return null;
}

/** A numeric literal, also negated or cast (`-5`, `1e3`, `10::int`), or null. */
export function readNumber(node: unknown): number | null {
  const value = asNode(node);
  if (value === null) return null;
  if (value.TypeCast) return readNumber((value.TypeCast as Node).arg);
  if (value.A_Expr) {
    const expr = value.A_Expr as Node;
    const op = ((expr.name as Node[] | undefined)?.[0]?.String as Node | undefined)?.sval;
    if (expr.kind === "AEXPR_OP" && op === "-" && expr.lexpr === undefined) {
      const inner = readNumber(expr.rexpr);
      return inner === null ? null : -inner;
    }
    return null;
  }
  const constant = value.A_Const as Node | undefined;
  if (constant === undefined) return null;
  const ival = constant.ival as Node | undefined;
  if (ival !== undefined) return typeof ival.ival === "number" ? ival.ival : 0;
  const fval = (constant.fval as Node | undefined)?.fval;
  const parsed = typeof fval === "string" ? Number(fval) : Number.NaN;
  return Number.isFinite(parsed) ? parsed : null;
}

function readString(node: unknown): string | null {
  const value = asNode(node);
  if (value?.TypeCast) return readString((value.TypeCast as Node).arg);
  const sval = ((value?.A_Const as Node | undefined)?.sval as Node | undefined)?.sval;
  return typeof sval === "string" ? sval : null;
}

function asNode(node: unknown): Node | null {
  return node !== null && typeof node === "object" && !Array.isArray(node) ? (node as Node) : null;
}

function format(n: number): string {
  return n.toLocaleString("en-US");
}
