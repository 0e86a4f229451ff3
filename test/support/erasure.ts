// Shared by the erasure tests: an empty database opened as the bot opens it, with one class; a resident who
// checks and enrols by chat; and a byte scan of files for what must not be in them.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { openApp, type App } from "../../bot/app.js";
import { plainText } from "../../bot/console.js";
import type { Actor } from "../../core/roles.js";
import { createVault } from "../../storage/crypto.js";
import { bureau, NOW, planInput, SCHOOL_A, TODAY } from "../process/helpers.js";
import { ENROLLED, residentId, zh } from "./wechatApp.js";

/** The data key of the test databases (hex). */
export const DATA_KEY = "3c".repeat(32);
/** The resident who enrols and is forgotten. */
export const RESIDENT = { name: "欧阳娜娜", idNumber: residentId("19850612", "046"), phone: "13987654321" };

/**
 * The app on `dir`/bot.db as the running bot opens it (checkpoints on their thread), on a clock that moves a
 * second at each reading, from the demo day: an erasure's time and a later message's differ, as in the field.
 */
export async function openBot(dir: string): Promise<App> {
  let now = NOW.getTime();
  return openApp({ databasePath: join(dir, "bot.db"), dataKey: DATA_KEY, keyFile: join(dir, "unused.key"), clock: { today: () => TODAY, now: () => new Date((now += 1000)) }, backgroundCheckpoints: true });
}

/** An empty database opened as the running bot opens it, with one class a school opened through its staff. */
export async function botWithOneClass(dir: string): Promise<{ app: App; classCode: string }> {
  const app = await openBot(dir);
  const { personId } = app.services.identify("console", "school-staff", NOW);
  const invite = app.services.process.createInvite(bureau, { role: "school_staff", schoolId: SCHOOL_A }, NOW, 3_600_000);
  const staff = app.services.process.redeemInvite(invite.code, personId, NOW) as Actor & { kind: "school_staff" };
  const { planId } = app.services.process.submitPlan(staff, planInput(SCHOOL_A), TODAY, NOW);
  app.services.process.approvePlan(bureau, planId, NOW);
  const { code } = app.services.process.openClass(staff, { planId, name: "电商四级班", opensOn: "2023-07-20", closesOn: "2023-08-31", capacity: 40 }, TODAY, NOW);
  return { app, classCode: code };
}

/**
 * The check and an enrolment by chat, answering each question with its first choice (a key-group member:
 * able to work, healthy, the first key group), then the name, ID number and mobile.
 */
export async function enrolByChat(app: App, externalId: string, person = RESIDENT): Promise<string[]> {
  const said: string[] = [];
  const chat = async (text: string) => {
    const replies = (await app.engine.handle({ channel: "telegram", chat: "private", externalId, text, updateId: `${externalId}-${said.length}` })).map((r) => plainText(r));
    said.push(...replies);
    return replies.join("\n");
  };
  let last = await chat("/check");
  for (let i = 0; i < 20 && !last.includes(zh("dialog.enrol.name")); i++) last = await chat("1");
  expect(last).toContain(zh("dialog.enrol.name"));
  expect(await chat(person.name)).toContain(zh("dialog.enrol.idNumber"));
  expect(await chat(person.idNumber)).toContain(zh("dialog.enrol.phone"));
  expect(await chat(person.phone)).toContain("【学员权益告知书】");
  expect(await chat("1")).toContain("【个人信息说明】");
  await chat("1");
  expect(await chat("1")).toContain(ENROLLED);
  return said;
}

/**
 * Which secrets are in which files, byte for byte: ["name in bot.db-wal", …].
 * @example scan(["bot.db", "bot.db-wal"], { name: Buffer.from("欧阳娜娜") }) // []
 */
export function scan(files: string[], secrets: Record<string, Buffer>): string[] {
  const found: string[] = [];
  for (const file of files) {
    // A -wal or -shm goes when the last connection closes, which may be now (the checkpointer's, closing on its thread).
    const bytes = readIfThere(file);
    if (!bytes) continue;
    for (const [what, secret] of Object.entries(secrets)) if (bytes.includes(secret)) found.push(`${what} in ${file.split("/").pop()}`);
  }
  return found;
}


/**
 * What must not stay of RESIDENT once forgotten, as the bytes a scan looks for: the name, ID number and mobile
 * in UTF-8, the ID hash as hex and raw, the sealed record the data key would open, the masked name the school
 * was told, the answers they gave.
 * @example const { secrets } = secretsOf(app); scan(files, secrets) // [] once forgotten
 */
export function secretsOf(app: App): { personId: number; secrets: Record<string, Buffer> } {
  const vault = createVault(Buffer.from(DATA_KEY, "hex"));
  const idHash = vault.hashId(RESIDENT.idNumber);
  const row = app.sqlite.prepare("select id, personal_enc as sealed from people where id_hash = ?").get(idHash) as { id: number; sealed: string };
  const facts = JSON.stringify(app.services.savedFacts({ kind: "resident", personId: row.id }, row.id));
  expect(JSON.parse(facts)).toMatchObject({ ableToWork: true, healthy: true });
  return {
    personId: row.id,
    secrets: {
      name: Buffer.from(RESIDENT.name, "utf8"),
      "ID number": Buffer.from(RESIDENT.idNumber, "utf8"),
      mobile: Buffer.from(RESIDENT.phone, "utf8"),
      "ID hash (hex)": Buffer.from(idHash, "utf8"),
      "ID hash (raw)": Buffer.from(idHash, "hex"),
      "sealed record": Buffer.from(row.sealed, "utf8"),
      "masked name (the school's notice)": Buffer.from(`${RESIDENT.name[0]}***`, "utf8"),
      answers: Buffer.from(facts, "utf8"),
      "health answer": Buffer.from('"healthy":true', "utf8"),
      "key groups": Buffer.from('"keyGroups":[', "utf8"),
    },
  };
}

function readIfThere(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}
