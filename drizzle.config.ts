// drizzle-kit settings: `npm run db:generate` writes SQL migrations from storage/schema.ts, which re-exports
// the tables of storage/schema/.
import { defineConfig } from "drizzle-kit";

/** The drizzle-kit configuration. Example: `npx drizzle-kit generate`. */
export default defineConfig({
  dialect: "sqlite",
  schema: "./storage/schema.ts",
  out: "./storage/migrations",
});
