// The folder tree is the architecture (README "Layout"): scripts/ → bot/ → storage/ → core/, nothing imports
// upward; the policy (core/rules/) reads nothing of the services or the dialog; no module's code runs in a
// circle; and in the dialog and the rules no module imports itself back through others, not even a type, so
// that the engine, each flow and each rule can be read and changed from the bottom up.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const floors = ["core", "storage", "bot", "scripts"] as const;

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : /\.(ts|mjs)$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

/** One module's relative imports (static, dynamic, re-exports) as repository paths; `typeOnly` when nothing of it runs. */
interface Edge {
  to: string;
  typeOnly: boolean;
}

/** Every module's relative imports. */
function importGraph(): Map<string, Edge[]> {
  const graph = new Map<string, Edge[]>();
  for (const file of floors.flatMap(sources)) {
    const text = readFileSync(join(root, file), "utf8");
    const edges: Edge[] = [];
    const add = (spec: string, typeOnly: boolean) => {
      const to = relative(root, resolve(root, dirname(file), spec)).replace(/\.js$/, ".ts");
      if (/\.(ts|mjs)$/.test(to)) edges.push({ to, typeOnly });
    };
    for (const m of text.matchAll(/^(?:import|export)\s+(type\s+)?([^;]*?)\s*from\s*["'](\.\.?\/[^"']+)["']/gms)) {
      const names = /^\{([^}]*)\}$/.exec(m[2]!.trim())?.[1]?.split(",").map((n) => n.trim()).filter(Boolean);
      add(m[3]!, m[1] !== undefined || (names !== undefined && names.length > 0 && names.every((n) => n.startsWith("type "))));
    }
    for (const m of text.matchAll(/(?:^import\s*|import\(\s*)["'](\.\.?\/[^"']+)["']/gm)) add(m[1]!, false);
    graph.set(file, edges);
  }
  return graph;
}

/** The graph over the modules under `prefix`, through the imports `keep` keeps. */
function within(graph: Map<string, Edge[]>, prefix: string, keep: (e: Edge) => boolean): Map<string, string[]> {
  const part = new Map<string, string[]>();
  for (const [file, edges] of graph) if (file.startsWith(prefix)) part.set(file, edges.filter((e) => keep(e) && e.to.startsWith(prefix)).map((e) => e.to));
  return part;
}

/** The groups of modules that import one another in a circle (Tarjan's strongly connected components). */
function circles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    indices.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!indices.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indices.get(w)!));
    }
    if (low.get(v) === indices.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1 || graph.get(v)?.includes(v)) found.push(group.sort());
    }
  };
  for (const v of graph.keys()) if (!indices.has(v)) visit(v);
  return found;
}

describe("the layout", () => {
  const graph = importGraph();

  it("has no import circle through code that runs", () => {
    expect(circles(within(graph, "", (e) => !e.typeOnly))).toEqual([]);
  });

  it("has no import circle at all, type imports included, in the dialog and the rules", () => {
    expect(circles(within(graph, "core/dialog/", () => true))).toEqual([]);
    expect(circles(within(graph, "core/rules/", () => true))).toEqual([]);
  });

  it("imports nothing from a floor above", () => {
    const floorOf = (path: string) => floors.indexOf(path.split("/")[0] as (typeof floors)[number]);
    const upward = [...graph].flatMap(([file, edges]) => edges.filter((e) => floorOf(e.to) > floorOf(file)).map((e) => `${file} → ${e.to}`));
    expect(upward).toEqual([]);
  });

  it("keeps the rules apart from the services and the dialog", () => {
    const shared = ["core/i18n.ts", "core/errors.ts"];
    const outside = [...graph]
      .filter(([file]) => file.startsWith("core/rules/"))
      .flatMap(([file, edges]) => edges.filter((e) => !e.to.startsWith("core/rules/") && !shared.includes(e.to)).map((e) => `${file} → ${e.to}`));
    expect(outside).toEqual([]);
  });
});
