// Linking chats in the conversation (/link, 链接): a code for the other chat, a code from the other chat, and
// the account owner's yes or no before anything is joined (core/linking.ts decides who owns, and joins).
import { LINK_CODE_DIGITS, LINK_CODE_TTL_MS, type LinkOutcome, type LinkRequest } from "../../linking.js";
import { local } from "../../rules/pack.js";
import type { LinkState } from "../state.js";
import type { Apply, DialogState, Flow, Kit, Step, Turn } from "../turn.js";

/** A link code's lifetime as the person is told it; core/linking.ts enforces it. */
const LINK_MINUTES = LINK_CODE_TTL_MS / 60_000;

/**
 * The link flow over the engine's kit: its steps, the next one, and the "/link" command.
 * @example const link = createLinkFlow(kit); link.command(turn, "12345678")
 */
export function createLinkFlow(kit: Kit): Flow & { command(turn: Turn, arg?: string): void } {
  const { pack, services } = kit;
  /** Starts the flow: at the code question, or at the owner's question about `request`. */
  const start = (turn: Turn, request?: LinkState) => kit.start(turn, "link", {}, {}, request && { link: request });
  const params = (turn: Turn) => ({ contacts: local(pack.contacts.text, turn.lang), keyword: turn.t("dialog.link.keyword"), minutes: LINK_MINUTES, digits: LINK_CODE_DIGITS });
  const channelName = (turn: Turn, channel: string) => turn.t(`dialog.link.channel.${channel}`);
  /** Only digits (spaces and dashes aside) are a code: other text at the code question may be a question about the programme. */
  const looksLikeCode = (text: string) => /^\d+$/.test(text.normalize("NFKC").replace(/[\s-]/g, ""));

  /** Ends the flow at the menu, after `text`. */
  const end = (turn: Turn, text: string) => {
    turn.state = undefined;
    kit.menu(turn, text);
  };

  const askOwner = (turn: Turn, request: LinkRequest) => start(turn, { request: request.id, joining: request.joining });

  /** "/link": the question of a request waiting for this account, else a code for the other chat. Mid-flow the question is asked again, so nothing is lost. */
  function issue(turn: Turn): void {
    const waiting = services.pendingLink(turn.identityId, turn.now);
    if (waiting) return askOwner(turn, waiting);
    const { code } = services.issueLinkCode(turn.personId, turn.identityId, turn.now);
    kit.say(turn, turn.t("dialog.link.code", { ...params(turn), code }));
    if (turn.state && turn.state.flow !== "menu" && turn.state.flow !== "link") return kit.ask(turn);
    start(turn);
  }

  /** "/link CODE": a request to the account's owner, or the refusal explained; a wrong code loses nothing under way. */
  function redeem(turn: Turn, code: string): void {
    const r = services.redeemLinkCode(turn.identityId, code, turn.now);
    if (!r.ok && (r.reason === "format" || r.reason === "invalid")) {
      kit.say(turn, turn.t(`dialog.link.${r.reason}`, params(turn)));
      return turn.state && turn.state.flow !== "menu" ? kit.ask(turn) : kit.menu(turn);
    }
    redeemed(turn, r);
  }

  /** After a code was taken: the owner's question here, or where to answer it, or why not. */
  function redeemed(turn: Turn, r: LinkOutcome): void {
    if (!r.ok) return end(turn, turn.t(`dialog.link.${r.reason}`, params(turn)));
    if (r.confirmHere) return askOwner(turn, r.request);
    // This chat joins the other one's account once its owner says yes there; until then nothing changes.
    end(turn, turn.t("dialog.link.confirmThere", { ...params(turn), channel: channelName(turn, r.request.owner) }));
  }

  /** The owner's answer: joined, declined, or too late. */
  const answered = (turn: Turn, yes: boolean): Apply => (s) => {
    const r = services.confirmLink(turn.identityId, s.link!.request, yes, turn.now);
    end(turn, turn.t(r.ok ? "dialog.link.done" : `dialog.link.${r.reason}`, params(turn)));
  };

  const steps: Record<string, Step> = {
    // After /link: the code for the other chat is shown; a code from the other chat may be typed here.
    linkCode: {
      ask: (turn) => ({ text: turn.t("dialog.link.ask", params(turn)) }),
      choices: () => [],
      answer: (turn, answer) => {
        if (!("text" in answer)) return { ok: false, error: "dialog.invalid.typeIt" };
        // The other chat typed this one's code meanwhile: its request is what this chat answers now.
        const waiting = services.pendingLink(turn.identityId, turn.now);
        if (waiting) return { ok: true, value: () => askOwner(turn, waiting) };
        if (!looksLikeCode(answer.text)) return { ok: false, error: "dialog.link.format", params: params(turn) };
        const r = services.redeemLinkCode(turn.identityId, answer.text, turn.now);
        // A mistyped or unknown code is said and the question asked again, like any other wrong answer.
        if (!r.ok && (r.reason === "format" || r.reason === "invalid")) return { ok: false, error: `dialog.link.${r.reason}`, params: params(turn) };
        return { ok: true, value: () => redeemed(turn, r) };
      },
    },
    linkConfirm: kit.confirmStep(
      (turn) => turn.t("dialog.link.confirmAsk", { ...params(turn), channel: channelName(turn, turn.state!.link!.joining), no: turn.t("dialog.confirm.no") }),
      (turn) => answered(turn, true),
      (turn) => answered(turn, false),
    ),
  };

  return {
    steps,
    next: (_turn: Turn, s: DialogState) => (s.link ? "linkConfirm" : "linkCode"),
    command: (turn: Turn, arg?: string) => (arg ? redeem(turn, arg) : issue(turn)),
  };
}
