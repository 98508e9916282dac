/**
 * The Content-Security-Policy of the app's window. The UI reaches the engine
 * only through the preload (IPC), so it may connect nowhere; scripts and
 * styles come from its own files (Vite's build, loaded from file://).
 * 'unsafe-inline' styles: React sets style attributes.
 */
export const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'none'",
  "object-src 'none'",
  "worker-src 'none'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/**
 * Response headers with the app's CSP put in, replacing any CSP the response
 * had (whatever its header's case) and keeping every other header.
 */
export function withCsp(headers: Record<string, string | string[]> | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() === 'content-security-policy') continue;
    out[name] = Array.isArray(value) ? value : [value];
  }
  out['Content-Security-Policy'] = [CSP];
  return out;
}
