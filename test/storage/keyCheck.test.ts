// A bot started with another key than its database's refuses to run, naming where the key came from; a key
// file that start created is removed. The right key, or a database with nothing sealed yet, opens as before.
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { openApp, systemClock } from "../../bot/app.js";
import { KeyMismatchError } from "../../storage/keyCheck.js";
import { engineChat, enrolByNumbers, residentId, tempDatabase, TODAY } from "../support/wechatApp.js";

const clock = systemClock("Asia/Shanghai", TODAY);
const KEY_A = "a".repeat(64);
const KEY_B = "b".repeat(64);

describe("the data key at start-up", () => {
  it("refuses a key that does not open the sealed personal data, and removes a key file it just made", async () => {
    const path = tempDatabase();
    // Nothing sealed yet: any key opens the file.
    const first = await openApp({ databasePath: path, dataKey: KEY_A, keyFile: `${path}.unused`, clock });
    first.services.seedDemo({ today: TODAY, now: clock.now() });
    const chat = engineChat(first, "console", "someone");
    await chat("/start");
    for (const [text] of enrolByNumbers(residentId())) await chat(text);
    first.close();

    await expect(openApp({ databasePath: path, dataKey: KEY_B, keyFile: `${path}.unused`, clock })).rejects.toThrow(
      new KeyMismatchError(
        `DATA_KEY does not open the personal data already in ${path}: it was sealed with another key. Hint: set DATA_KEY or DATA_KEY_FILE to the key this database was made with; a new key cannot read what the old one sealed.`,
      ),
    );
    const newFile = `${path}.new.key`;
    await expect(openApp({ databasePath: path, keyFile: newFile, clock })).rejects.toThrow(/^the key file .*\.new\.key \(just created, now removed\) does not open/);
    expect(existsSync(newFile)).toBe(false);

    const again = await openApp({ databasePath: path, dataKey: KEY_A, keyFile: `${path}.unused`, clock });
    expect(again.services.roster({ kind: "bureau_operator", operator: "test" }, 1).map((r) => r.name)).toEqual(["张三丰"]);
    again.close();
  });
});
