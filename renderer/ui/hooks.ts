import { useEffect, useState } from 'react';

/** The wall clock (epoch ms), refreshed every `intervalMs`, for ages and countdowns. */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(t);
  }, [intervalMs]);
  return now;
}

/** A message that clears itself after `ms`, for action errors beside a button. */
export function useFlash(ms = 6000): [string | undefined, (msg: string | undefined) => void] {
  const [msg, setMsg] = useState<string | undefined>(undefined);
  useEffect(() => {
    if (msg === undefined) return;
    const t = setTimeout(() => setMsg(undefined), ms);
    return () => clearTimeout(t);
  }, [msg, ms]);
  return [msg, setMsg];
}
