import type * as z from "zod/mini";
import type { ACTION_TYPES, OrderEvent, UserActionEvent } from "../shared/events";

export type ActionType = (typeof ACTION_TYPES)[number];
export type UserAction = z.infer<typeof UserActionEvent>;
export type Order = z.infer<typeof OrderEvent>;
