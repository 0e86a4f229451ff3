import { defineConfig } from "vitest/config";

// Two cores: one worker per core; forks because better-sqlite3 and Wechaty hold native handles.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
