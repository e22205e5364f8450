export interface BackoffPolicy {
    baseMs: number;
    capMs: number;
}

/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"):
 * a uniform delay in [0, min(cap, base * 2^(attempts - 1))), where `attempts` is how many times
 * the entry or request has been tried so far (1 after the first failure).
 */
export function backoffDelay(attempts: number, policy: BackoffPolicy, random: () => number = Math.random): number {
    const exponent = Math.max(0, attempts - 1);
    const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
    return random() * ceiling;
}
