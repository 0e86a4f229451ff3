// A second process racing for seats: opens its own connection to the same file, waits for "go" on
// stdin, enrols the given people, and prints each outcome as JSON. Run by race.test.ts.
import { createInterface } from "node:readline";
import { DomainError } from "../../core/errors.js";
import { createVault } from "../../storage/crypto.js";
import { openDatabase } from "../../storage/db.js";
import { createServices } from "../../storage/services.js";
import { KEY_HEX, pack, personalFor, TODAY } from "./helpers.js";

const [path, classId, ...people] = process.argv.slice(2).map((a, i) => (i === 0 ? a : Number(a))) as [string, number, ...number[]];
const opened = openDatabase({ path });
const services = createServices({ ...opened, vault: createVault(Buffer.from(KEY_HEX, "hex")), pack });
const now = new Date("2023-07-01T08:00:00Z");
process.stdout.write("ready\n");
for await (const _line of createInterface({ input: process.stdin })) break;
const outcomes = people.map((personId) => {
  try {
    const n = personId; // person ids double as trainee numbers in the race test
    return services.enrol({ kind: "resident", personId }, { personId, classId, personal: personalFor(n), rightsConsentAt: now, privacyConsentAt: now }, TODAY, now).status;
  } catch (e) {
    return e instanceof DomainError ? e.code : String(e);
  }
});
process.stdout.write(JSON.stringify(outcomes) + "\n");
opened.close();
