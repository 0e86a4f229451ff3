// Configuration as the IT office meets it: every variable documented with the schema's own default,
// every bad value named; and the production install (no dev dependencies) has what dist/ imports.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { configSchema, ConfigError, loadConfig } from "../../bot/config.js";
import { envRows, renderEnvExample, renderEnvTable, withEnvTable } from "../../bot/configDocs.js";

const root = join(import.meta.dirname, "..", "..");
const read = (p: string) => readFileSync(join(root, p), "utf8");

describe("configuration", () => {
  it("applies the documented operational defaults", () => {
    expect(loadConfig({})).toMatchObject({
      LOG_LEVEL: "info",
      HEALTH_PORT: 9464,
      HEALTH_HOST: "127.0.0.1",
      BACKUP_DIR: "./data/backups",
      BACKUP_KEEP: 14,
      BACKUP_CRON: "0 2 * * *",
    });
  });

  it.each([
    ["LOG_LEVEL", "loud"],
    ["HEALTH_PORT", "ninety"],
    ["HEALTH_PORT", "70000"],
    ["HEALTH_HOST", "my host"],
    ["HEALTH_OUTBOX_MAX_AGE", "5"],
    ["BACKUP_KEEP", "0"],
    ["BACKUP_CRON", "every night"],
    ["WECHATY_NAME", "a/b"],
  ])("names %s in the error for %j", (name, value) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toHaveLength(1);
    expect((error as ConfigError).problems[0]).toMatch(new RegExp(`^${name}: `));
    expect((error as ConfigError).message).toContain(name);
  });

  it("accepts the examples it documents", () => {
    const examples = Object.fromEntries(envRows().map((r) => [r.name, r.example]));
    expect(() => loadConfig(examples)).not.toThrow();
  });
});

describe(".env.example and README.md", () => {
  it("list every schema variable with the schema's default", () => {
    const example = read(".env.example");
    const defaults = configSchema.parse({}) as Record<string, unknown>;
    for (const name of Object.keys(configSchema.shape)) {
      const d = defaults[name];
      expect(example, name).toContain(`\n#${name}=${d === undefined ? "" : String(d)}\n`);
      expect(renderEnvTable(), name).toContain(`| \`${name}\` |`);
    }
  });

  it("are up to date (run npm run env:docs after changing bot/config.ts or bot/configDocs.ts)", () => {
    expect(read(".env.example")).toBe(renderEnvExample());
    const deploy = read("README.md");
    expect(withEnvTable(deploy)).toBe(deploy);
  });
});

describe("production install", () => {
  // Everything bot/, core/ and storage/ import at run time, and the compiled ops scripts, must be a
  // dependency: `npm ci --omit=dev` installs nothing else.
  it("imports no dev-only package at run time", () => {
    const pkg = JSON.parse(read("package.json")) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    const files = (dir: string): string[] =>
      readdirSync(join(root, dir)).flatMap((n) => {
        const p = join(dir, n);
        return statSync(join(root, p)).isDirectory() ? files(p) : /\.(ts|mjs)$/.test(n) && !n.endsWith(".test.ts") ? [p] : [];
      });
    const sources = [...files("bot"), ...files("core"), ...files("storage"), "scripts/db-backup.ts", "scripts/db-restore.ts"];
    const offenders: string[] = [];
    for (const file of sources) {
      const text = read(file);
      // Static imports and exports (`import type` is erased), dynamic imports, and require().
      const specs = [
        ...[...text.matchAll(/^\s*(?:import|export)\s+(?!type\b)[^;]*?from\s+"([^"]+)"/gms)].map((m) => m[1]!),
        ...[...text.matchAll(/^\s*import\s+"([^"]+)"/gm)].map((m) => m[1]!),
        ...[...text.matchAll(/\b(?:import|require)\(\s*"([^"]+)"\s*\)/g)].map((m) => m[1]!),
      ];
      for (const spec of specs) {
        if (spec.startsWith(".") || spec.startsWith("node:")) continue;
        const name = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]!;
        if (!(name in pkg.dependencies)) offenders.push(`${file}: ${spec}${name in pkg.devDependencies ? " (devDependency)" : ""}`);
      }
    }
    expect(offenders).toEqual([]);
    expect(sources.length).toBeGreaterThan(20);
  });

  it("starts the compiled bot with node, not tsx", () => {
    const pkg = JSON.parse(read("package.json")) as { scripts: Record<string, string> };
    expect(pkg.scripts["start:prod"]).toBe("node --max-semi-space-size=8 dist/bot/main.js");
    expect(pkg.scripts["db:restore"]).toBe("node scripts/run.mjs db-restore");
    expect(read("scripts/jiangyin-bot.service")).toMatch(/^ExecStart=\/usr\/bin\/node --max-semi-space-size=8 \/opt\/jiangyin-bot\/dist\/bot\/main\.js$/m);
  });
});
