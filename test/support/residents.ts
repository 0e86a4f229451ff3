/**
 * Residents who enrol as people do, through the fake Bot API: each sends the next update once the answer to
 * the last one has come (a tap on one of its buttons, or typed text), after a moment's thought. Used by the
 * concurrency tests and by the latency benchmark (scripts/bench-latency.ts).
 *
 *   const residents = createResidents();
 *   const api = await startFakeBotApi({ onCall: residents.observe });
 *   await residents.run(api, 1001, enrolmentJourney({ n: 1, school: "jiangyin_polytechnic", classLabel: "电子商务师班" }));
 */
import { checkCharacter } from "../../core/rules/residentId.js";
import type { FakeBotApi, NewUpdate, Payload, RecordedCall } from "./fakeBotApi.js";

/** What a resident does next: types a text, or taps the button whose choice id (or label) is given. */
export type Move = { text: string } | { tap: string } | { tapLabel: string };

/** One step of a journey: the move, and words the bot's answer to it must hold. */
export interface Step {
  move: Move;
  expect: string;
}

/**
 * A distinct valid ID number per resident n (born 1980 onwards, a day per thousand people).
 * @example idFor(7) // "320281198001010075"
 */
export function idFor(n: number): string {
  const birth = new Date(Date.UTC(1980, 0, 1) + Math.floor(n / 1000) * 86_400_000).toISOString().slice(0, 10).replaceAll("-", "");
  const first17 = `320281${birth}${String(n % 1000).padStart(3, "0")}`;
  return first17 + checkCharacter(first17);
}

/**
 * The full journey in Chinese: /start, the check by buttons (a key-group member seeking e-commerce work),
 * the enrolment in the class whose button label holds `classLabel`, name, ID number, mobile, the two
 * notices, the summary and the confirmation: 15 updates. The last answer is "报名成功" or, once the class
 * is full, the waiting list's "候补".
 * @example enrolmentJourney({ n: 3, school: "jiangyin_polytechnic", classLabel: "电子商务师班" }).length // 15
 */
export function enrolmentJourney(p: { n: number; school: string; classLabel: string }): Step[] {
  return [
    { move: { text: "/start" }, expect: "请选择要办理的事项" },
    { move: { tap: "cmd:check" }, expect: "您具有劳动能力吗" },
    { move: { tap: "yes" }, expect: "您身体健康吗" },
    { move: { tap: "yes" }, expect: "您和电子商务的关系是" },
    { move: { tap: "seeking" }, expect: "您属于以下哪一类人员" },
    { move: { tap: "urban_unemployed_or_laid_off" }, expect: "✅" },
    { move: { tap: "cmd:enrol" }, expect: "请选择承训学校" },
    { move: { tap: p.school }, expect: "可报名的班级" },
    { move: { tapLabel: p.classLabel }, expect: "请输入您的姓名" },
    { move: { text: "张三" }, expect: "身份证号" },
    { move: { text: idFor(p.n) }, expect: "手机号" },
    { move: { text: `139${String(p.n).padStart(8, "0")}` }, expect: "学员权益告知书" },
    { move: { tap: "agree" }, expect: "个人信息说明" },
    { move: { tap: "agree" }, expect: "请核对报名信息" },
    { move: { tap: "submit" }, expect: "报名" },
  ];
}

/** One answered step: how long the answer took, from the update's arrival at the platform. */
export interface Answered {
  chat: number;
  step: number;
  latencyMs: number;
}

type Button = { text: string; callback_data: string };
interface Waiter {
  expect: string;
  resolve: (at: number) => void;
}

/** How a resident goes: thinking `thinkMs` before each next update, giving up on an answer after `timeoutMs`. */
export interface RunOptions {
  thinkMs?: number;
  timeoutMs?: number;
  /** An update is sent (the resident now waits for its answer). */
  onPush?: () => void;
  onAnswer?: (a: Answered) => void;
}

/** Residents over one fake API; `observe` must be the API's `onCall`. */
export interface Residents {
  observe(call: RecordedCall): void;
  /**
   * Runs one resident's journey in chat `chat`; resolves with each step's latency, rejects when an answer does
   * not come within `timeoutMs` or the chat has no button for a tap.
   */
  run(api: FakeBotApi, chat: number, steps: Step[], options?: RunOptions): Promise<Answered[]>;
  /** Every text the bot sent to a chat, in the order the platform took them. */
  texts(chat: number): string[];
}

/**
 * Creates the residents' side.
 * @example const residents = createResidents(); const api = await startFakeBotApi({ onCall: residents.observe })
 */
export function createResidents(): Residents {
  const waiting = new Map<number, Waiter>();
  /** The buttons and id of the last message with buttons each chat got. */
  const keyboards = new Map<number, { messageId: number; buttons: Button[] }>();
  const sent = new Map<number, string[]>();

  const observe = (call: RecordedCall) => {
    if (call.method !== "sendMessage" || call.status !== 200) return;
    const chat = Number(call.payload.chat_id);
    const text = String(call.payload.text ?? "");
    const list = sent.get(chat);
    if (list) list.push(text);
    else sent.set(chat, [text]);
    const result = (call.response as { result?: Payload }).result as { message_id: number; reply_markup?: { inline_keyboard: Button[][] } } | undefined;
    if (result?.reply_markup) keyboards.set(chat, { messageId: result.message_id, buttons: result.reply_markup.inline_keyboard.flat() });
    const w = waiting.get(chat);
    if (w && text.includes(w.expect)) {
      waiting.delete(chat);
      w.resolve(Date.now());
    }
  };

  const updateFor = (api: FakeBotApi, chat: number, move: Move): NewUpdate => {
    if ("text" in move) return api.textUpdate(chat, move.text);
    const kb = keyboards.get(chat);
    const button = kb?.buttons.find((b) => ("tap" in move ? b.callback_data.endsWith(`|${move.tap}`) : b.text.includes(move.tapLabel)));
    if (!kb || !button) throw new Error(`chat ${chat}: no button ${JSON.stringify(move)} among ${JSON.stringify(kb?.buttons.map((b) => b.text) ?? [])}`);
    return api.callbackUpdate(chat, button.callback_data, kb.messageId);
  };

  return {
    observe,
    async run(api, chat, steps, options = {}) {
      const answered: Answered[] = [];
      for (let step = 0; step < steps.length; step++) {
        const { move, expect } = steps[step]!;
        const update = updateFor(api, chat, move);
        const pushedAt = Date.now();
        const answer = new Promise<number>((resolve, reject) => {
          const timer = setTimeout(() => {
            waiting.delete(chat);
            reject(new Error(`chat ${chat} step ${step + 1}: no answer holding "${expect}" within ${options.timeoutMs ?? 10_000} ms; last: ${JSON.stringify(sent.get(chat)?.at(-1)?.slice(0, 80))}`));
          }, options.timeoutMs ?? 10_000);
          waiting.set(chat, { expect, resolve: (at) => (clearTimeout(timer), resolve(at)) });
        });
        api.pushUpdate(update);
        options.onPush?.();
        const a = { chat, step, latencyMs: (await answer) - pushedAt };
        answered.push(a);
        options.onAnswer?.(a);
        if (options.thinkMs && step < steps.length - 1) await new Promise((r) => setTimeout(r, options.thinkMs));
      }
      return answered;
    },
    texts: (chat) => [...(sent.get(chat) ?? [])],
  };
}
