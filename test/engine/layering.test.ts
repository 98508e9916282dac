import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|tsx|cts|mts)$/.test(e.name))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

function imports(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2]!);
}

describe('layers import one way: renderer → contract ← electron → engine', () => {
  it('the import scanner sees imports (so the checks below are not vacuous)', () => {
    const all = sources('engine').flatMap(imports);
    expect(all.length).toBeGreaterThan(100);
    expect(all).toContain('zeromq');
    expect(sources('renderer').flatMap(imports)).toContain('zustand/vanilla');
  });

  it('engine imports neither the UI, Electron, nor browser-only packages', () => {
    for (const f of sources('engine')) {
      for (const spec of imports(f)) {
        expect(spec, `${f} imports ${spec}`).not.toMatch(/(^|\/)(renderer|electron)(\/|$)|^(react|react-dom|zustand)(\/|$)/);
      }
    }
  });

  it('the contract imports nothing but itself', () => {
    for (const f of sources('contract')) {
      for (const spec of imports(f)) expect(spec, `${f} imports ${spec}`).toMatch(/^\.\/[\w-]+\.ts$/);
    }
  });

  it('the renderer speaks only the contract: no engine, no Node, no Electron', () => {
    for (const f of sources('renderer')) {
      for (const spec of imports(f)) {
        expect(spec, `${f} imports ${spec}`).not.toMatch(/(^|\/)(engine|electron)(\/|$)|^node:|^(zeromq|better-sqlite3|ws)$/);
      }
    }
  });
});
