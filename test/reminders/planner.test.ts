// Runs the reminder planner cases kept as data in planner-cases.yaml, and checks every notice renders in both languages.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { plan, announcementNotices, type PlannerState } from "../../core/planner.js";
import { clauseOfKind, renderNotice, traineeKinds } from "../../core/noticeKinds.js";
import { noticeKinds, type OutboxNotice } from "../../core/notice.js";
import { classNoticeParams, enrolmentNotice } from "../../core/enrolment.js";
import { translator } from "../../core/i18n.js";
import { addDays } from "../../core/rules/dates.js";
import { packNamed } from "../support/packs.js";

// YAML may hand dates over as Date objects; the planner takes YYYY-MM-DD strings.
const day = (v: unknown): string => (v instanceof Date ? v.toISOString().slice(0, 10) : String(v));
const days = (o: Record<string, unknown>, keys: string[]) => {
  const r: Record<string, unknown> = { ...o };
  for (const k of keys) if (r[k] !== undefined && r[k] !== null) r[k] = day(r[k]);
  return r;
};

interface Case {
  name: string;
  clause: string;
  today: unknown;
  from: unknown;
  staff?: number[];
  classes?: Record<string, unknown>[];
  plans?: Record<string, unknown>[];
  claims?: Record<string, unknown>[];
  certificates?: Record<string, unknown>[];
  keyGroups?: { schoolId: string; keyGroup: number; total: number }[];
  waitingSince?: Record<string, unknown>;
  kinds?: string[];
  expect: string[];
  params?: Record<string, Record<string, unknown>>;
  kindsOf?: Record<string, string>;
  waiting?: Record<string, unknown>;
}

const file = fileURLToPath(new URL("./planner-cases.yaml", import.meta.url));
const data = parse(readFileSync(file, "utf8")) as { pack: string; cases: Case[] };
const pack = packNamed(data.pack);

function stateOf(c: Case): PlannerState {
  return {
    schools: [{ id: "JYPC", name: { zh: "江阴职业技术学院", en: "Jiangyin Polytechnic College" } }],
    staff: (c.staff ?? [100]).map((personId) => ({ personId, schoolId: "JYPC" })),
    classes: (c.classes ?? []).map((raw) => {
      const k = days(raw, ["opensOn", "closesOn"]);
      const trainees = (k.trainees as number[] | undefined) ?? [];
      return {
        id: k.id as number,
        code: `C${k.id}`,
        name: `电子商务师四级 ${k.id}班`,
        schoolId: "JYPC",
        occupation: "ecommerce_specialist",
        level: 4,
        opensOn: k.opensOn as string,
        closesOn: (k.closesOn as string | undefined) ?? addDays(k.opensOn as string, 30),
        location: null,
        filingStatus: (k.filingStatus as "not_filed" | undefined) ?? "not_filed",
        confirmed: trainees.length,
        trainees,
      };
    }),
    plans: (c.plans ?? []).map((p) => ({ schoolId: "JYPC", occupation: "ecommerce_specialist", level: 4, reason: null, ...days(p, ["reviewedOn"]) }) as PlannerState["plans"][number]),
    claims: (c.claims ?? []).map(
      (cl) =>
        ({ materials: [], noticeStartsOn: null, noticeEndsOn: null, objection: null, objectionOn: null, paidOn: null, paidAmountYuan: null, ...days(cl, ["noticeStartsOn", "noticeEndsOn", "objectionOn", "paidOn"]) }) as unknown as PlannerState["claims"][number],
    ),
    certificates: (c.certificates ?? []).map((x) => ({ certificateNo: null, ...days(x, ["recordedOn"]) }) as PlannerState["certificates"][number]),
    keyGroups: c.keyGroups ?? [],
    activity: [],
    waitingSince: Object.fromEntries(Object.entries(c.waitingSince ?? {}).map(([k, v]) => [k, day(v)])),
  };
}

describe(`planner cases (${data.pack})`, () => {
  for (const c of data.cases)
    it(`${c.clause} ${c.name}`, () => {
      const result = plan(stateOf(c), pack, { today: day(c.today), from: day(c.from) });
      const got = result.notices.filter((n) => !c.kinds || c.kinds.includes(n.kind));
      expect(got.map((n) => n.idempotencyKey).sort()).toEqual([...c.expect].sort());
      // Keys are unique within a run: one row per notice and recipient.
      expect(new Set(result.notices.map((n) => n.idempotencyKey)).size).toBe(result.notices.length);
      for (const [key, params] of Object.entries(c.params ?? {})) {
        const n = got.find((x) => x.idempotencyKey === key)!;
        for (const [p, v] of Object.entries(params)) expect(n.params[p], `${key} ${p}`).toEqual(v instanceof Date ? day(v) : v);
      }
      for (const [key, kind] of Object.entries(c.kindsOf ?? {})) expect(got.find((x) => x.idempotencyKey === key)?.kind).toBe(kind);
      // The clause a notice cites is the one its kind rests on (what `remind --dry-run` prints).
      for (const n of got) expect(n.clause, n.idempotencyKey).toBe(clauseOfKind(n.kind));
      if (c.expect.length) expect(got.some((n) => n.clause === c.clause), `some notice cites ${c.clause}`).toBe(true);
      if (c.waiting) expect(result.waiting).toEqual(Object.fromEntries(Object.entries(c.waiting).map(([k, v]) => [k, day(v)])));
      for (const n of got) expect(n.dueOn <= day(c.today)).toBe(true);
    });
});

describe("notice texts", () => {
  it("every notice kind has a text in both languages, and every planned notice renders without leftovers", () => {
    const all: OutboxNotice[] = data.cases.flatMap((c) => plan(stateOf(c), pack, { today: day(c.today), from: day(c.from) }).notices);
    all.push(...announcementNotices({ id: "a1", target: { classId: 1 }, text: { zh: "明天改在B楼上课", en: "Tomorrow's class is in building B" }, from: "JYPC" }, [201], "2023-06-20"));
    // The kinds the services queue, and the digest with every line it can have (its counts come from the check).
    const cls = { id: 1, code: "C1", name: "电子商务师四级 1班", schoolId: "JYPC", programme: pack.id, schoolName: { zh: "江阴职业技术学院", en: "Jiangyin Polytechnic College" }, occupation: "ecommerce_specialist", track: "upskilling" as const, level: 4, opensOn: "2023-06-26", closesOn: "2023-07-26", location: null, capacity: 60, overCapReason: null };
    for (const event of ["confirmed", "waitlisted", "promoted", "withdrawn", "lapsed"] as const) all.push(enrolmentNotice(41, event, 201, { ...classNoticeParams(pack, cls), position: 2 }));
    const counts = Object.fromEntries(traineeKinds.map((k) => [`unreachable_${k}`, 1]));
    all.push({ idempotencyKey: "digest:1:2023-06-20:p100", personId: 100, kind: "class_enrolment_digest", params: { ...classNoticeParams(pack, cls), since: "2023-06-19 08:30", joined: 3, withdrew: 2, confirmed: 41, seats: 60, waitlist: 0, ...counts } });
    expect(new Set(all.map((n) => n.kind))).toEqual(new Set(noticeKinds));
    for (const lang of ["zh-CN", "en"] as const) {
      const t = translator(lang);
      for (const n of all) {
        const text = renderNotice(n, lang);
        expect(text, `${lang} ${n.kind}`).not.toMatch(/\{\{|notify\.|digest_unreachable|\[object|undefined/);
      }
      // The digest's last line says what to do about the trainees it lists.
      expect(renderNotice(all.at(-1)!, lang).split("\n")).toHaveLength(traineeKinds.length + 2);
      expect(renderNotice(all.at(-1)!, lang).split("\n").at(-1)).toBe(t("notify.digest_unreachable_hint"));
    }
    const en = renderNotice(all.find((n) => n.idempotencyKey === "filing:1:T-3:p100")!, "en");
    expect(en).toContain("2023-06-16");
    expect(en).toContain("Notice, II (5) 2");
  });
});
