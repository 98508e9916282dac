/**
 * The WebSocket URL of the host that served this page: same host and port,
 * path `/ws`, and the `token` the host put in the page URL it opened.
 */
export function wsUrlFromLocation(loc: { protocol: string; host: string; search: string }): string {
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  const token = new URLSearchParams(loc.search).get('token') ?? '';
  return `${scheme}//${loc.host}/ws?token=${encodeURIComponent(token)}`;
}
