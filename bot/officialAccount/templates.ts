// The mapping file (WECHAT_OA_TEMPLATES, YAML): which template message, and which SMS template, a notice kind is sent
// as once the customer-service window is closed. A template's fields are named as the template the bureau applied for
// names them (thing1, time2…); the name's type decides how a value is cut to the platform's rules (类目模板消息 参数值
// 内容限制): thing ≤ 20 characters, phrase ≤ 5 Chinese characters, character_string/number/letter ≤ 32, name ≤ 10
// Chinese characters, time/date as 2023年7月20日, const only fixed text. Since 2023 a template has no first/remark
// lines, so a fixed field carries "回复“我的”查看详情".
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { z } from "zod";
import { noticeKinds, type NoticeParams } from "../../core/notice.js";
import type { TemplateData } from "./api.js";

// Every notice kind (core/notice.ts): a mapping naming another is refused when the bot starts.
const kind = z.enum(noticeKinds);
const field = z.union([
  z.strictObject({ param: z.string().min(1) }),
  z.strictObject({ text: z.string().min(1) }),
]);
const templateSchema = z.strictObject({
  id: z.string().regex(/^[\w-]{10,64}$/, "the template id as the Official Account's template list shows it"),
  fields: z.record(z.string().regex(/^[a-z_]+\d+$/, "a keyword such as thing1 or time2"), field).refine((f) => Object.keys(f).length > 0, "at least one field"),
});
const smsSchema = z.strictObject({
  id: z.string().regex(/^\d{1,20}$/, "the SMS template id (digits) from the Tencent Cloud SMS console"),
  params: z.array(z.string().min(1)).max(10),
  // How many characters a variable of this template may hold: 12 is Tencent Cloud's usual default for a notification
  // template's variable (the stored review standards only name the 500-character total); a template approved for
  // longer variables says so here.
  maxChars: z.number().int().min(1).max(500).default(12),
});
/** The mapping file's schema. Example: `mappingSchema.parse(parse(readFileSync(path, "utf8")))`. */
export const mappingSchema = z.strictObject({
  templates: z.partialRecord(kind, templateSchema).default({}),
  sms: z.partialRecord(kind, smsSchema).default({}),
});
/** A parsed mapping. Example: `mapping.templates.class_opens_trainee?.id`. */
export type TemplateMapping = z.infer<typeof mappingSchema>;

/**
 * Reads and checks the mapping file; throws naming the file and each problem.
 * @example const mapping = loadTemplateMapping("/etc/jiangyin-bot/wechat-templates.yaml")
 */
export function loadTemplateMapping(path: string | undefined): TemplateMapping {
  if (!path) return { templates: {}, sms: {} };
  let raw: unknown;
  try {
    raw = parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new Error(`${path}: cannot read the template mapping (${(e as Error).message}); see wechat-templates.example.yaml`);
  }
  const r = mappingSchema.safeParse(raw ?? {});
  if (!r.success) throw new Error(`${path}: ${r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  return r.data;
}

/** A parameter's value in Chinese: templates and SMS are approved in Chinese. */
function valueOf(params: NoticeParams, name: string): string {
  const v = params[name];
  if (v === undefined) return "";
  return typeof v === "object" ? v.zh : String(v);
}

const HAN = /\p{Script=Han}/gu;

/**
 * A value cut to what a keyword of this type may hold, by the platform's published limits.
 * @example fitField("thing3", "江阴职业技术学院电子商务师四级第一期培训班（周末班）") // "江阴职业技术学院电子商务师四级第一期培…"
 */
export function fitField(keyword: string, value: string): string {
  const type = keyword.replace(/\d+$/, "");
  const chars = (s: string, n: number) => {
    const a = Array.from(s);
    return a.length <= n ? s : `${a.slice(0, n - 1).join("")}…`;
  };
  const v = value.replace(/\s+/g, " ").trim();
  switch (type) {
    case "thing":
      return chars(v, 20);
    case "phrase":
      return (v.match(HAN) ?? []).slice(0, 5).join("");
    case "name": {
      const han = v.match(HAN) ?? [];
      return han.length ? han.slice(0, 10).join("") : v.replace(/[^A-Za-z ]/g, "").slice(0, 20);
    }
    case "character_string":
      return v.replace(/[^\x21-\x7e]/g, "").slice(0, 32);
    case "number":
      return v.replace(/[^\d.]/g, "").slice(0, 32);
    case "letter":
      return v.replace(/[^A-Za-z]/g, "").slice(0, 32);
    case "amount":
      return `${v.replace(/[^\d.]/g, "").slice(0, 10)}元`;
    case "phone_number":
      return v.replace(/[^\d+\-]/g, "").slice(0, 17);
    case "time":
    case "date":
      return chineseDate(v);
    default:
      return chars(v, 20);
  }
}

/** "2023-07-20" → "2023年7月20日"; other text unchanged. */
function chineseDate(v: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})(.*)$/.exec(v);
  return m ? `${m[1]}年${Number(m[2])}月${Number(m[3])}日${m[4]}` : v;
}

/**
 * The template message a notice is sent as, or undefined when its kind has none.
 * @example templateFor(mapping, "class_opens_trainee", params) // { id: "…", data: { thing1: { value: "电商四级1班" }, … } }
 */
export function templateFor(mapping: TemplateMapping, kind: string, params: NoticeParams): { id: string; data: TemplateData } | undefined {
  const t = mapping.templates[kind as keyof TemplateMapping["templates"]];
  if (!t) return undefined;
  const data: TemplateData = {};
  for (const [keyword, f] of Object.entries(t.fields)) data[keyword] = { value: fitField(keyword, "param" in f ? valueOf(params, f.param) : f.text) };
  return { id: t.id, data };
}

/**
 * The SMS template a notice is sent as, or undefined when its kind has none; each variable cut to the template's
 * `maxChars`.
 * @example smsFor(mapping, "class_opens_trainee", params) // { id: "1234567", params: ["电商四级1班", "2023-07-20"] }
 */
export function smsFor(mapping: TemplateMapping, kind: string, params: NoticeParams): { id: string; params: string[] } | undefined {
  const t = mapping.sms[kind as keyof TemplateMapping["sms"]];
  if (!t) return undefined;
  return { id: t.id, params: t.params.map((p) => Array.from(valueOf(params, p)).slice(0, t.maxChars).join("")) };
}
