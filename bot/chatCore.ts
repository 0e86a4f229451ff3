// The dialog engine's contract as channels see it; defined in core/, re-exported for the adapters.
export type { Channel, ChatKind, Choice, ChatCore, Inbound, Reply } from "../core/dialog/types.js";
