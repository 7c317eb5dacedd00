/** Reads src/ as text: which files a mode loads at run time, what they import, which client-node calls they make. */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** src/ under the root. */
export const SRC = join(ROOT, 'src');

/** Every .ts file under src/, as paths relative to the root (`src/kube/node-api.ts`). */
export function sourceFiles(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [relative(ROOT, path)] : [];
  });
}

/** The source text of a root-relative file. */
export function readSource(file: string): string {
  return readFileSync(join(ROOT, file), 'utf8');
}

/** Module specifiers a file loads at run time: value imports, re-exports and dynamic imports (not `import type`). */
export function runtimeImports(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s+(type\s+)?([^;'"]*?from\s+)?'([^']+)'/gm)) {
    if (m[1] === undefined && m[3] !== undefined) out.push(m[3]);
  }
  for (const m of text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)) if (m[1] !== undefined) out.push(m[1]);
  return out;
}

/** Every module specifier a file names, type-only imports included. */
export function allImports(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/\bfrom\s+'([^']+)'/g)) if (m[1] !== undefined) out.push(m[1]);
  for (const m of text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)) if (m[1] !== undefined) out.push(m[1]);
  for (const m of text.matchAll(/^\s*import\s+'([^']+)'/gm)) if (m[1] !== undefined) out.push(m[1]);
  return out;
}

/** The root-relative files reachable at run time from `entry` through relative imports. */
export function runtimeClosure(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const spec of runtimeImports(readSource(file))) {
      if (!spec.startsWith('.')) continue;
      const target = relative(ROOT, resolve(dirname(join(ROOT, file)), spec.replace(/\.js$/, '.ts')));
      visit(target);
    }
  };
  visit(entry);
  return seen;
}

/** `.name(` call sites in a text (method calls on any object). */
export function methodCalls(text: string): Set<string> {
  return new Set([...text.matchAll(/\.([A-Za-z_]\w*)\s*\(/g)].map((m) => m[1] ?? ''));
}

/** Names imported (value or type) from a package in a text. */
export function namesImportedFrom(text: string, pkg: string): Set<string> {
  const names = new Set<string>();
  const re = new RegExp(
    `import\\s+(?:type\\s+)?\\{([^}]*)\\}\\s*from\\s*'${pkg.replace(/[/]/g, '\\/')}'`,
    'g',
  );
  for (const m of text.matchAll(re)) {
    for (const part of (m[1] ?? '').split(',')) {
      const name = part
        .replace(/^\s*type\s+/, '')
        .split(/\s+as\s+/)[0]
        ?.trim();
      if (name) names.add(name);
    }
  }
  return names;
}
