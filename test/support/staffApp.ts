// The school staff's side of the chat as the staff*.test.ts files drive it: the real app (database file, vault,
// pack, engine) opened afresh for each file, spoken to through `app.engine.handle` only, with a clock the tests
// move as the programme goes on; chats of residents and of staff bound by a bureau invite; an approved plan and
// a class with trainees made through the services, as the school and the bureau would.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect } from "vitest";
import { openApp, type App } from "../../bot/app.js";
import type { ChatClock } from "../../core/dialog/engine.js";
import type { Reply } from "../../core/dialog/types.js";
import { packTranslator } from "../../core/rules/packWords.js";
import type { Actor } from "../../core/roles.js";
import { bureau, enrolMany, planInput } from "../process/helpers.js";
import { jiangyin } from "./packs.js";

/** The Jiangyin pack's words in zh-CN, as the staff read them. @example t("staff.menu.roster") */
export const t = packTranslator(jiangyin, "zh-CN");
/** The bot's Telegram username, which enrolment links name. */
export const BOT = "jiangyin_test_bot";
/** The link a poster's QR code carries: adding the bot on WeChat. */
export const WECHAT_QR = "https://u.wechat.com/EKvxBnQm2pL8Y7sZ";
/** The day the programme's clock shows unless a test moves it. */
const FIRST_DAY = "2023-07-01";

/** A school's staff member as the services know them. */
export type SchoolStaff = Actor & { kind: "school_staff" };

/**
 * Opens the app before the file's tests and closes it (removing its files) after; call it at the top of a
 * `describe`. `today` is the programme's day: a test that moves it puts it back (to 2023-07-01) when done.
 * @example const staff = openStaffApp("staff-classes-"); const { c, actor } = await staff.staffChat(SCHOOL_A);
 */
export function openStaffApp(dirPrefix: string) {
  let dir: string;
  let app: App;
  // The day moves as the programme does: classes open, run and finish.
  let today = FIRST_DAY;
  const clock: ChatClock = { today: () => today, now: () => new Date(`${today}T02:00:00Z`) };
  let chatNo = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), dirPrefix));
    app = await openApp({ databasePath: join(dir, "bot.db"), keyFile: join(dir, "data.key"), clock, botUsername: BOT, wechatContactQr: WECHAT_QR });
  });
  afterAll(() => {
    app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A chat of its own; `last` is the last reply, whose choices `tap` picks from. */
  function chat() {
    const externalId = `staff-test-${++chatNo}`;
    let last: Reply | undefined;
    const handle = async (input: { text?: string; choiceId?: string; stepToken?: string; file?: { fileName: string; size: number; bytes: Uint8Array } }) => {
      const replies = await app.engine.handle({ channel: "telegram", chat: "private", externalId, ...input });
      last = replies.at(-1);
      return replies;
    };
    return {
      externalId,
      personId: () => app.services.identify("telegram", externalId, clock.now()).personId,
      send: (text: string) => handle({ text }),
      texts: async (text: string) => (await handle({ text })).map((r) => r.text),
      /** Taps the last reply's choice whose label contains `label`. */
      tap: (label: string) => {
        const choice = last?.choices?.find((c) => c.label.includes(label));
        if (!choice) throw new Error(`no choice "${label}" in: ${last?.text}\n${last?.choices?.map((c) => c.label).join(" | ")}`);
        return handle({ choiceId: choice.id, stepToken: last!.stepToken! });
      },
      upload: (fileName: string, bytes: Uint8Array) => handle({ file: { fileName, size: bytes.length, bytes } }),
      last: () => last!,
    };
  }
  type Chat = ReturnType<typeof chat>;

  /** A chat whose person redeemed a school-staff invite by "/staff CODE"; answers the staff actor too. */
  async function staffChat(schoolId: string): Promise<{ c: Chat; actor: SchoolStaff }> {
    const c = chat();
    const { code } = app.services.process.createInvite(bureau, { role: "school_staff", schoolId }, clock.now(), 3_600_000);
    const replies = await c.send(`/staff ${code}`);
    expect(replies.map((r) => r.text).join("\n")).toContain(t("staff.menu.text", { school: schoolName(schoolId) }));
    const actor = app.services.actorsOf(c.personId()).find((a) => a.kind === "school_staff") as SchoolStaff;
    return { c, actor };
  }

  const schoolName = (schoolId: string) => app.pack.schools.find((s) => s.code === schoolId)!.name.zh;

  /** An approved plan of the school, made through the services as the staff member and the bureau. */
  function approvedPlan(actor: SchoolStaff, over: Parameters<typeof planInput>[1] = {}): number {
    const { planId } = app.services.process.submitPlan(actor, planInput(actor.schoolId, over), today, clock.now());
    app.services.process.approvePlan(bureau, planId, clock.now());
    return planId;
  }

  /** A class of 40 opening 2023-07-20 and closing 2023-08-31, with `trainees` enrolled. */
  function classWith(actor: SchoolStaff, trainees: number) {
    const planId = approvedPlan(actor);
    const opened = app.services.process.openClass(actor, { planId, name: `测试班${++chatNo}`, opensOn: "2023-07-20", closesOn: "2023-08-31", capacity: 40 }, today, clock.now());
    return { ...opened, trainees: enrolMany(app.services, opened.classId, trainees) };
  }

  return {
    /** The app, open while the file's tests run. */
    get app() {
      return app;
    },
    get today() {
      return today;
    },
    set today(day: string) {
      today = day;
    },
    clock,
    chat,
    staffChat,
    schoolName,
    approvedPlan,
    classWith,
  };
}
