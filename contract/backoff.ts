/**
 * Reconnect delay after `attempt` failures (0-based): exponential from
 * `initialMs`, capped at `maxMs`, with ±20% jitter so many screens restarted
 * together do not reconnect in lockstep.
 */
export function backoffDelay(attempt: number, initialMs = 250, maxMs = 5000, random: () => number = Math.random): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt));
  const jitter = 0.8 + 0.4 * random();
  return Math.round(Math.min(maxMs, base * jitter));
}
