/**
 * Drives a real Wechaty bot on `wechaty-puppet-mock` so tests can talk to the WeChat channel
 * (and, later, the real engine) as WeChat users would.
 *
 * How the mock works (wechaty-puppet-mock 1.19): a `Mocker` owns fake contacts/rooms/messages;
 * `contact.say(text, mentions).to(userOrRoom)` emits a puppet "message" synchronously, Wechaty then
 * loads it asynchronously. The bot's own sends go through `user.say(...).to(...)` inside the mock,
 * so they come back as "message" events too (talker = bot user); we collect those as replies.
 */
// file-box is wechaty's own (transitive) dependency; the mock only recognises media sent as a FileBox.
import { FileBox } from "file-box";
import { types } from "wechaty";
import { PuppetMock, mock } from "wechaty-puppet-mock";

/** Content is irrelevant: the mock derives the message type from the ".jpg" name. */
const TINY_JPEG_BASE64 = "/9j/4AAQSkZJRgABAQ==";

/** A fake WeChat person or the bot's own account, as created by the mocker. */
export type MockContact = ReturnType<mock.Mocker["createContact"]>;
/** A fake group chat. Its id ends in "@chatroom": the mock routes sends by that "@". */
export type MockRoom = ReturnType<mock.Mocker["createRoom"]>;

/** What the bot under test must offer; `createWechatChannel` fits. */
export interface StartStop { start(): Promise<void>; stop(): Promise<void> }

/** Wait options; `after` is a reply count returned by `say`/`sayInRoom`, `count` how many new replies to await. */
export interface WaitOptions { after?: number; count?: number; timeoutMs?: number }

/**
 * A started bot plus handles to play the other side.
 * @example
 * const env = await startWechatyMock((puppet) => createWechatChannel({ puppet, ...rest }))
 * const alice = env.contact("Alice")
 * expect(await env.ask(alice, "hi")).toEqual(["..."])
 * await env.stop()
 */
export interface WechatyMockEnv<T extends StartStop> {
  mocker: mock.Mocker;
  puppet: PuppetMock;
  /** The bot's own (logged-in) account. */
  user: MockContact;
  channel: T;
  /** Creates a fake person; ids are random unless given (must not contain "@"). */
  contact(name: string, id?: string): MockContact;
  /** Creates a group with the bot and the given members. */
  room(topic: string, members: MockContact[]): MockRoom;
  /** Person sends a 1:1 text to the bot; returns the reply count before sending (for `waitForReply`). */
  say(contact: MockContact, text: string): number;
  /** Person sends a group text, optionally @-mentioning the bot the way WeChat does ("@Bot\u2005text" + mention list). */
  sayInRoom(room: MockRoom, contact: MockContact, text: string, mentionBot: boolean): number;
  /** Person sends a photo 1:1 (a non-text message); returns the reply count before sending. */
  sayImage(contact: MockContact): number;
  /** Person sends a file 1:1 as an attachment; returns the reply count before sending. */
  sayFile(contact: MockContact, fileName: string, bytes: Uint8Array): number;
  /** The files the bot sent into this conversation (each also counts as an empty text in `replies`), oldest first. */
  files(conversationId: string): FileBox[];
  /** Person asks to become the bot's friend; resolves once the puppet emitted the request. Returns the friendship id. */
  requestFriendship(contact: MockContact, hello: string): Promise<string>;
  /** All texts the bot sent into this conversation (contact id for 1:1, room id for groups), oldest first. */
  replies(conversationId: string): string[];
  /** Resolves with the new replies once `count` (default 1) arrived after `after` (default: now); rejects on timeout. */
  waitForReply(conversationId: string, options?: WaitOptions): Promise<string[]>;
  /** say + waitForReply in one go. */
  ask(contact: MockContact, text: string, options?: Omit<WaitOptions, "after">): Promise<string[]>;
  /**
   * say, then every reply: waits for the first, then until none came for `quietMs` (default 60), for
   * engines that answer one message with a varying number of replies.
   */
  askAll(contact: MockContact, text: string, options?: { timeoutMs?: number; quietMs?: number }): Promise<string[]>;
  /** Lets pending handlers finish, for asserting that nothing was sent. */
  settle(ms?: number): Promise<void>;
  /** Stops the channel and the mocker; call in afterEach. */
  stop(): Promise<void>;
}

/**
 * Builds a mocker + PuppetMock, lets `makeChannel` build the bot on that puppet, starts it and logs the bot in.
 * Start-up is a few ms; the first `import` of wechaty costs ~2 s, so keep one test file per import graph.
 * @example const env = await startWechatyMock((puppet) => createWechatChannel({ puppet, core, render, onErrorText: "x", acceptFriendRequests: false, log: () => {} }))
 */
export async function startWechatyMock<T extends StartStop>(
  makeChannel: (puppet: PuppetMock) => T,
  options: { botName?: string; beforeLogin?: (mocker: mock.Mocker) => void } = {},
): Promise<WechatyMockEnv<T>> {
  const mocker = new mock.Mocker();
  const puppet = new PuppetMock({ mocker });
  const user = mocker.createContact({ name: options.botName ?? "TrainingBot" });
  const sent = new Map<string, string[]>();
  const sentFiles = new Map<string, FileBox[]>();
  let files = 0;
  const waiters = new Set<() => void>();

  // Listen on the puppet (typed by wechaty-puppet) rather than on MockContact/MockRoom emitters:
  // those use the `typed-emitter` package, whose types do not resolve under moduleResolution NodeNext.
  puppet.on("message", ({ messageId }) => {
    const payload = mocker.messagePayload(messageId);
    if (payload.talkerId !== user.id) return;
    const conversationId = payload.roomId ?? payload.listenerId;
    if (!conversationId) return;
    const list = sent.get(conversationId) ?? [];
    list.push(payload.text ?? "");
    sent.set(conversationId, list);
    const file = mocker.cacheFileBoxPayload.get(messageId);
    if (file) sentFiles.set(conversationId, [...(sentFiles.get(conversationId) ?? []), FileBox.fromJSON(file)]);
    for (const wake of [...waiters]) wake();
  });

  const channel = makeChannel(puppet);
  await channel.start();
  // The account's contacts as a real puppet knows them at login (those a restarted bot already knew).
  options.beforeLogin?.(mocker);
  // Login must come after start: the puppet drops nothing, but Wechaty only forwards events once started.
  mocker.login(user);
  // Wechaty handles "login" asynchronously (loads ContactSelf); give it a turn before people talk.
  await new Promise((resolve) => setImmediate(resolve));

  const replies = (id: string): string[] => [...(sent.get(id) ?? [])];

  const waitForReply = (id: string, opts: WaitOptions = {}): Promise<string[]> => {
    const after = opts.after ?? replies(id).length;
    const count = opts.count ?? 1;
    const timeoutMs = opts.timeoutMs ?? 2000;
    return new Promise((resolve, reject) => {
      const check = () => {
        const list = replies(id);
        if (list.length < after + count) return false;
        cleanup();
        resolve(list.slice(after));
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no reply in ${id} after ${timeoutMs} ms; so far: ${JSON.stringify(replies(id))}`));
      }, timeoutMs);
      const wake = () => void check();
      const cleanup = () => {
        clearTimeout(timer);
        waiters.delete(wake);
      };
      waiters.add(wake);
      check();
    });
  };

  const say = (contact: MockContact, text: string): number => {
    const before = replies(contact.id).length;
    contact.say(text).to(user);
    return before;
  };

  return {
    mocker,
    puppet,
    user,
    channel,
    contact: (name, id) => mocker.createContact(id === undefined ? { name } : { name, id }),
    room: (topic, members) => mocker.createRoom({ topic, memberIdList: [user.id, ...members.map((m) => m.id)] }),
    say,
    sayInRoom(room, contact, text, mentionBot) {
      const before = replies(room.id).length;
      // Real WeChat puts "@<name>\u2005" into the text and the ids into the mention list; the mock needs both.
      if (mentionBot) contact.say(`@${user.payload.name}\u2005${text}`, [user]).to(room);
      else contact.say(text).to(room);
      return before;
    },
    sayImage(contact) {
      const before = replies(contact.id).length;
      contact.say(FileBox.fromBase64(TINY_JPEG_BASE64, "photo.jpg")).to(user);
      return before;
    },
    sayFile(contact, fileName, bytes) {
      const before = replies(contact.id).length;
      // contact.say(file) types a file by its media type and knows no .xlsx or .csv, which WeChat sends as
      // attachments: the message is made here as the mock would, typed Attachment.
      const id = `file-${++files}`;
      mocker.cacheFileBoxPayload.set(id, FileBox.fromBase64(Buffer.from(bytes).toString("base64"), fileName).toJSON());
      mocker.MessageMock.create({ id, talkerId: contact.id, listenerId: user.id, timestamp: Date.now(), type: types.Message.Attachment, filename: fileName });
      puppet.emit("message", { messageId: id });
      return before;
    },
    files: (id) => [...(sentFiles.get(id) ?? [])],
    async requestFriendship(contact, hello) {
      // The mock has no friendship store: seed the puppet's payload cache, then emit the event like a real puppet.
      const id = `friendship-${contact.id}`;
      await puppet.friendshipPayload(id, {
        id, contactId: contact.id, hello, ticket: "mock-ticket", timestamp: Date.now(), type: types.Friendship.Receive,
      });
      puppet.emit("friendship", { friendshipId: id });
      return id;
    },
    replies,
    waitForReply,
    async ask(contact, text, opts = {}) {
      const after = say(contact, text);
      return waitForReply(contact.id, { ...opts, after });
    },
    async askAll(contact, text, opts = {}) {
      const after = say(contact, text);
      await waitForReply(contact.id, { after, ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}) });
      // Replies of one message go out back to back; a quiet gap means the handler is done.
      for (let seen = -1; seen !== replies(contact.id).length; ) {
        seen = replies(contact.id).length;
        await new Promise((resolve) => setTimeout(resolve, opts.quietMs ?? 60));
      }
      return replies(contact.id).slice(after);
    },
    settle: (ms = 30) => new Promise((resolve) => setTimeout(resolve, ms)),
    async stop() {
      await channel.stop();
      for (const wake of waiters) wake();
      // The puppet stops its mocker via setImmediate; one more turn so no callback runs after the test.
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}
