// The log must never carry an ID number, a mobile number, a name or a credential, wherever it hides.
import { describe, expect, it } from "vitest";
import { createLogger, redactText } from "../../bot/logger.js";
import { residentId } from "../support/people.js";

const ID = residentId("1990-05-17", { serial: 12 });
const ID_X = "11010519491231002X";
const PHONE = "13912345678";
const NAME = "王小明";
const OTHER_NAME = "李四";
const TG_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
const DATA_KEY = "ab".repeat(32);
const BEARER = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0.sig";
const WEBHOOK_SECRET = "hook-secret-value-42";

function collect(options: Parameters<typeof createLogger>[0] = {}) {
  const lines: string[] = [];
  const logger = createLogger({ ...options, destination: { write: (l: string) => lines.push(l) } });
  return { ...logger, lines, bytes: () => lines.join("") };
}

describe("createLogger", () => {
  it("removes ID numbers, mobiles, names and tokens from every field, and keeps the rest", () => {
    const out = collect({ secrets: [DATA_KEY, WEBHOOK_SECRET] });
    const err = new Error(`enrolment failed for ${ID} (${PHONE})`);
    out.log("error", `enrol failed for ${NAME}, id ${ID}`, {
      outboxId: 7,
      person: { name: NAME, fullName: OTHER_NAME, contact: { mobile: `+86 139 1234 5678` } },
      trainee: "赵六",
      personal: { idNumber: ID_X, phone: PHONE },
      note: `用户${ID}报名，电话${PHONE}，${NAME}`,
      list: [[`x${ID_X}y`], { deep: [{ deeper: `tel:${PHONE}` }] }],
      error: err,
      url: `https://api.telegram.org/bot${TG_TOKEN}/sendMessage`,
      headers: { authorization: `Bearer ${BEARER}`, other: `Bearer ${BEARER}` },
      config: { DATA_KEY, TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET },
      echo: `key was ${DATA_KEY} and ${WEBHOOK_SECRET}`,
      idAsNumber: 320281199005170012,
      phoneAsNumber: 13912345678,
    });
    out.pino.child({ chat: { firstName: "钱七", phone: PHONE } }).warn(`child says ${ID}`);
    const bytes = out.bytes();
    for (const secret of [ID, ID_X, PHONE, "139 1234 5678", NAME, OTHER_NAME, "赵六", "钱七", TG_TOKEN, DATA_KEY, BEARER, WEBHOOK_SECRET, "320281199005170", "13912345678"])
      expect(bytes, secret).not.toContain(secret);

    const [first, second] = out.lines.map((l) => JSON.parse(l));
    // What an operator needs is still there: level, message shape, ids, the error's stack.
    expect(first).toMatchObject({ level: "error", outboxId: 7, msg: "enrol failed for [redacted], id [id]" });
    // The phone is also a known personal value of this line, so either replacement may win.
    expect(first.note).toMatch(/^用户\[id\]报名，电话\[(phone|redacted)\]，\[redacted\]$/);
    expect(first.error.message).toMatch(/^enrolment failed for \[id\] \(\[(phone|redacted)\]\)$/);
    expect(first.error.stack).toContain("logger.test.ts");
    expect(first.url).toBe("https://api.telegram.org/bot[token]/sendMessage");
    expect(first.headers.other).toBe("Bearer [token]");
    expect(second).toMatchObject({ level: "warn", msg: "child says [id]" });
  });

  it("honours the level", () => {
    const out = collect({ level: "warn" });
    out.log("info", "quiet");
    out.log("warn", "loud");
    expect(out.lines.map((l) => JSON.parse(l).msg)).toEqual(["loud"]);
  });

  it("redacts secrets added after start, such as the key loaded from its file", () => {
    const out = collect();
    const key = Buffer.alloc(32, 7);
    out.addSecrets(key);
    out.log("info", `key ${key.toString("base64")} ${key.toString("hex")}`);
    expect(out.bytes()).not.toContain(key.toString("base64"));
    expect(out.bytes()).not.toContain(key.toString("hex"));
  });

  it("recognises the usual spellings of a mobile number and a resident ID", () => {
    expect(redactText("a 13912345678 b +8613912345678 c 139-1234-5678 d 139 1234 5678")).toBe("a [phone] b [phone] c [phone] d [phone]");
    expect(redactText(`x${ID}y ${ID_X.toLowerCase()}`)).toBe("x[id]y [id]");
  });

  it("keeps timestamps, ordinary numbers and the error class name", () => {
    expect(redactText("at 1688198400000 update 981234567 in 2023-07-01")).toBe("at 1688198400000 update 981234567 in 2023-07-01");
    const out = collect();
    class DecryptionError extends Error {
      override name = "DecryptionError";
    }
    out.log("error", "failed", { err: new DecryptionError("wrong key") });
    expect(JSON.parse(out.lines[0]!).err.type).toBe("DecryptionError");
  });
});
