import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { openPersonal, sealPersonal } from "../../core/personal.js";
import { createVault } from "../../storage/crypto.js";
import { createDialogStore } from "../../storage/dialogStore.js";
import { createPeopleStore } from "../../storage/repositories.js";
import { people } from "../../storage/schema.js";
import { freshDatabase, NOW } from "./fixtures.js";

const residents = [
  { name: "张三丰", idNumber: "320281199001011234", phone: "13812345678" },
  { name: "欧阳娜娜", idNumber: "32028119851231567X", phone: "13987654321" },
  { name: "Li Lei", idNumber: "320281200002029876", phone: "15011112222" },
];
// Stored in the clear on purpose; finding it proves the search looks where the rows are.
const CONTROL = "control-marker-7f3a";

// Every file SQLite keeps for the database, as bytes.
function filesOf(path: string): Buffer[] {
  return [path, `${path}-wal`].filter(existsSync).map((file) => readFileSync(file));
}

function expectNoPlaintext(path: string): void {
  const files = filesOf(path);
  expect(files.some((bytes) => bytes.includes(Buffer.from(CONTROL, "utf8")))).toBe(true);
  for (const { name, idNumber, phone } of residents) {
    for (const secret of [name, idNumber, phone]) {
      for (const bytes of files) expect(bytes.includes(Buffer.from(secret, "utf8")), secret).toBe(false);
    }
  }
}

describe("personal data at rest", () => {
  it("leaves no plaintext name, ID number or phone in the database file or its WAL", () => {
    const { db, sqlite, path } = freshDatabase();
    const vault = createVault(Buffer.alloc(32, 1));
    for (const { name, idNumber, phone } of residents) {
      db.insert(people)
        .values({
          facts: { note: CONTROL },
          personalEnc: sealPersonal(vault, { name, idNumber, phone }),
          idHash: vault.hashId(idNumber),
          createdAt: NOW,
          updatedAt: NOW,
        })
        .run();
    }
    // Before a checkpoint the rows live only in the WAL.
    expect(readFileSync(`${path}-wal`).includes(Buffer.from(CONTROL, "utf8"))).toBe(true);
    expectNoPlaintext(path);

    sqlite.pragma("wal_checkpoint(FULL)");
    expect(readFileSync(path).includes(Buffer.from(CONTROL, "utf8"))).toBe(true);
    expectNoPlaintext(path);

    // And the ciphertexts still read back.
    const row = db.select().from(people).get();
    expect(row?.personalEnc && openPersonal(vault, row.personalEnc).name).toBe("张三丰");
  });

  it("keeps a conversation's half-typed personal data encrypted, and a conversation holding nothing personal readable", () => {
    const { db, sqlite, path } = freshDatabase();
    const store = createDialogStore(sqlite, createVault(Buffer.alloc(32, 1)));
    const chats = createPeopleStore(db, sqlite, createVault(Buffer.alloc(32, 1)));
    // Mid-enrolment: the name, ID number and phone typed so far, before the enrolment is submitted.
    const typing = residents.map(({ name, idNumber, phone }, i) => ({
      identityId: chats.createWithIdentity("telegram", `chat-${i}`, NOW).identityId,
      state: { flow: "enrol", step: "summary", draft: { name, idNumber, phone } },
    }));
    const stored = (state: { flow: string; step: string }, personal: boolean) => ({ json: JSON.stringify(state), flow: state.flow, step: state.step, token: "t1", personal });
    for (const { identityId, state } of typing) store.record(identityId, { updateId: `u${identityId}`, state: stored(state, true) }, NOW);
    // A staff member's menu holds nothing personal (the engine says so): stored as it is.
    const checking = chats.createWithIdentity("telegram", "checking", NOW).identityId;
    const answers = { flow: "staff", step: "staff:menu", staff: { note: CONTROL } };
    store.record(checking, { updateId: "u-check", state: stored(answers, false) }, NOW);

    expectNoPlaintext(path);
    sqlite.pragma("wal_checkpoint(FULL)");
    expectNoPlaintext(path);
    for (const { identityId, state } of typing) expect(JSON.parse(store.load(identityId)!)).toEqual(state);
    expect(JSON.parse(store.load(checking)!)).toEqual(answers);
    expect(store.open("telegram", "checking", "u-check")?.handledBefore).toBe(true);
    expect(store.open("telegram", "checking", "u-other")?.handledBefore).toBe(false);
  });
});
