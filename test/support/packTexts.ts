// What people read on a pack, for the words tests (test/packWords.test.ts): every locale text filled with the
// pack's words, and what a school's staff read on an empty database through the real app, from "/staff"
// without an invite to a paid claim, with the notices queued along the way.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openApp } from "../../bot/app.js";
import type { ChatClock } from "../../core/dialog/engine.js";
import type { Choice, Reply } from "../../core/dialog/types.js";
import { addDays } from "../../core/rules/dates.js";
import { translator } from "../../core/i18n.js";
import { isNoticeKind } from "../../core/notice.js";
import { renderNotice } from "../../core/noticeKinds.js";
import { local, type Lang, type PolicyPack } from "../../core/rules/pack.js";
import { planTemplateYaml } from "../../core/planFile.js";
import { plan } from "../../core/planner.js";
import { packTranslator } from "../../core/rules/packWords.js";
import { loadPlannerState } from "../../storage/reminders.js";
import { outbox } from "../../storage/schema.js";
import { personalFor } from "../enrolment/helpers.js";
import { bureau } from "../process/helpers.js";

/** A text and where it came from. */
export interface Seen {
  where: string;
  text: string;
}

const localesDir = new URL("../../locales/", import.meta.url);

/**
 * Every text of the locales as the pack's chat says it (its words filled in), in both languages: not the
 * everyday forms the bot understands (understand.*) nor the FAQ's keyword lists, which nobody reads.
 * @example localeTexts(elderlyCare).find((x) => x.where === "zh-CN staff.howToGet")?.text // "邀请码由市人社局职业能力建设处发放，…"
 */
export function localeTexts(pack: PolicyPack): Seen[] {
  const out: Seen[] = [];
  for (const file of readdirSync(localesDir).filter((f) => f.endsWith(".json") && !f.startsWith("understand."))) {
    const [area, lang] = file.replace(/\.json$/, "").includes(".") ? (file.replace(/\.json$/, "").split(".") as [string, Lang]) : ["", file.replace(/\.json$/, "") as Lang];
    const t = packTranslator(pack, lang);
    const walk = (value: unknown, key: string) => {
      if (typeof value === "string") {
        if (!key.endsWith(".keywords")) out.push({ where: `${lang} ${key}`, text: t(key) });
      } else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) walk(v, key ? `${key}.${k}` : k);
    };
    walk(JSON.parse(readFileSync(new URL(file, localesDir), "utf8")), area);
  }
  return out;
}

/**
 * What a school's staff member reads, in `lang`, on a new database serving the pack at `path`: "/staff"
 * without and with a wrong invite, the menu, opening a class with no plan, the plan form item by item and
 * submitted, a plan the bureau entered from the pack's own template, both approved and viewed, a class
 * opened, listed, filed and its poster, two trainees' roster, their results, the share and the claim;
 * then the notices queued (the services' and the planner's), rendered.
 * @example (await staffSees(elderlyCarePath, "2025-12-01", "zh-CN")).find((x) => x.where.startsWith("badInvite"))?.text
 */
export async function staffSees(path: string, start: string, lang: Lang): Promise<Seen[]> {
  const dir = mkdtempSync(join(tmpdir(), "pack-words-"));
  let today = start;
  const clock: ChatClock = { today: () => today, now: () => new Date(`${today}T02:00:00Z`) };
  const app = await openApp({ databasePath: join(dir, "bot.db"), keyFile: join(dir, "data.key"), packPath: path, clock, botUsername: "pack_words_bot" });
  const pack = app.pack;
  const p = app.services.process;
  const t = translator(lang);
  const seen: Seen[] = [];
  try {
    const chat = (externalId: string) => {
      let last: Reply | undefined;
      const handle = async (where: string, input: { text?: string; choiceId?: string; stepToken?: string; file?: { fileName: string; size: number; bytes: Uint8Array } }) => {
        const replies = await app.engine.handle({ channel: "telegram", chat: "private", externalId, ...input });
        for (const r of replies) {
          seen.push({ where, text: r.text });
          for (const c of r.choices ?? []) seen.push({ where: `${where} (choice)`, text: c.label });
        }
        last = replies.at(-1);
        return replies;
      };
      const tap = (where: string, pick: (choices: Choice[]) => Choice | undefined) => {
        const choice = pick(last?.choices ?? []);
        if (!choice) throw new Error(`${where}: no such choice in: ${last?.text}\n${last?.choices?.map((c) => c.label).join(" | ")}`);
        return handle(where, { choiceId: choice.id, stepToken: last!.stepToken! });
      };
      return {
        send: (where: string, text: string) => handle(where, { text }),
        tap,
        tapLabel: (where: string, label: string) => tap(where, (cs) => cs.find((c) => c.label === label)),
        tapFirst: (where: string) => tap(where, (cs) => cs[0]),
        upload: (where: string, fileName: string, text: string) => handle(where, { file: { fileName, size: Buffer.byteLength(text), bytes: Buffer.from(text) } }),
        last: () => last!,
      };
    };
    const inLang = async (c: ReturnType<typeof chat>) => {
      if (lang === "zh-CN") return;
      await c.send("lang", "/lang");
      await c.tapLabel("lang", "English");
    };

    // A resident who is not staff, and a wrong invite: where invite codes come from.
    const resident = chat("resident");
    await inLang(resident);
    await resident.send("notStaff", "/staff");
    await resident.send("badInvite", "/staff 7KQ2-M9XD-4TPA");

    const school = pack.schools[0]!.code;
    const staff = chat("staff");
    await inLang(staff);
    await staff.send("invite", `/staff ${p.createInvite(bureau, { role: "school_staff", schoolId: school }, clock.now(), 3_600_000).code}`);
    // Back to the staff menu from a list (a finished step goes back by itself), then one of its items.
    const menu = async (id: string, where = id) => {
      if (staff.last().choices?.some((c) => c.label === t("staff.menu.back"))) await staff.tapLabel("menu", t("staff.menu.back"));
      return staff.tapLabel(where, t(`staff.menu.${id}`));
    };
    await menu("open", "noPlan");

    // The plan form, item by item: the first of each choice, a valid answer to each question typed.
    await menu("plan");
    const typed = ["30", addDays(today, 14), addDays(today, 60), "120", "72", "专业理论48课时、技能实操72课时", "国家职业技能标准", "王芳：高级技师证书", "理论+实操考核", "统一题库", "鉴定中心", "50000"];
    for (let step = 0; step < 20 && !staff.last().choices?.some((c) => c.label === t("plan.summary.submit")); step++)
      await (staff.last().choices?.length ? staff.tapFirst("plan form") : staff.send("plan form", typed.shift() ?? "?"));
    await staff.tapLabel("plan submitted", t("plan.summary.submit"));

    // A plan the bureau entered from the pack's template, as a school sent it by e-mail; both approved.
    await p.enterPlanFile(bureau, school, Buffer.from(planTemplateYaml(pack, lang)), "plan.yaml", today, clock.now(), lang);
    for (const plan of p.listPlans(bureau, {}, clock.now())) p.approvePlan(bureau, plan.id, clock.now());
    await menu("plans");
    for (const i of [0, 1]) {
      await staff.tap("plan view", (cs) => cs[i]);
      await staff.tapLabel("plan view", t("plan.view.back"));
    }

    // A class under the chat's plan, opened, listed, filed, and its poster.
    await menu("open", "class opened");
    await staff.tapFirst("class opened");
    for (const answer of [t("staff.open.name").includes("四级") ? "四级1班" : "Level 4, class 1", addDays(today, 20), addDays(today, 30), "2"]) await staff.send("class opened", answer);
    await staff.tapLabel("class opened", t("staff.open.yes"));
    await menu("classes");
    await menu("filing");
    await staff.tapFirst("filing");
    await staff.tapLabel("filing", t("staff.filing.yes"));
    await menu("poster");
    await staff.tapFirst("poster");

    // Two trainees, as the check and the enrolment take them (a key-group member seeking work in the sector).
    const cls = p.listClasses(bureau, {}, clock.now())[0]!;
    const group = pack.keyGroups.find((g) => !g.requiresLocalHukou)!;
    const trainees = [1, 2].map((n) => {
      const { personId } = app.services.identify("console", `trainee-${n}`, clock.now());
      app.services.saveFacts({ kind: "resident", personId }, personId, { ableToWork: true, healthy: true, age: 30, sector: "seeking", keyGroups: [group.code], hukouLocal: true, insured: true, insuredMonths: 24 });
      const personal = personalFor(900 + n);
      const r = app.services.enrol({ kind: "resident", personId }, { personId, classId: cls.id, personal, rightsConsentAt: clock.now(), privacyConsentAt: clock.now() }, today, clock.now());
      if (r.status !== "confirmed") throw new Error(`trainee ${n}: ${r.status}`);
      return personal;
    });
    await menu("roster");
    await staff.tapFirst("roster");

    // After the class: the results, the share, the claim; the bureau's notice and payment.
    const planner = (from: string) => plan(loadPlannerState(app.db, { from, today }), pack, { today, from }).notices;
    const planned = [...planner(start)];
    today = addDays(cls.closesOn, 1);
    const level = local(pack.levels.find((l) => l.level === cls.level)!.name, "zh-CN");
    const csv = ["姓名,身份证号,考核结果,等级,证书编号", ...trainees.map((tr, i) => `${tr.name},${tr.idNumber},合格,${level},S00000${i + 1}`)].join("\r\n");
    await menu("results");
    await staff.tapFirst("results");
    await staff.upload("results", "results.csv", csv);
    await menu("share");
    await menu("claim");
    await staff.tapFirst("claim");
    for (let i = 0; i < pack.claimMaterials.items.length; i++) await staff.tap("claim", (cs) => cs.find((c) => c.label !== t("staff.claim.materialsDone")));
    await staff.tapLabel("claim", t("staff.claim.materialsDone"));
    await staff.send("claim", Array.from({ length: pack.teachingVideos.minCount + 1 }, () => String(pack.teachingVideos.minAverageMinutes + 5)).join(" "));
    await staff.tapLabel("claim", t("staff.claim.yes"));
    planned.push(...planner(addDays(cls.opensOn, -1)));
    const claim = p.listClaims(bureau, {}, clock.now())[0]!;
    const notice = p.startNotice(bureau, claim.id, today, clock.now());
    today = addDays(notice.ends, 1);
    p.clearNotice(bureau, claim.id, today, clock.now());
    p.recordPayment(bureau, claim.id, claim.amountYuan, clock.now());
    today = addDays(pack.window.to, -3);
    planned.push(...planner(addDays(today, -7)));

    // Every notice queued or planned, as it is sent.
    const queued = app.db.select().from(outbox).all().map((n) => ({ kind: n.kind, params: n.params }));
    for (const n of [...queued, ...planned]) {
      const kind = n.kind;
      if (isNoticeKind(kind)) seen.push({ where: `notice ${kind}`, text: renderNotice({ kind, params: n.params as never }, lang) });
    }
    return seen;
  } finally {
    app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
