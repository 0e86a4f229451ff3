// A conversation's state as it is stored, whatever the flow: the flow and its step, the answers so far, the
// enrolment's draft, the staff menu's and the plan form's work in progress, a link request, a flow paused. It
// is all here, in one schema, because what is stored must still parse after an upgrade: a conversation an
// earlier bot stored goes on where it was (test/dialogState.test.ts keeps such states), so a change to this
// file is a change to what old conversations must still read as.
import { z } from "zod";
import { currentFactName, fromLegacyNames } from "../rules/facts.js";
import type { PolicyPack } from "../rules/pack.js";
import { planFields } from "../rules/planRules.js";
import { chatChannels } from "../stores.js";
import { storedFacts } from "./questions.js";

// "menu" is the resting state between flows: it remembers which choices were last offered, so that
// a typed "1" means the first of them.
export const flows = ["menu", "check", "enrol", "me", "forget", "lang", "link", "staff"] as const;
export type FlowName = (typeof flows)[number];

/** The enrolment being put together; dropped on /cancel so nothing half-made is kept. */
const draftSchema = z.strictObject({
  schoolId: z.string().optional(),
  classId: z.number().int().optional(),
  name: z.string().optional(),
  /** A name the bot had to guess at ("周建 华" → 周建华), kept until the person says yes to it. */
  nameToConfirm: z.string().optional(),
  idNumber: z.string().optional(),
  phone: z.string().optional(),
  rightsAt: z.number().int().optional(),
  privacyAt: z.number().int().optional(),
  /** Whether reminders may go by SMS (asked when the bot can send SMS). */
  sms: z.boolean().optional(),
});

/** What of the draft is personal data: a state holding any of it (or any answer) is stored encrypted. */
export const personalDraft = ["name", "nameToConfirm", "idNumber", "phone"] as const satisfies readonly (keyof z.infer<typeof draftSchema>)[];

// ---- the staff menu and its training plan form -----------------------------

/** What the staff menu offers to do, kept as the draft's `action`. */
export const staffActions = ["plan", "plans", "filing", "open", "poster", "roster", "results", "claim", "classes"] as const;

/** An item of a training plan, as the plan form names it in its state. */
export const planFieldSchema = z.enum(planFields);
/** A plan's values as the form keeps them: each already read and checked when it was given. */
const valuesSchema = z
  .strictObject({
    occupation: z.string(),
    track: z.enum(["first_employment", "upskilling", "transfer"]),
    level: z.number().int(),
    traineesPlanned: z.number().int(),
    startsOn: z.string(),
    endsOn: z.string(),
    totalHours: z.number().int(),
    practicalHours: z.number().int(),
    teachingPlan: z.string(),
    businessStandard: z.string(),
    teachers: z.string(),
    assessmentPlan: z.string(),
    questionBank: z.string(),
    questionBankSource: z.string(),
    costEstimateYuan: z.number().int(),
  })
  .partial();

/**
 * The form under way, stored with the conversation: the plan being changed (none for a new one), the values
 * given, the items asked again in this change, and whether the person is choosing an item to change.
 * @example planFormSchema.parse({ values: { occupation: "ecommerce_specialist", track: "upskilling" } })
 */
export const planFormSchema = z.strictObject({
  planId: z.number().int().optional(),
  /** The plan's programme (a pack's id), where several are served: chosen first when the school is in several open today. */
  programme: z.string().optional(),
  values: valuesSchema,
  changed: z.array(planFieldSchema).optional(),
  choosing: z.boolean().optional(),
  /** A new plan's "drop" asks first: fifteen answers are not lost to one mistaken tap. */
  dropping: z.boolean().optional(),
});
export type PlanForm = z.infer<typeof planFormSchema>;

/**
 * The staff menu's work in progress, stored with the conversation: the action chosen and its answers so far.
 * @example staffDraftSchema.parse({ action: "open", planId: 3, name: "电商四级1班", capacity: 61 })
 */
export const staffDraftSchema = z.strictObject({
  action: z.enum(staffActions).optional(),
  classId: z.number().int().optional(),
  planId: z.number().int().optional(),
  name: z.string().optional(),
  opensOn: z.string().optional(),
  closesOn: z.string().optional(),
  capacity: z.number().int().optional(),
  reason: z.string().optional(),
  materials: z.array(z.string()).optional(),
  materialsDone: z.boolean().optional(),
  videos: z.array(z.number()).optional(),
  /** The training plan form (core/dialog/flows/staff/planForm.ts). */
  form: planFormSchema.optional(),
  /** "My training plans": the plan shown, and whether its withdrawal is being confirmed (core/dialog/flows/staff/myPlans.ts). */
  viewing: z.number().int().optional(),
  withdrawing: z.boolean().optional(),
  /** The page of a long list being shown (the roster, the classes), from 0. */
  page: z.number().int().nonnegative().optional(),
});
export type StaffDraft = z.infer<typeof staffDraftSchema>;

// ---- linking chats ------------------------------------------------------------

/**
 * The request a chat is asked to confirm, kept with its conversation: its id and the channel of the chat that
 * would join.
 * @example linkStateSchema.parse({ request: 9, joining: "wechat" })
 */
export const linkStateSchema = z.strictObject({ request: z.number().int(), joining: z.enum(chatChannels) });
export type LinkState = z.infer<typeof linkStateSchema>;

// ---- the whole ----------------------------------------------------------------

/**
 * A check or an enrolment that another command interrupted ("/me" halfway through an enrolment): kept as it
 * was, so that the person's next "/enrol" (or "/check") carries on with everything they had given.
 */
const pausedSchema = z.strictObject({
  flow: z.enum(["check", "enrol", "staff"]),
  history: z.array(z.string()),
  facts: storedFacts,
  draft: draftSchema,
  /** A training plan form under way (core/dialog/flows/staff/planForm.ts), kept like an enrolment. */
  staff: staffDraftSchema.optional(),
});
export type Paused = z.infer<typeof pausedSchema>;

/** A conversation's state as stored; anything that does not parse is discarded, never trusted. */
export const dialogStateSchema = z.strictObject({
  flow: z.enum(flows),
  step: z.string(),
  token: z.string(),
  history: z.array(z.string()),
  facts: storedFacts,
  draft: draftSchema,
  withdrawId: z.number().int().optional(),
  menu: z.array(z.string()).optional(),
  /** The staff menu's work in progress (core/dialog/flows/staff/). */
  staff: staffDraftSchema.optional(),
  /**
   * The certificates held when the check or the enrolment started, so that its every step need not read
   * them: they change only when a school imports results, and the enrolment service checks them again.
   */
  certificates: z.array(z.strictObject({ occupation: z.string(), level: z.number().int(), on: z.string().optional() })).optional(),
  /** Counts the questions asked, so that every step token differs even within one millisecond. */
  seq: z.number().int().nonnegative().default(0),
  /** The schema the state was written under (STATE_SHAPE). */
  shape: z.string().optional(),
  paused: pausedSchema.optional(),
  /** The link request this chat is asked to confirm (core/dialog/flows/link.ts). */
  link: linkStateSchema.optional(),
});
export type DialogState = z.infer<typeof dialogStateSchema>;

/**
 * A digest of the state schema, stored with every state. A state stored under this schema was made by
 * this engine (the fuzz test parses every state it stores) and is taken as it is, which spares parsing
 * it again on every message; one stored under another schema (an older bot's) is parsed, and dropped
 * when it no longer fits.
 */
export const STATE_SHAPE = digest(JSON.stringify(z.toJSONSchema(dialogStateSchema)));

/** FNV-1a, base 36: a short name for a text. */
function digest(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(36);
}

/**
 * A state as loaded from its JSON: one this engine stored is taken as it is, with that JSON (which is what
 * serialising it again gives, so an unchanged state is recognised without serialising it twice); an older
 * one is parsed, its answers read under the pack's legacy fact names. Undefined when there is none, or it
 * does not parse.
 */
export function readState(json: string | undefined, pack: PolicyPack): { state: DialogState; json?: string } | undefined {
  if (json === undefined) return undefined;
  let stored: unknown;
  try {
    stored = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof stored === "object" && stored !== null && (stored as { shape?: unknown }).shape === STATE_SHAPE) return { state: stored as DialogState, json };
  // An earlier version's fact names, in its answers and in its steps ("fact:ecommerce"), read as today's.
  const older = stored as { facts?: unknown; step?: unknown; history?: unknown; paused?: { facts?: unknown; history?: unknown } };
  const step = (name: unknown) => (typeof name === "string" && name.startsWith("fact:") ? `fact:${currentFactName(pack, name.slice(5))}` : name);
  if (older?.facts) older.facts = fromLegacyNames(pack, older.facts);
  if (older?.paused?.facts) older.paused.facts = fromLegacyNames(pack, older.paused.facts);
  if (older) older.step = step(older.step);
  if (Array.isArray(older?.history)) older.history = older.history.map(step);
  if (Array.isArray(older?.paused?.history)) older.paused.history = older.paused.history.map(step);
  const parsed = dialogStateSchema.safeParse(stored);
  return parsed.success ? { state: parsed.data } : undefined;
}

/**
 * What a state keeps of a flow another command interrupts: a check or an enrolment under way, else what
 * it had paused itself.
 * @example pausedOf({ flow: "enrol", draft: { name: "张三" }, … })?.draft.name // "张三"
 */
export function pausedOf(s: DialogState | undefined): Paused | undefined {
  if (s?.flow === "check" || s?.flow === "enrol") return { flow: s.flow, history: s.history, facts: s.facts, draft: s.draft };
  // A plan form is fifteen answers long; the rest of the staff menu is a tap or two and is not kept.
  if (s?.flow === "staff" && s.staff?.form) return { flow: "staff", history: s.history, facts: {}, draft: {}, staff: s.staff };
  return s?.paused;
}

/**
 * Whether a check or an enrolment (under way or paused) holds what is stored sealed: answers to the check
 * (health, disability, low income are sensitive) or half-typed personal data.
 * @example holdsPersonal({ facts: {}, draft: { schoolId: "x" } }) // false
 */
export const holdsPersonal = (s: Pick<DialogState, "facts" | "draft"> | undefined) =>
  s !== undefined && (Object.keys(s.facts).length > 0 || personalDraft.some((k) => s.draft[k] !== undefined));

