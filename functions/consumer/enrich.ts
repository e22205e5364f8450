import type { ActionType } from "./types";
import type { UserSegment } from "../shared/results-table";

/**
 * The reference design's enrichment of `user_action` events (its determine_user_segment and
 * calculate_action_score), as lookup tables.
 */

const SEGMENTS: Partial<Record<ActionType, UserSegment>> = {
    purchase: "high_value",
    premium_feature: "high_value",
    login: "active",
    page_view: "active",
};

const SCORES: Partial<Record<ActionType, number>> = {
    purchase: 10,
    signup: 8,
    premium_feature: 7,
    login: 3,
    page_view: 1,
};

/** purchase / premium_feature → high_value; login / page_view → active; anything else → standard. */
export function userSegment(action: ActionType): UserSegment {
    return SEGMENTS[action] ?? "standard";
}

/** purchase 10, signup 8, premium_feature 7, login 3, page_view 1, anything else 0. */
export function actionScore(action: ActionType): number {
    return SCORES[action] ?? 0;
}
